"""A few days of community life, played through the real bot with the clock in the past.

The head adds the bot and sets the building up, staff accept their roles through the bot's
links, residents register and the head approves them, requests are reported, taken,
resolved and rated, a poll runs and closes with a chart. Between scenes the sandbox clock
jumps ahead, so reminders, escalations, digests and reports happen as they would have; the
last jump lands on the present.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta

from bot.sandbox.cast import Cast
from bot.sandbox.models import SentMessage, SimChat, SimUser
from bot.sandbox.session import SandboxSession
from bot.sandbox.timeshift import next_local, system_now
from storage.outbox import OutboxRepository

HISTORY_DAYS = 4
# A busy (or slow) machine renders charts slowly; a scene still fails loudly, not forever.
STEP_TIMEOUT = 60.0
PRESENT_STEP = timedelta(hours=6)
_REQUEST_NUMBER = re.compile(r"#(\d+)")


def story_start(session: SandboxSession, now: datetime | None = None) -> datetime:
    """09:30 community time, HISTORY_DAYS days before now: when the story begins."""
    assert session.community is not None
    tz = session.community.timezone
    moment = (now or system_now()) - timedelta(days=HISTORY_DAYS + 1)
    return next_local(moment, tz, time(9, 30))


def add_bot(session: SandboxSession, cast: Cast) -> None:
    """The head adds the bot to the group as an administrator (the bot greets)."""
    session.emulator.add_bot_to_group(cast.group, cast.head, as_admin=True)


class Story:
    """Plays the scenes; ``progress`` is told each scene's number as it starts."""

    def __init__(
        self, session: SandboxSession, cast: Cast, progress: Callable[[int, int], None]
    ) -> None:
        self.session = session
        self.emulator = session.emulator
        self.cast = cast
        self.progress = progress
        self.light = 0
        self.poll: SentMessage | None = None
        self.scenes: list[Callable[[], Awaitable[None]]] = [
            self.found_the_building,
            self.appoint_staff,
            self.register_households,
            self.report_the_light,
            self.resolve_the_light,
            self.report_the_elevator,
            self.run_a_poll,
            self.close_the_poll,
            self.report_the_bins,
            self.arrive_at_the_present,
        ]

    async def play(self) -> None:
        """Every scene in order."""
        for number, scene in enumerate(self.scenes, start=1):
            self.progress(number, len(self.scenes))
            await scene()

    # -- helpers -----------------------------------------------------------------------------

    async def answer(self, user: SimUser, chat: SimChat | SimUser, text: str) -> SentMessage:
        """``user`` writes; returns the bot's next message in that chat."""
        sent = self.emulator.send_message(user, chat, text)
        return await self.emulator.wait_for_message(
            chat, after=sent["message_id"], timeout=STEP_TIMEOUT
        )

    async def button_message(self, chat: SimChat | SimUser, data: str) -> SentMessage:
        """The bot's newest message in ``chat`` with a button whose data starts with ``data``."""

        def found() -> SentMessage | None:
            return next(
                (
                    m
                    for m in reversed(self.emulator.messages(chat))
                    if not m.deleted and any(d.startswith(data) for d in m.callback_data)
                ),
                None,
            )

        return await self.emulator.wait_for(found, STEP_TIMEOUT, f"a button {data!r}")

    async def press(self, user: SimUser, message: SentMessage, data: str) -> None:
        """``user`` presses the first button whose data starts with ``data``; waits for the
        bot's answer."""
        exact = next(d for d in message.callback_data if d.startswith(data))
        query = self.emulator.press_button(user, message, exact)
        await self.emulator.wait_callback_answer(query, timeout=STEP_TIMEOUT)

    async def jump(self, delta: timedelta) -> None:
        """Move the clock and let the bot catch up with what fell due."""
        await self.session.time.advance(delta)
        await self.settled()
        await self.quiet()

    async def quiet(self, calm: float = 0.3, limit: float = STEP_TIMEOUT) -> None:
        """Wait until the bot has sent what is due (its outbox has nothing due and it made no
        call but polling for ``calm`` seconds) before the clock moves on; at most ``limit``."""

        def activity() -> int:
            return sum(1 for call in self.emulator.state.calls if call.method != "getUpdates")

        database = self.session.bot_database
        outbox = None if database is None else OutboxRepository(database, self.session.clock)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        seen, calm_since = activity(), loop.time()
        while loop.time() < deadline:
            await self.emulator.state.notifier.wait(calm)
            if activity() != seen:
                seen, calm_since = activity(), loop.time()
            elif loop.time() - calm_since >= calm and not (outbox and await outbox.due(1)):
                return

    async def settled(self) -> None:
        """Wait until the bot has fetched every update."""
        await self.emulator.wait_for_updates_consumed(timeout=STEP_TIMEOUT)

    async def report(self, user: SimUser, text: str) -> int:
        """``user`` reports a problem in the group; returns the request's number."""
        card = await self.answer(user, self.cast.group, text)
        found = _REQUEST_NUMBER.search(card.content)
        if found is None:
            raise RuntimeError(f"the bot did not track {text!r}: {card.content!r}")
        return int(found.group(1))

    async def open_invitation(self, staff: SimUser, invite: SentMessage) -> None:
        """``staff`` opens the one-time link the bot posted for them."""
        links = [b.get("url", "") for b in invite.buttons] + [invite.content]
        token = next(
            (link.split("?start=")[1].split()[0] for link in links if "?start=" in link), None
        )
        if token is None:
            raise RuntimeError(f"no invitation link in {invite.content!r}")
        self.emulator.user_starts_bot(staff, token)
        await self.emulator.wait_for_message(staff, timeout=STEP_TIMEOUT)

    # -- scenes ------------------------------------------------------------------------------

    async def found_the_building(self) -> None:
        c, content = self.cast, self.cast.content
        add_bot(self.session, c)
        await self.emulator.wait_for_message(c.group, timeout=STEP_TIMEOUT)
        await self.answer(c.head, c.group, f"/setup {content.building}")
        await self.answer(c.head, c.group, f"/setup households {content.households}")
        self.emulator.user_starts_bot(c.head)
        await self.emulator.wait_for_message(c.head, timeout=STEP_TIMEOUT)

    async def appoint_staff(self) -> None:
        c, content = self.cast, self.cast.content
        for staff, hello, roles in (
            (c.plumber, content.plumber_hello, content.plumber_roles),
            (c.manager, content.manager_hello, content.manager_roles),
        ):
            note = self.emulator.send_message(staff, c.group, hello)
            command = self.emulator.send_message(
                c.head, c.group, f"/staff add {roles}", reply_to=note
            )
            invite = await self.emulator.wait_for_message(
                c.group, containing="?start=", after=command["message_id"], timeout=STEP_TIMEOUT
            )
            await self.open_invitation(staff, invite)
        await self.jump(timedelta(minutes=40))

    async def register_households(self) -> None:
        c, content = self.cast, self.cast.content
        for resident, flat in zip(c.residents, content.flats, strict=True):
            self.emulator.user_starts_bot(resident)
            await self.emulator.wait_for_message(resident, timeout=STEP_TIMEOUT)
            await self.answer(resident, resident, f"/join {flat}")
            approval = await self.button_message(c.head, "hh:a:")
            before = self.emulator.private_chat(resident).last_message_id
            await self.press(c.head, approval, "hh:a:")
            await self.emulator.wait_for_message(resident, after=before, timeout=STEP_TIMEOUT)
        await self.answer(
            c.head, c.group, f"/household add {content.elderly_flat} {content.elderly_name}"
        )
        await self.jump(timedelta(hours=3))

    async def report_the_light(self) -> None:
        c = self.cast
        self.light = await self.report(c.residents[0], c.content.light_request)
        card = await self.button_message(c.manager, f"rq:take:{self.light}")
        await self.press(c.manager, card, "rq:take:")
        card = await self.button_message(c.manager, f"rq:start:{self.light}")
        await self.press(c.manager, card, "rq:start:")
        await self.jump(timedelta(hours=20))

    async def resolve_the_light(self) -> None:
        c = self.cast
        card = await self.button_message(c.manager, f"rq:resolve:{self.light}")
        await self.press(c.manager, card, "rq:resolve:")
        await self.answer(c.manager, c.manager, c.content.light_note)
        question = await self.button_message(c.residents[0], f"rq:fixed:{self.light}")
        await self.press(c.residents[0], question, "rq:fixed:")
        rating = await self.button_message(c.residents[0], f"rq:rate:5:{self.light}")
        await self.press(c.residents[0], rating, "rq:rate:5:")
        self.emulator.send_message(c.residents[1], c.group, c.content.small_talk[1])
        await self.jump(timedelta(hours=1))

    async def report_the_elevator(self) -> None:
        c = self.cast
        number = await self.report(c.residents[1], c.content.elevator_request)
        card = await self.button_message(c.group, f"rq:metoo:{number}")
        await self.press(c.residents[2], card, "rq:metoo:")
        await self.jump(timedelta(hours=2))

    async def run_a_poll(self) -> None:
        c = self.cast
        poll = self.poll = await self.answer(c.head, c.group, c.content.poll)
        for_, against = poll.callback_data[:2]
        for voter, option in (
            (c.head, for_),
            (c.residents[0], for_),
            (c.residents[1], for_),
            (c.residents[2], against),
        ):
            await self.press(voter, poll, option)

    async def close_the_poll(self) -> None:
        await self.jump(timedelta(hours=24, minutes=5))
        poll = self.poll
        assert poll is not None

        def chart() -> SentMessage | None:
            return next(
                (
                    m
                    for m in self.emulator.messages(self.cast.group)
                    if m.photo and m.message_id > poll.message_id
                ),
                None,
            )

        await self.emulator.wait_for(chart, STEP_TIMEOUT, "the poll's result chart")

    async def report_the_bins(self) -> None:
        c = self.cast
        self.emulator.send_message(c.residents[1], c.group, c.content.small_talk[0])
        number = await self.report(c.residents[2], c.content.bins_request)
        card = await self.button_message(c.manager, f"rq:take:{number}")
        await self.press(c.manager, card, "rq:take:")

    async def arrive_at_the_present(self) -> None:
        # In steps, so reminders, escalations and digests fall on their own hours.
        while system_now() - self.session.clock.now() > PRESENT_STEP:
            await self.jump(PRESENT_STEP)
        await self.session.time.move_to(system_now())
        await self.settled()
