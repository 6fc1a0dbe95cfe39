"""The seeded soak and fault run: the real bot process under a stream of updates while the
emulator injects 5xx, timeouts and 429 bursts and the bot is SIGKILLed at random moments and
restarted. Afterwards the emulator's record and the database are checked (see `check`).

Used by the short soak in the test suite (tests/e2e/test_soak.py) and by the full run
(bench/soak.py). Everything random comes from one seed, so a run can be repeated; what the
machine's speed changes is only where in the work each kill lands.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.clock import to_timestamp
from bot.domain.lifecycle import RequestStatus
from bot.i18n import translator
from bot.sandbox import BotApiEmulator, FaultKind
from bot.sandbox.models import SentMessage, SimChat, SimUser
from handlers.request_cards import status_name
from tests.e2e.bot_process import BotProcess, toml_text
from tests.e2e.harness import config_for

CARD = re.compile(r"^#(\d+) ")
REMINDER = "Soak reminder"
FAULT_KINDS: tuple[FaultKind, ...] = ("server_error", "bad_gateway", "timeout", "flood")
# A kill lands between a send and its record when it comes this soon after the send.
SEND_TO_RECORD = 10.0  # generous: a loaded machine may take seconds to record


@dataclass(frozen=True)
class SoakPlan:
    seed: int = 14
    buildings: int = 4
    residents: int = 20  # per building
    updates: int = 300
    kills: int = 3
    faults: int = 10  # fault bursts injected during the stream
    reminders: int = 60
    mean_gap: float = 0.02  # seconds between two updates of the stream
    drain_timeout: float = 180.0


@dataclass
class Building:
    name: str
    group: SimChat
    head: SimUser
    plumber: SimUser
    residents: list[SimUser]


@dataclass
class SoakReport:
    updates: int = 0
    request_messages: int = 0
    takes: int = 0
    kills: int = 0
    fault_bursts: int = 0
    faulted_calls: int = 0
    reminders: int = 0
    duplicate_cards: int = 0
    duplicate_reminders: int = 0
    elapsed: float = 0.0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.updates} updates ({self.request_messages} requests, {self.takes} takes), "
            f"{self.kills} kills, {self.fault_bursts} fault bursts ({self.faulted_calls} calls "
            f"failed), {self.reminders} reminders; sent twice: {self.duplicate_cards} cards, "
            f"{self.duplicate_reminders} reminders; {self.elapsed:.0f} s; "
            f"{len(self.problems)} problems"
        )


class Soak:
    def __init__(self, emulator: BotApiEmulator, workdir: Path, plan: SoakPlan) -> None:
        self.emulator = emulator
        self.workdir = workdir
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.database = workdir / "courtyard.db"
        self.log = workdir / "bot.log"
        self.buildings: list[Building] = []
        self.request_messages: list[tuple[int, int]] = []  # (chat id, message id)
        self.reminder_texts: list[str] = []
        self.kill_times: list[float] = []
        self.start_times: list[float] = []
        self.processes: list[BotProcess] = []
        self.report = SoakReport()
        self._flat = 0

    # -- setting up ---------------------------------------------------------------------------

    def _people(self) -> None:
        emulator = self.emulator
        for b in range(self.plan.buildings):
            head = emulator.create_user(f"Head {b}", language_code="en")
            plumber = emulator.create_user(f"Plumber {b}", language_code="en")
            plumber.started_bot = True  # pressed Start long ago
            residents = [
                emulator.create_user(f"Resident {b}-{n}", language_code="en")
                for n in range(self.plan.residents)
            ]
            group = emulator.create_group(
                f"Building {b}", creator=head, members=[plumber, *residents]
            )
            self.buildings.append(Building(f"Building {b}", group, head, plumber, residents))

    def _config(self) -> Path:
        data = config_for(
            self.emulator,
            self.database,
            logging={"level": "INFO"},
            community={"language": "en", "quiet_hours": "off"},
            buildings=[
                {
                    "name": b.name,
                    "chats": [b.group.id],
                    "heads": [b.head.id],
                    "staff": [{"user": b.plumber.id, "categories": ["water"]}],
                }
                for b in self.buildings
            ],
        )
        # Timeouts are the client's: the emulator's "timeout" fault stalls longer than this.
        data["telegram"]["request_timeout"] = 2.0
        config = self.workdir / "config.toml"
        config.write_text(toml_text(data), encoding="utf-8")
        return config

    def _queue_reminders(self, begin: float, spread: float) -> None:
        """Reminders falling due over the run (to staff and to groups), written straight into
        the outbox the way the reminder planner writes them."""
        rows = []
        for n in range(self.plan.reminders):
            building = self.rng.choice(self.buildings)
            chat = building.plumber.id if self.rng.random() < 0.7 else building.group.id
            text = f"{REMINDER} {n}: request waiting"
            due = int(begin + self.rng.uniform(0, spread))
            rows.append((f"soak:{n}", chat, text, to_timestamp(datetime.now(UTC)), due))
            self.reminder_texts.append(text)
        with sqlite3.connect(self.database, timeout=30) as conn:
            conn.executemany(
                "INSERT INTO outbox (dedup_key, chat_id, text, created_at, next_attempt_at) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        self.report.reminders = len(rows)

    # -- running ------------------------------------------------------------------------------

    async def _start(self, config: Path) -> None:
        process = BotProcess(config, self.log)
        self.processes.append(process)
        self.start_times.append(time.time())
        await process.start()

    async def _kill_and_restart(self, config: Path) -> None:
        process = self.processes[-1]
        process.signal(signal.SIGKILL)
        await process.wait()
        self.kill_times.append(time.time())
        self.report.kills += 1
        await self._start(config)

    def _inject_fault(self) -> None:
        # The rng is drawn from either way, so the run stays the same whether a burst is
        # skipped or not.
        kind = self.rng.choice(FAULT_KINDS)
        method = self.rng.choice(("*", "*", "sendMessage", "editMessageText", "getUpdates"))
        times = self.rng.randint(2, 8) if kind == "flood" else self.rng.randint(1, 2)
        if any(rule.remaining for rule in self.emulator.faults.rules):
            # One burst at a time: an update is tried three times and the rate limiter
            # retries a 429 three times, so a burst never fails one piece of work for good.
            return
        self.emulator.inject_fault(
            method, kind=kind, times=times, retry_after=self.rng.randint(1, 2), delay=3.0
        )
        self.report.fault_bursts += 1

    def _one_update(self) -> None:
        building = self.rng.choice(self.buildings)
        resident = self.rng.choice(building.residents)
        roll = self.rng.random()
        if roll < 0.2:
            self._flat += 1
            text = (
                f"/report The water pipe in unit {self._flat % 9 + 1} flat {self._flat} is leaking"
            )
            sent = self.emulator.send_message(resident, building.group, text)
            self.request_messages.append((building.group.id, int(sent["message_id"])))
        elif roll < 0.3 and self._take(building):
            self.report.takes += 1
        else:
            chat = self.rng.choice(("Good morning, neighbours", "Who has a ladder?", "Thanks!"))
            self.emulator.send_message(resident, building.group, f"{chat} ({self._flat})")
        self.report.updates += 1

    def _take(self, building: Building) -> bool:
        """The plumber takes a request whose card they have and nobody took yet."""
        takeable = [
            (m, data)
            for m in self.emulator.messages(building.plumber)
            for data in m.callback_data
            if data.startswith("rq:take:")
        ]
        if not takeable:
            return False
        message, data = self.rng.choice(takeable)
        try:
            self.emulator.press_button(building.plumber, message, data)
        except ValueError:
            return False
        return True

    async def _staff_round(self, config: Path, kills: int) -> None:
        """Staff take about half of the requests (state changes every card must show),
        with kills among the presses."""
        presses = max(1, len(self.request_messages) // 2)
        kill_at = set(self.rng.sample(range(presses), min(kills, presses)))
        for n in range(presses):
            if n in kill_at:
                await self._kill_and_restart(config)
            if self._take(self.rng.choice(self.buildings)):
                self.report.takes += 1
                self.report.updates += 1
            await asyncio.sleep(self.rng.uniform(0, 2 * self.plan.mean_gap))

    async def run(self) -> SoakReport:
        began = time.monotonic()
        self._people()
        config = self._config()
        await self._start(config)
        await self.emulator.wait_for_call("setMyCommands", count=1, timeout=60)
        stream = self.plan.updates * self.plan.mean_gap
        self._queue_reminders(time.time(), stream)
        staff_kills = max(1, self.plan.kills // 5) if self.plan.kills > 1 else 0
        kills = set(self.rng.sample(range(1, self.plan.updates), self.plan.kills - staff_kills))
        faults = set(self.rng.sample(range(self.plan.updates), self.plan.faults))
        for n in range(self.plan.updates):
            if n in faults:
                self._inject_fault()
            if n in kills:
                await self._kill_and_restart(config)
            self._one_update()
            await asyncio.sleep(self.rng.uniform(0, 2 * self.plan.mean_gap))
        await self._settle()
        for _n in range(self.plan.faults // 4):
            self._inject_fault()
        await self._staff_round(config, staff_kills)
        self.emulator.clear_faults()
        await self._settle()
        last = self.processes[-1]
        last.signal(signal.SIGTERM)
        if await last.wait(60) != 0:
            self.report.problems.append("the last bot process did not stop cleanly")
        self.report.elapsed = time.monotonic() - began
        self.report.faulted_calls = sum(1 for c in self.emulator.calls() if c.fault)
        self.check()
        return self.report

    async def _settle(self) -> None:
        """Wait (with a deadline) until every update, request and message is done with."""
        deadline = time.monotonic() + self.plan.drain_timeout
        while not self._quiet():
            if time.monotonic() > deadline:
                self.report.problems.append("the bot did not finish the work in time")
                return
            await asyncio.sleep(0.2)

    def _quiet(self) -> bool:
        if self.emulator.pending_update_count:
            return False
        with sqlite3.connect(self.database, timeout=30) as conn:
            unhandled = conn.execute("SELECT count(*) FROM inbox WHERE handled_at IS NULL")
            if unhandled.fetchone()[0]:
                return False
            if conn.execute(
                "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
            ).fetchone()[0]:
                return False
            requests = conn.execute(
                "SELECT count(*), sum(routed_at IS NULL OR card_message_id IS NULL) FROM requests"
            ).fetchone()
        return bool(requests[0] == len(self.request_messages) and not requests[1])

    # -- checking -----------------------------------------------------------------------------

    def check(self) -> None:
        report = self.report
        report.request_messages = len(self.request_messages)
        with sqlite3.connect(self.database) as conn:
            conn.row_factory = sqlite3.Row
            self._check_updates(conn)
            self._check_requests(conn)
            self._check_reminders(conn)

    def _problem(self, text: str) -> None:
        self.report.problems.append(text)

    def _check_updates(self, conn: sqlite3.Connection) -> None:
        """No update skipped: all that Telegram handed out are stored and handled, and
        Telegram holds none back."""
        delivered = {u.update_id for u in self.emulator.updates_delivered}
        stored = {
            int(row[0]): row[1]
            for row in conn.execute("SELECT update_id, handled_at FROM inbox").fetchall()
        }
        if missing := delivered - set(stored):
            self._problem(f"updates never stored: {sorted(missing)[:10]}")
        if unhandled := [u for u, at in stored.items() if at is None]:
            self._problem(f"updates never handled: {unhandled[:10]}")
        if self.emulator.pending_update_count:
            self._problem(f"{self.emulator.pending_update_count} updates still at Telegram")

    def _killed_soon_after(self, moment: float) -> bool:
        """Whether a kill came soon after `moment`, before any restart."""
        for killed in self.kill_times:
            restarted_between = any(moment < s < killed for s in self.start_times)
            if moment <= killed <= moment + SEND_TO_RECORD and not restarted_between:
                return True
        return False

    def _duplicates(self, copies: list[float], what: str) -> int:
        """Copies beyond the first, each required to follow a kill of the sender."""
        if len(copies) > 1 and not self._killed_soon_after(copies[0]):
            self._problem(f"{what} sent {len(copies)} times with no kill to explain it")
        return max(0, len(copies) - 1)

    def _check_requests(self, conn: sqlite3.Connection) -> None:
        """Each request message: one request, its group card, its staff card and routing;
        each card shows the request's current state."""
        _ = translator("en")
        calls = [c for c in self.emulator.calls("sendMessage") if c.ok]
        by_chat_card: dict[tuple[int, int], list[float]] = {}
        for call in calls:
            text = str(call.params.get("text", ""))
            body = text.split("\n\n", 1)[-1] if int(call.params["chat_id"]) > 0 else text
            found = CARD.match(body)
            if found and "Status:" in body:
                key = (int(call.params["chat_id"]), int(found.group(1)))
                by_chat_card.setdefault(key, []).append(call.time)
        for chat_id, message_id in self.request_messages:
            rows = conn.execute(
                "SELECT * FROM requests WHERE chat_id = ? AND source_message_id = ?",
                (chat_id, message_id),
            ).fetchall()
            if len(rows) != 1:
                self._problem(f"message {message_id} in {chat_id} made {len(rows)} requests")
                continue
            request = rows[0]
            number = int(request["id"])
            building = next(b for b in self.buildings if b.group.id == chat_id)
            status = RequestStatus(request["status"])
            expected = f"Status: {status_name(_, status)}"
            for chat, message in self._cards_of(conn, request, building):
                if message is None:
                    self._problem(f"#{number}: no card in {chat}")
                elif expected not in message.content:
                    self._problem(f"#{number}: the card in {chat} does not say {expected!r}")
                self.report.duplicate_cards += self._duplicates(
                    by_chat_card.get((chat, number), []), f"#{number}'s card in {chat}"
                )

    def _cards_of(
        self, conn: sqlite3.Connection, request: sqlite3.Row, building: Building
    ) -> list[tuple[int, SentMessage | None]]:
        group = self._message(building.group, request["card_message_id"])
        delivery = conn.execute(
            "SELECT message_id FROM request_deliveries WHERE request_id = ? AND person_id = ?",
            (request["id"], building.plumber.id),
        ).fetchone()
        staff = None if delivery is None else self._message(building.plumber, delivery[0])
        return [(building.group.id, group), (building.plumber.id, staff)]

    def _message(self, chat: SimChat | SimUser, message_id: Any) -> SentMessage | None:
        if message_id is None:
            return None
        return next(
            (m for m in self.emulator.messages(chat) if m.message_id == int(message_id)), None
        )

    def _check_reminders(self, conn: sqlite3.Connection) -> None:
        """Every due reminder delivered at least once; more only after a kill."""
        sent: dict[str, list[float]] = {}
        for call in self.emulator.calls("sendMessage"):
            text = str(call.params.get("text", ""))
            if call.ok and text.startswith(REMINDER):
                sent.setdefault(text, []).append(call.time)
        for text in self.reminder_texts:
            copies = sent.get(text, [])
            if not copies:
                self._problem(f"{text!r} never delivered")
            self.report.duplicate_reminders += self._duplicates(copies, repr(text))
        unsent = conn.execute(
            "SELECT count(*) FROM outbox WHERE dedup_key LIKE 'soak:%' AND sent_at IS NULL"
        ).fetchone()[0]
        if unsent:
            self._problem(f"{unsent} reminders not recorded as sent")

    async def stop(self) -> None:
        for process in self.processes:
            await process.kill()
