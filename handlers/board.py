"""The pinned board: one message per linked group showing the three lists, kept current.

Every change on a building's lists marks its boards dirty in the database and schedules one
redraw a few seconds later, so a burst of changes costs one edit, and edits of one board are
at least `BOARD_MIN_GAP` apart (Telegram allows about 20 messages a minute per group). A
redraw that finds the text unchanged sends nothing. Dirty boards are redrawn after a restart,
and every board is looked at again every `BOARD_REFRESH` for counts that change with time
(overdue problems and decisions).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import CommandHandler, JobQueue

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.lists import progress_bar
from bot.domain.sla import Urgency
from bot.i18n import Translator
from handlers.common import (
    building_of_chat,
    deep_link,
    escape,
    not_linked,
    refusal,
    reply,
    sender_id,
    translator_for,
)
from handlers.labels import category_name
from handlers.list_common import chat_translator, may_manage_building, short, when
from storage.buildings import Building
from storage.list_reports import ListsSnapshot

logger = logging.getLogger(__name__)

BOARD_DELAY = timedelta(seconds=5)  # let a burst of changes settle into one edit
BOARD_MIN_GAP = timedelta(seconds=30)  # at most two edits a minute per group
BOARD_REFRESH = timedelta(minutes=30)
LIST_PAYLOAD_KINDS = ("n", "r", "p", "d")  # needs, requests (problems), projects, decisions


def _job_queue(context: CourtyardContext) -> JobQueue[Any]:
    queue = context.application.job_queue
    assert queue is not None
    return cast("JobQueue[Any]", queue)


def _job_name(building_id: int) -> str:
    return f"board-{building_id}"


async def touch(context: CourtyardContext, building_id: int | None) -> None:
    """Something on the building's lists changed: redraw its boards soon (debounced)."""
    if building_id is None:
        return
    if await context.services.boards.mark_dirty(building_id):
        await redraw_soon(context, building_id)


async def redraw_soon(context: CourtyardContext, building_id: int) -> None:
    """The building's boards were marked dirty: redraw them soon (debounced)."""
    services = context.services
    queue = _job_queue(context)
    if queue.get_jobs_by_name(_job_name(building_id)):
        return  # a redraw is already coming; it will read the latest state
    delay = BOARD_DELAY
    now = services.clock.now()
    for board in await services.boards.of_building(building_id):
        if board.edited_at is not None:
            delay = max(delay, board.edited_at + BOARD_MIN_GAP - now)
    queue.run_once(
        _redraw_job, when=delay.total_seconds(), data=building_id, name=_job_name(building_id)
    )


async def _redraw_job(context: CourtyardContext) -> None:
    assert context.job is not None
    assert isinstance(context.job.data, int)
    for board in await context.services.boards.of_building(context.job.data):
        await redraw(context, board.chat_id)


async def start_board(context: CourtyardContext, chat_id: int, building: Building) -> None:
    """The building started using its lists here: the group gets its board (once; a head
    who turned it off keeps it off)."""
    _board, created = await context.services.boards.ensure(chat_id, building.id)
    if created:
        await redraw(context, chat_id, explain=True)


async def start_boards(context: CourtyardContext, building: Building) -> None:
    for chat_id in await context.services.buildings.chats_of(building.id):
        await start_board(context, chat_id, building)


def _overdue(context: CourtyardContext, building: Building, snapshot: ListsSnapshot) -> int:
    now = context.services.clock.now()
    policy = context.services.sla
    overdue = 0
    for problem in snapshot.problems:
        urgency = Urgency.URGENT if problem.urgent else Urgency.NORMAL
        limit = policy.targets_for(problem.category, urgency, building.id).resolve_within
        overdue += now - problem.created_at >= limit
    return overdue


def board_lines(
    context: CourtyardContext, _: Translator, building: Building, snapshot: ListsSnapshot
) -> list[str]:
    """Short lines, readable on a phone: top needs, problems, projects, meeting, overdue."""
    lines = [_("📋 <b>{building}</b> · the three lists").format(building=escape(building.name))]
    lines.append(_("🙋 <b>Needs</b> ({count})").format(count=snapshot.active_needs))
    for index, need in enumerate(snapshot.top_needs, start=1):
        text = short(need.text) if need.public else _("(proposed privately)")
        lines.append(f"{index}. {text} · 👍{need.support}")
    problems = snapshot.problems
    lines.append(
        _("🔧 <b>Problems</b>: {open} open · ⚠️ {overdue} overdue").format(
            open=len(problems), overdue=_overdue(context, building, snapshot)
        )
    )
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.category] = counts.get(problem.category, 0) + 1
    busiest = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:4]
    if busiest:
        lines.append("   " + " · ".join(f"{category_name(_, c)} {n}" for c, n in busiest))
    lines.append(_("🏗 <b>Projects</b> ({count})").format(count=snapshot.active_projects))
    for project in snapshot.projects:
        lines.append(
            f"PJ{project.id} {short(project.title, 18)} {progress_bar(project.percent)} "
            f"{project.percent}%"
        )
    meeting = snapshot.next_meeting
    if meeting is not None:
        lines.append(
            _("📅 Meeting M{number}: {time} · {place}").format(
                number=meeting.id,
                time=when(context, building, meeting.starts_at)[5:],
                place=short(meeting.place, 20),
            )
        )
    if snapshot.overdue_decision_count:
        lines.append(
            _("⏰ <b>Overdue decisions</b>: {count}").format(count=snapshot.overdue_decision_count)
        )
        for decision in snapshot.overdue_decisions:
            lines.append(f"   D{decision.id} {short(decision.text, 24)}")
    return lines


def board_keyboard(
    context: CourtyardContext, _: Translator, building_id: int
) -> InlineKeyboardMarkup:
    """Buttons that open each list in a private chat (paged and filterable there)."""
    labels = (_("🙋 Needs"), _("🔧 Problems"), _("🏗 Projects"), _("⏰ Decisions"))
    buttons = [
        InlineKeyboardButton(label, url=deep_link(context, f"ls-{kind}-{building_id}"))
        for label, kind in zip(labels, LIST_PAYLOAD_KINDS, strict=True)
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


async def render(
    context: CourtyardContext, chat_id: int, building: Building
) -> tuple[str, InlineKeyboardMarkup]:
    _ = await chat_translator(context, chat_id, building)
    snapshot = await context.services.list_reports.snapshot(
        building.id, context.services.clock.now()
    )
    return "\n".join(board_lines(context, _, building, snapshot)), board_keyboard(
        context, _, building.id
    )


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


async def redraw(context: CourtyardContext, chat_id: int, *, explain: bool = False) -> None:
    """Bring the board message up to date: edit it, or post (and pin) a new one."""
    # One redraw of a board at a time (a debounced job and the planner could otherwise both
    # find no message and post two boards).
    async with context.services.board_locks.setdefault(chat_id, asyncio.Lock()):
        await _redraw(context, chat_id, explain=explain)


async def _redraw(context: CourtyardContext, chat_id: int, *, explain: bool) -> None:
    services = context.services
    board = await services.boards.get(chat_id)
    building = await services.buildings.get(board.building_id) if board else None
    if board is None or building is None or not board.enabled:
        return
    text, keyboard = await render(context, chat_id, building)
    digest = _hash(text)
    refresh_at = services.clock.now() + BOARD_REFRESH
    if board.message_id is not None and board.text_hash == digest:
        await services.boards.rendered(
            chat_id,
            message_id=board.message_id,
            text_hash=digest,
            pinned=board.pinned,
            refresh_at=refresh_at,
            edited=False,
        )
        return
    if board.message_id is not None:
        try:
            await context.bot.edit_message_text(
                text, chat_id, board.message_id, reply_markup=keyboard
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                # Deleted by someone, or too old to edit: post a fresh board below.
                logger.info("Board of %s cannot be edited (%s); posting a new one", chat_id, exc)
                await _post(context, chat_id, text, keyboard, digest, refresh_at, explain)
                return
        except TelegramError as exc:
            logger.warning("Could not update the board of %s: %s", chat_id, exc)
            return  # stays dirty: the next tick tries again
        await services.boards.rendered(
            chat_id,
            message_id=board.message_id,
            text_hash=digest,
            pinned=board.pinned,
            refresh_at=refresh_at,
            edited=True,
        )
        return
    await _post(context, chat_id, text, keyboard, digest, refresh_at, explain)


async def _post(
    context: CourtyardContext,
    chat_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup,
    digest: str,
    refresh_at: datetime,
    explain: bool,
) -> None:
    services = context.services
    try:
        message = await context.bot.send_message(
            chat_id, text, reply_markup=keyboard, disable_notification=True
        )
    except TelegramError as exc:
        logger.warning("Could not post the board in %s: %s", chat_id, exc)
        return
    pinned = await _pin(context, chat_id, message.message_id, explain=explain)
    await services.boards.rendered(
        chat_id,
        message_id=message.message_id,
        text_hash=digest,
        pinned=pinned,
        refresh_at=refresh_at,
        edited=True,
    )


async def _pin(context: CourtyardContext, chat_id: int, message_id: int, *, explain: bool) -> bool:
    try:
        await context.bot.pin_chat_message(chat_id, message_id, disable_notification=True)
    except (BadRequest, Forbidden) as exc:
        logger.info("Cannot pin the board in %s: %s", chat_id, exc)
        if explain:
            building = await context.services.buildings.for_chat(chat_id)
            _ = await chat_translator(context, chat_id, building)
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(
                    chat_id,
                    _(
                        "I posted the board of the three lists above, but I may not pin "
                        "messages here. To keep it pinned, make me an administrator with the "
                        "right to pin messages, then send /board on."
                    ),
                    reply_to_message_id=message_id,
                )
        return False
    except TelegramError as exc:
        logger.warning("Could not pin the board in %s: %s", chat_id, exc)
        return False
    return True


async def redraw_due(context: CourtyardContext) -> None:
    """The planner's part: dirty boards left over (a restart) and periodic refreshes."""
    services = context.services
    chats = set(await services.boards.dirty_chats())
    chats |= set(await services.boards.refresh_due(services.clock.now()))
    for chat_id in sorted(chats):
        board = await services.boards.get(chat_id)
        if board is None or _job_queue(context).get_jobs_by_name(_job_name(board.building_id)):
            continue  # a debounced redraw is on its way
        await redraw(context, chat_id)


async def board_command(update: Update, context: CourtyardContext) -> None:
    """`/board on|off` (heads); `/board` alone redraws it and says whether it is on."""
    _ = await translator_for(update, context)
    services = context.services
    building = await building_of_chat(update, context)
    chat = update.effective_chat
    if building is None or chat is None:
        await reply(update, not_linked(_))
        return
    if not await may_manage_building(context, sender_id(update), building):
        await reply(update, refusal(_))
        return
    word = (context.args or [""])[0].lower()
    board, _created = await services.boards.ensure(chat.id, building.id)
    if word in ("off", "关", "关闭"):
        await services.boards.set_enabled(chat.id, False)
        if board.message_id is not None:
            try:
                await context.bot.unpin_chat_message(chat.id, board.message_id)
            except TelegramError as exc:
                logger.info("Could not unpin the board in %s: %s", chat.id, exc)
        await services.boards.forget_message(chat.id)
        await reply(update, _("The board is off in this group. Send /board on to bring it back."))
        return
    if word not in ("", "on", "开", "开启"):
        await reply(update, _("Usage: /board on or /board off (building heads)"))
        return
    await services.boards.set_enabled(chat.id, True)
    # The head may have given the bot the right to pin meanwhile: try again.
    if (
        board.message_id is not None
        and not board.pinned
        and await _pin(context, chat.id, board.message_id, explain=True)
    ):
        await services.boards.set_pinned(chat.id)
    await redraw(context, chat.id, explain=True)
    refreshed = await services.boards.get(chat.id)
    if refreshed is not None and refreshed.pinned:
        await reply(update, _("The board is on and pinned; it follows every change."))


def handlers() -> list[CourtyardHandler]:
    return [CommandHandler("board", board_command)]
