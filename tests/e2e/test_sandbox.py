"""`courtyard sandbox --empty` as a script sees it: only through the driver API over HTTP."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.e2e.harness import free_port

pytestmark = pytest.mark.slow
STARTUP_SECONDS = 120


@dataclass
class Sandbox:
    http: aiohttp.ClientSession
    api: str
    head: int
    resident: int
    group: int

    async def get(self, path: str) -> Any:
        async with self.http.get(self.api + path) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> Any:
        async with self.http.post(self.api + path, json=body) as response:
            assert response.status in (status, 201), await response.text()
            return await response.json()

    async def say(self, user: int, chat: int, text: str) -> int:
        sent = await self.post(f"/chats/{chat}/messages", {"user_id": user, "text": text})
        return int(sent["message_id"])

    async def bot_messages(self, chat: int, after: int) -> list[dict[str, Any]]:
        messages = await self.get(f"/chats/{chat}/messages?after={after}")
        return [m for m in messages if m["from_bot"] and not m["deleted"]]

    async def reply(
        self, chat: int, after: int, matching: Callable[[dict[str, Any]], bool] = bool
    ) -> dict[str, Any]:
        """The bot's first message after ``after`` that matches, waiting up to a minute."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while loop.time() < deadline:
            found = [m for m in await self.bot_messages(chat, after) if matching(m)]
            if found:
                return found[0]
            await asyncio.sleep(0.2)
        raise AssertionError(f"no matching bot message in {chat} after {after}")


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--empty",
        "--lang",
        "en",
        "--port",
        str(port),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    output: list[str] = []
    try:
        async with asyncio.timeout(STARTUP_SECONDS):
            while not output or not output[-1].startswith("Ready."):
                line = await process.stdout.readline()
                assert line, "the sandbox exited:\n" + "\n".join(output)
                output.append(line.decode().strip())
        async with aiohttp.ClientSession() as http:
            api = f"http://127.0.0.1:{port}/sandbox/api"
            async with http.get(api + "/users") as response:
                users = {u["first_name"]: u["id"] for u in await response.json()}
            async with http.get(api + "/chats") as response:
                group = next(c["id"] for c in await response.json() if c["type"] != "private")
            yield Sandbox(http, api, users["Helen"], users["Rita"], group)
    finally:
        if process.returncode is None:
            process.send_signal(2)
            async with asyncio.timeout(40):
                await process.wait()


async def test_the_driver_api_sets_up_a_building_and_lists_the_bots_menu(
    sandbox: Sandbox,
) -> None:
    s = sandbox
    greeting = await s.reply(s.group, 0)
    assert "/setup" in greeting["text"]
    sent = await s.say(s.head, s.group, "/setup Maple Court B")
    created = await s.reply(s.group, sent)
    assert "Maple Court B" in created["text"]
    menu = await s.get(f"/chats/{s.group}/commands?user_id={s.head}")
    assert "setup" in {c["command"] for c in menu}  # the head is a group admin
    resident_menu = await s.get(f"/chats/{s.group}/commands?user_id={s.resident}")
    assert "setup" not in {c["command"] for c in resident_menu}
    bad = await s.http.post(s.api + f"/chats/{s.group}/messages", json={"user_id": 1})
    assert bad.status == 400
    # The head pins the bot's answer; a resident may not.
    path = f"/chats/{s.group}/messages/{created['message_id']}/pin"
    refused = await s.http.post(s.api + path, json={"user_id": s.resident})
    assert refused.status == 400
    await s.post(path, {"user_id": s.head}, status=201)
    pinned = await s.get(f"/chats/{s.group}/messages?after={sent}")
    assert [m["pinned"] for m in pinned if m["message_id"] == created["message_id"]] == [True]
    assert any("pinned_message" in m for m in pinned)


async def test_a_poll_closes_when_the_clock_jumps_past_its_deadline(sandbox: Sandbox) -> None:
    s = sandbox
    await s.reply(s.group, await s.say(s.head, s.group, "/setup Maple Court B"))
    sent = await s.say(s.head, s.group, "/poll Plant a tree? --hours 2")
    poll = await s.reply(s.group, sent, lambda m: "(#P1)" in (m.get("text") or ""))
    pressed = await s.post(
        f"/chats/{s.group}/messages/{poll['message_id']}/press",
        {"user_id": s.resident, "button": "1.", "wait": 10},
    )
    assert pressed["answer"] is not None
    assert not await s.bot_messages(s.group, poll["message_id"])  # nothing closed yet
    moved = await s.post("/clock", {"advance_seconds": 2 * 3600 + 5})
    assert moved["applied_by_bot"] is True
    chart = await s.reply(s.group, poll["message_id"], lambda m: "photo_url" in m)
    async with s.http.get(s.api.removesuffix("/sandbox/api") + chart["photo_url"]) as image:
        assert image.status == 200
        assert (await image.read()).startswith(b"\x89PNG")


async def test_nothing_is_lost_while_the_bot_is_killed_or_telegram_fails(
    sandbox: Sandbox,
) -> None:
    s = sandbox
    await s.reply(s.group, await s.say(s.head, s.group, "/setup Maple Court B"))
    killed = await s.post("/bot", {"action": "kill"})
    assert killed["status"] == "killed"
    sent = await s.say(s.head, s.group, "/roles")
    started = await s.post("/bot", {"action": "start"})
    assert started["status"] == "running"
    roles = await s.reply(s.group, sent)
    assert "Maple Court B" in roles["text"]
    # The next reply fails once with a 500: the bot handles the update again, once.
    await s.post("/faults", {"kind": "server_error", "method": "sendMessage", "times": 1})
    sent = await s.say(s.head, s.group, "/roles")
    await s.reply(s.group, sent)
    assert (await s.get("/faults"))["rules"] == []
    # Updates of a chat are handled in order: once a later one is answered, a duplicate of the
    # retried reply would have shown.
    await s.reply(s.group, await s.say(s.head, s.group, "/help"))
    answers = [m for m in await s.bot_messages(s.group, sent) if "Roles in" in (m["text"] or "")]
    assert len(answers) == 1
