"""Running it for real: the metrics endpoint and /healthz, log lines without personal data, and
the database lock that `courtyard run` holds."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import FakeClock
from bot.logging_setup import OWN_LOGGERS, configure_logging
from bot.sandbox import BotApiEmulator
from storage.outbox import OutgoingMessage
from tests.e2e.bot_process import toml_text
from tests.e2e.harness import config_for, free_port, running_bot, settings_for

ROOT = Path(__file__).resolve().parents[2]


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def _samples(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, text = await _get(url)
    assert status == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_updates_requests_sends_and_jobs(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    port = free_port()
    admin = emulator.create_user("Ada", language_code="en")
    emulator.user_starts_bot(admin)
    head = emulator.create_user("Hana", language_code="en")
    resident = emulator.create_user("Rita", language_code="en")
    group = emulator.create_group("Building 5", creator=head, members=[resident])
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        community={"language": "en", "admin_chat_id": admin.id},
        metrics={"enabled": True, "port": port},
        # A 429 reaches the outbox, which waits for the (test) clock to pass retry_after.
        telegram={"rate_limit": {"max_retries": 0}},
    )
    clock = FakeClock(datetime.now(UTC))
    url = f"http://127.0.0.1:{port}/metrics"
    async with running_bot(emulator, settings, clock) as bot:
        before = await _samples(url)
        emulator.send_message(head, group, "/setup Building 5")
        await emulator.wait_for_message(group, containing="Created building")
        emulator.send_message(resident, group, "The water pipe in unit 3 is leaking")
        await emulator.wait_for_message(group, containing="#1 ")
        await bot.settle()
        # A passing Telegram error in a handler: counted, and the update is handled again
        # (but counted as handled once).
        handled = "courtyard_updates_handled_total"
        before_start = _value(await _samples(url), handled, kind="message")
        emulator.inject_fault("sendMessage", kind="bad_gateway", chat_id=resident.id)
        emulator.user_starts_bot(resident)
        await emulator.wait_for_message(resident, containing="Welcome")
        await bot.settle()
        assert _value(await _samples(url), handled, kind="message") == before_start + 1

        # A message for the admin meets flood control once: it waits in the outbox until the
        # clock has passed the retry_after Telegram asked for.
        emulator.inject_fault("sendMessage", kind="flood", retry_after=5, chat_id=admin.id)
        await bot.services.outbox.add([OutgoingMessage("metrics-test", admin.id, "ping")])
        attempts_sql = "SELECT attempts FROM outbox WHERE dedup_key = 'metrics-test'"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        # The attempt is recorded (with its retry time) before the clock moves on.
        while await bot.services.database.fetch_value(attempts_sql) != 1:
            assert loop.time() < deadline, "the flood-controlled attempt was not recorded"
            await asyncio.sleep(0.05)
        assert [c.fault for c in emulator.calls("sendMessage") if c.fault] == [
            "bad_gateway",
            "flood",
        ]
        waiting = await _samples(url)
        assert _value(waiting, "courtyard_outbox_pending") == 1
        assert _value(waiting, "courtyard_outbox_oldest_age_seconds") >= 0
        clock.advance(timedelta(seconds=10))
        await emulator.wait_for_message(admin, containing="ping")

        # The message is marked sent once Telegram's answer is back, a moment after it arrived;
        # the outbox job runs on its own every 2 s, timed by the job queue.
        jobs = "courtyard_job_duration_seconds_count"
        deadline = loop.time() + 30
        while True:
            after = await _samples(url)
            timed = _value(after, jobs, job="deliver_outbox") > _value(
                before, jobs, job="deliver_outbox"
            )
            if timed and _value(after, "courtyard_outbox_pending") == 0:
                break
            assert loop.time() < deadline, "no job run was timed, or the outbox never emptied"
            await asyncio.sleep(0.2)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    created = sum(
        grew("courtyard_requests_created_total", category="water", urgent=urgent)
        for urgent in ("true", "false")
    )
    assert created == 1
    calls = "courtyard_bot_api_calls_total"
    assert grew(calls, method="sendMessage", result="retry_after") == 1
    assert grew(calls, method="sendMessage", result="ok") >= 2
    assert grew("courtyard_outbox_sends_total", result="sent") >= 1
    assert grew("courtyard_outbox_sends_total", result="retry_after") == 1
    assert grew(calls, method="sendMessage", result="network") == 1
    assert grew("courtyard_handler_errors_total", transient="true") == 1
    assert grew("courtyard_updates_handled_total", kind="message") >= 3


async def test_healthz_on_the_webhook_server_with_metrics_beside_it(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    port = free_port()
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        telegram={
            "mode": "webhook",
            "webhook": {
                "url": f"http://127.0.0.1:{port}/hook",
                "port": port,
                "path": "/hook",
                "secret_token": "s3cret-token",
            },
        },
        metrics={"enabled": True, "port": port},
    )
    async with running_bot(emulator, settings) as bot:
        status, body = await _get(f"http://127.0.0.1:{port}/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, body = await _get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert "courtyard_outbox_pending" in body
        await bot.services.database.close()  # the database is gone: unhealthy
        status, _ = await _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 503
        await bot.services.database.open()


async def test_healthz_without_metrics_on_the_webhook_server(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    port = free_port()
    settings = settings_for(
        emulator,
        tmp_path / "c.db",
        telegram={
            "mode": "webhook",
            "webhook": {
                "url": f"http://127.0.0.1:{port}/hook",
                "port": port,
                "path": "/hook",
                "secret_token": "s3cret-token",
            },
        },
    )
    async with running_bot(emulator, settings):
        assert (await _get(f"http://127.0.0.1:{port}/healthz"))[0] == 200
        assert (await _get(f"http://127.0.0.1:{port}/metrics"))[0] == 404


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    own = {name: logging.getLogger(name).level for name in OWN_LOGGERS}
    stream = io.StringIO()
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, own_level in own.items():
        logging.getLogger(name).setLevel(own_level)


async def test_logs_carry_update_and_chat_but_no_token_or_personal_data(
    emulator: BotApiEmulator, tmp_path: Path, captured_logs: io.StringIO
) -> None:
    head = emulator.create_user(
        "Zhuzhu", last_name="Qiqi", username="zhuqi_head", language_code="en"
    )
    resident = emulator.create_user(
        "Lanlan", last_name="Moyu", username="lanmo77", language_code="en"
    )
    group = emulator.create_group("Building 5", creator=head, members=[resident])
    settings = settings_for(emulator, tmp_path / "c.db", community={"language": "en"})
    configure_logging("DEBUG", [emulator.token], log_format="json", stream=captured_logs)
    async with running_bot(emulator, settings) as bot:
        emulator.send_message(head, group, "/setup Building 5")
        await emulator.wait_for_message(group, containing="Created building")
        emulator.send_message(resident, group, "Pipe burst at 3-502, call me at 13800138000 XQZ")
        await emulator.wait_for_message(group, containing="#1 ")
        emulator.send_message(resident, resident, "/join 7-1203")
        await bot.settle()
    text = captured_logs.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    handled = [line for line in lines if line["message"].startswith("Handled update")]
    assert len(handled) >= 3
    assert all("update_id" in line and "chat_id" in line for line in handled)
    assert {line["chat_id"] for line in handled} >= {group.id, resident.id}
    for secret in (
        emulator.token,
        emulator.token.split(":")[1],
        "Zhuzhu",
        "Qiqi",
        "zhuqi_head",
        "Lanlan",
        "lanmo77",
        "3-502",
        "7-1203",
        "13800138000",
        "XQZ",
    ):
        assert secret not in text, secret


def _write_config(emulator: BotApiEmulator, tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    data = config_for(emulator, tmp_path / "courtyard.db", logging={"level": "INFO"})
    config.write_text(toml_text(data), encoding="utf-8")
    return config


async def _courtyard(*args: str, log: Path | None = None) -> asyncio.subprocess.Process:
    handle = log.open("ab") if log is not None else None
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=ROOT,
            stdout=handle or asyncio.subprocess.PIPE,
            stderr=handle or asyncio.subprocess.PIPE,
            env={**os.environ, "COURTYARD_TOKEN": ""},
        )
    finally:
        if handle is not None:
            handle.close()


async def _finish(process: asyncio.subprocess.Process) -> tuple[int, str]:
    _, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, (err or b"").decode()


@pytest.mark.slow
async def test_courtyard_run_holds_the_lock_that_restore_and_a_second_bot_respect(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    config = _write_config(emulator, tmp_path)
    code, err = await _finish(await _courtyard("migrate", "--config", str(config)))
    assert code == 0, err
    code, err = await _finish(await _courtyard("backup", "--config", str(config)))
    assert code == 0, err
    backup = next((tmp_path / "backups").iterdir())

    log = tmp_path / "bot.log"
    bot = await _courtyard("run", "--config", str(config), log=log)
    try:
        await emulator.wait_for(
            lambda: "Polling for updates" in log.read_text(encoding="utf-8"), 60, "the bot to poll"
        )
        code, err = await _finish(
            await _courtyard("restore", str(backup), "--config", str(config))
        )
        assert code == 1
        assert "restore refused: a bot is running on" in err
        assert f"pid {bot.pid}" in err
        code, err = await _finish(await _courtyard("run", "--config", str(config)))
        assert code == 1
        assert "already running on this database" in err
    finally:
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), timeout=60) == 0  # a graceful stop
    assert "Courtyard stopped cleanly" in log.read_text(encoding="utf-8")
    code, err = await _finish(await _courtyard("restore", str(backup), "--config", str(config)))
    assert code == 0, err
