"""`/project`: create projects from needs or problems, move them along, report progress."""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.item_refs import ItemKind, ItemRef, item_number, parse_item_ref
from bot.domain.list_syntax import ListSyntaxError, parse_project
from bot.domain.lists import ProjectStatus, parse_percent
from bot.domain.poll_errors import PollSyntaxError
from bot.i18n import Translator
from handlers import board
from handlers.common import (
    building_of_chat,
    escape,
    refusal,
    reply,
    reply_long,
    sender_id,
    translator_for,
)
from handlers.list_common import (
    may_manage_building,
    may_view,
    person_of,
    project_status,
    syntax_problem,
    zone,
)
from handlers.list_items import history_lines
from handlers.poll_view import syntax_error_text
from handlers.project_cards import card_text, refresh_card
from handlers.project_create import create_project, owner_allowed
from handlers.project_evaluation import RATE_CALLBACK, on_rate, threshold
from handlers.project_flow import move_project, start_project_poll
from storage.buildings import Building
from storage.projects import Project

PHOTO_CAPTION = re.compile(r"^/project(@\w+)?\s+", re.IGNORECASE)
MOVES = {
    "approve": ProjectStatus.APPROVED,
    "批准": ProjectStatus.APPROVED,
    "start": ProjectStatus.IN_PROGRESS,
    "开工": ProjectStatus.IN_PROGRESS,
    "done": ProjectStatus.DONE,
    "完成": ProjectStatus.DONE,
    "decline": ProjectStatus.DECLINED,
    "不采纳": ProjectStatus.DECLINED,
    "reopen": ProjectStatus.REOPENED,
    "重议": ProjectStatus.REOPENED,
}
# What the owner may do without a head; approving or declining is the building's decision.
OWNER_MOVES = frozenset({ProjectStatus.IN_PROGRESS, ProjectStatus.DONE})
VERBS = (*MOVES, "progress", "进度", "note", "备注", "poll", "投票", "link", "关联", "photo")


def project_usage(_: Translator) -> str:
    return escape(
        _(
            "Usage: /project <title> | @owner | budget 5000 <funding> | 2030-08-01 — the title "
            "may be “need 12” (or “#34” for a recurring problem). Then /project N progress 40 "
            "<note>, /project N approve|start|done|decline <reason>, /project N poll [--hours "
            "48], /project N link #34, a photo captioned /project N photo before|after, and "
            "/project threshold 60."
        )
    )


async def project(update: Update, context: CourtyardContext) -> None:
    _ = await translator_for(update, context)
    args = context.args or []
    if args and args[0].lower() in ("threshold", "满意度"):
        await threshold(update, context, _)
        return
    number = item_number(args[0], ItemKind.PROJECT) if args else None
    if number is not None and (len(args) == 1 or args[1].lower() in VERBS):
        await manage(update, context, number, _)
        return
    await _create(update, context, _)


async def _create(update: Update, context: CourtyardContext, _: Translator) -> None:
    services = context.services
    message = update.effective_message
    text = (message.text or "").partition(" ")[2].strip() if message else ""
    if not text or message is None:
        await reply(update, project_usage(_))
        return
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, _("Please start projects in your building's group chat."))
        return
    user_id = sender_id(update)
    if not await may_manage_building(context, user_id, building):
        await reply(update, refusal(_))
        return
    try:
        spec = parse_project(text, now=services.clock.now(), tz=zone(context, building))
    except ListSyntaxError as error:
        await reply(update, syntax_problem(_, error) + "\n\n" + project_usage(_))
        return
    owner_id = user_id
    if spec.owner is not None:
        found = await person_of(context, spec.owner)
        if found is None or not await owner_allowed(context, building, found):
            await reply(
                update,
                _(
                    "The owner must be staff or a building head here (they need to have "
                    "written in the group or started me)."
                ),
            )
            return
        owner_id = found
    result = await create_project(
        context,
        building,
        spec,
        actor_id=user_id,
        chat_id=message.chat_id,
        source_key=f"{message.chat_id}:{message.message_id}",
        owner_id=owner_id,
        reply_to=message.message_id,
    )
    if isinstance(result, str):
        await reply(update, _("That need or request is not open in this building."))


async def _loaded(
    update: Update, context: CourtyardContext, number: int, _: Translator
) -> tuple[Project, Building] | None:
    services = context.services
    found = await services.projects.get(number)
    building = await services.buildings.get(found.building_id) if found else None
    here = await building_of_chat(update, context)
    if (
        found is None
        or building is None
        or (
            here.id != building.id
            if here
            else not await may_view(context, sender_id(update), building)
        )
    ):
        await reply(update, _("There is no project PJ{number} here.").format(number=number))
        return None
    return found, building


async def manage(update: Update, context: CourtyardContext, number: int, _: Translator) -> None:
    loaded = await _loaded(update, context, number, _)
    if loaded is None:
        return
    found, building = loaded
    args = context.args or []
    if len(args) == 1:
        lines = [await card_text(context, _, found), ""]
        lines += await history_lines(context, _, building, ItemRef(ItemKind.PROJECT, found.id))
        await reply_long(update, lines)
        for phase, file_id in (await context.services.projects.photos(found.id))[-4:]:
            message = update.effective_message
            if message is not None:
                await message.reply_photo(file_id, caption=f"PJ{found.id} · {phase}")
        return
    user_id = sender_id(update)
    manager = await may_manage_building(context, user_id, building)
    owner = user_id == found.owner_id
    verb = args[1].lower()
    rest = " ".join(args[2:]).strip()
    if verb in MOVES:
        target = MOVES[verb]
        if not (manager or (owner and target in OWNER_MOVES)):
            await reply(update, refusal(_))
            return
        if target is ProjectStatus.DECLINED and not rest:
            await reply(update, project_usage(_))
            return
        moved = await move_project(context, found, target, user_id, note=rest[:300])
        if moved is None:
            await reply(
                update,
                _("PJ{number} cannot do that now (it is {status}).").format(
                    number=found.id, status=project_status(_, found.status)
                ),
            )
            return
        await reply(
            update,
            _("PJ{number} is now {status}.").format(
                number=found.id, status=project_status(_, moved.status)
            ),
        )
        return
    if not (manager or owner):
        await reply(update, refusal(_))
        return
    if verb in ("progress", "进度", "note", "备注"):
        await _progress(update, context, found, verb, rest, _)
    elif verb in ("poll", "投票"):
        if not manager:
            await reply(update, refusal(_))
            return
        outcome = await start_project_poll(context, found, rest, user_id)
        if isinstance(outcome, PollSyntaxError):
            await reply(update, syntax_error_text(_, outcome))
        elif outcome is None:
            await reply(
                update,
                _("PJ{number} cannot be put to a vote now (it is {status}).").format(
                    number=found.id, status=project_status(_, found.status)
                ),
            )
    elif verb in ("link", "关联"):
        await _link(update, context, found, rest, _)
    else:
        await on_photo(update, context)


async def _progress(
    update: Update,
    context: CourtyardContext,
    found: Project,
    verb: str,
    rest: str,
    _: Translator,
) -> None:
    percent = None
    note = rest
    if verb in ("progress", "进度"):
        first, _space, note = rest.partition(" ")
        percent = parse_percent(first)
        if percent is None:
            await reply(update, project_usage(_))
            return
    if percent is None and not note:
        await reply(update, project_usage(_))
        return
    updated = await context.services.projects.progress(
        found.id, percent, note.strip()[:500], sender_id(update)
    )
    if updated is None:
        await reply(
            update,
            _("PJ{number} is {status}; progress is reported while it is being worked on.").format(
                number=found.id, status=project_status(_, found.status)
            ),
        )
        return
    await refresh_card(context, found.id)
    await board.touch(context, found.building_id)
    await reply(
        update,
        _("📈 PJ{number}: {percent}% — {note}").format(
            number=found.id, percent=updated.percent, note=escape(note.strip()) or "–"
        ),
    )


async def _link(
    update: Update, context: CourtyardContext, found: Project, rest: str, _: Translator
) -> None:
    """`/project 3 link #34`: the project resolves (or grew from) that request."""
    ref = parse_item_ref(rest.split()[0]) if rest else None
    request = (
        await context.services.requests.get(ref.number)
        if ref is not None and ref.kind is ItemKind.REQUEST
        else None
    )
    if request is None or request.building_id != found.building_id:
        await reply(update, project_usage(_))
        return
    await context.services.list_history.link(
        ItemRef(ItemKind.PROJECT, found.id),
        ItemRef(ItemKind.REQUEST, request.id),
        actor_id=sender_id(update),
    )
    await refresh_card(context, found.id)
    await reply(
        update,
        _("PJ{number} is linked to #{request}.").format(number=found.id, request=request.id),
    )


async def on_photo(update: Update, context: CourtyardContext) -> None:
    """A photo captioned `/project N photo before|after|progress` (or a reply with it)."""
    _ = await translator_for(update, context)
    message = update.effective_message
    if message is None:
        return
    text = message.caption if message.photo else message.text
    words = PHOTO_CAPTION.sub("", text or "", count=1).split()
    number = item_number(words[0], ItemKind.PROJECT) if words else None
    photo_message: Message | None = message if message.photo else message.reply_to_message
    if number is None or photo_message is None or not photo_message.photo:
        await reply(update, project_usage(_))
        return
    loaded = await _loaded(update, context, number, _)
    if loaded is None:
        return
    found, building = loaded
    user_id = sender_id(update)
    if user_id != found.owner_id and not await may_manage_building(context, user_id, building):
        await reply(update, refusal(_))
        return
    phase = words[2].lower() if len(words) > 2 else "progress"
    phase = {"前": "before", "后": "after", "之前": "before", "之后": "after"}.get(phase, phase)
    if phase not in ("before", "after", "progress"):
        await reply(update, project_usage(_))
        return
    largest = photo_message.photo[-1]
    await context.services.projects.add_photo(
        found.id, phase, largest.file_id, largest.file_unique_id, user_id
    )
    await reply(update, _("📷 Photo added to PJ{number}.").format(number=found.id))


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("project", project),
        CallbackQueryHandler(on_rate, pattern=RATE_CALLBACK),
        # Captions are not commands to Telegram: catch them before the request intake does.
        MessageHandler(filters.PHOTO & filters.CaptionRegex(PHOTO_CAPTION), on_photo),
    ]
