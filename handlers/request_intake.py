"""Intake in the group: messages that describe problems, /report, /track, and edits."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from functools import lru_cache

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.classifier import Classification, Verdict
from bot.domain.location import extract_location
from bot.domain.similarity import likely_same_problem
from bot.i18n import Translator
from handlers.common import (
    building_of_chat,
    escape,
    is_private,
    not_linked,
    reply,
    sender_id,
    translator_for,
)
from handlers.learning import remember_tracked
from handlers.request_cards import group_translator, refresh_cards
from handlers.request_flow import complete_intake, open_request
from handlers.request_private import start_private_report
from handlers.request_suggestions import (
    SUGGESTION_CALLBACK,
    ask,
    largest_photo,
    may_answer,
    on_suggestion_button,
)
from storage.buildings import Building
from storage.outbox import OutgoingMessage
from storage.requests import NewRequest, Request
from storage.suggestions import SuggestionKind

logger = logging.getLogger(__name__)

REPORT_CAPTION = re.compile(r"^/report(@\w+)?(\s+|$)", re.IGNORECASE)

# A building's open requests are compared with every new report of their category, so the
# place each description names is worked out once, not once per report (a pure function).
_location_of = lru_cache(maxsize=1024)(extract_location)


def _new_request(
    update: Update,
    building: Building,
    message: Message,
    author_id: int,
    text: str,
    result: Classification,
    rules_fallback: str,
) -> NewRequest:
    category = result.category if result.verdict is not Verdict.IGNORE else rules_fallback
    return NewRequest(
        building_id=building.id,
        chat_id=message.chat_id,
        source_message_id=message.message_id,
        reporter_id=author_id,
        category=category,
        urgent=result.urgent,
        location=result.location.label if result.location else None,
        description=text.strip(),
        photo=largest_photo(message),
        intake_update_id=update.update_id,
        category_alternative=result.alternative_category,
    )


def find_duplicate(candidates: list[Request], text: str, result: Classification) -> Request | None:
    """Of recent open requests of the building and category, one that looks like the same
    problem."""
    for candidate in candidates:
        if likely_same_problem(
            result,
            text,
            candidate.category,
            candidate.description,
            _location_of(candidate.description),
        ):
            return candidate
    return None


async def _say_added(context: CourtyardContext, request_id: int, message: Message) -> None:
    """Tell the group a report was added to #N: one message for all such reports while it
    waits for the group's turn (a group may take only 20 messages a minute)."""
    request = await context.services.requests.get(request_id)
    if request is None:
        return
    _ = await group_translator(context, request)
    batch = f"added:{request_id}:{message.chat_id}"
    text = _("Added to #{number} — 👥 {affected} affected.").format(
        number=request_id, affected=request.affected
    )
    await context.services.outbox.add_or_fold(
        batch,
        OutgoingMessage(
            f"{batch}|{message.message_id}",
            message.chat_id,
            text,
            reply_to_message_id=message.message_id,
        ),
    )


async def on_group_message(update: Update, context: CourtyardContext) -> None:
    """Classify every text and caption in a linked group; track what needs action."""
    message = update.effective_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return
    text = message.text or message.caption
    if not text:
        return
    building = await building_of_chat(update, context)
    if building is None:
        return
    if message.caption and REPORT_CAPTION.match(message.caption):
        await report_from(update, context, building, REPORT_CAPTION.sub("", message.caption, 1))
        return
    rules = context.services.settings.classifier
    result = context.services.understanding.classify(text)
    if result.verdict is Verdict.IGNORE:
        if result.suggestion and not result.urgent:
            await ask(update, context, building, SuggestionKind.BORDERLINE, text, None, True)
        return
    services = context.services
    # Both questions in one round trip: the request this message made if it was handled
    # before, else the open requests it may repeat.
    existing, recent = await services.requests.intake_view(
        message.chat_id,
        message.message_id,
        building.id,
        result.category,
        timedelta(hours=services.settings.requests.duplicate_window_hours),
    )
    if existing is not None:
        # Handled before: finish what that attempt left undone (card, routing), nothing more.
        await complete_intake(
            context, existing, reply_to_message_id=message.message_id, building=building
        )
        return
    duplicate = find_duplicate(recent, text, result)
    if duplicate is not None:
        if result.urgent:
            # Nobody should have to press a button while a hazard is being reported twice.
            await services.requests.add_supporter(duplicate.id, message.from_user.id)
            await refresh_cards(context, duplicate.id)
            await _say_added(context, duplicate.id, message)
            return
        await ask(update, context, building, SuggestionKind.DUPLICATE, text, duplicate)
        return
    if result.verdict is Verdict.REQUEST or result.urgent:
        await open_request(
            context,
            _new_request(
                update,
                building,
                message,
                message.from_user.id,
                text,
                result,
                rules.fallback_category,
            ),
            reply_to_message_id=message.message_id,
            building=building,
        )
        return
    await ask(
        update,
        context,
        building,
        SuggestionKind.BORDERLINE,
        text,
        None,
        result.suggestion and not result.urgent,
    )


async def report(update: Update, context: CourtyardContext) -> None:
    """`/report <text>` in a group: track it at once (private chats: see request_private)."""
    if is_private(update):
        await start_private_report(update, context)
        return
    _ = await translator_for(update, context)
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, not_linked(_))
        return
    await report_from(update, context, building, " ".join(context.args or []))


async def report_from(
    update: Update, context: CourtyardContext, building: Building, text: str
) -> None:
    message = update.effective_message
    assert message is not None
    assert message.from_user is not None
    _ = await translator_for(update, context)
    if not text.strip():
        if message.reply_to_message is not None:
            await track(update, context)
            return
        await reply(update, report_usage(_))
        return
    rules = context.services.settings.classifier
    result = context.services.understanding.classify(text)
    await open_request(
        context,
        _new_request(
            update, building, message, message.from_user.id, text, result, rules.fallback_category
        ),
        reply_to_message_id=message.message_id,
    )


def report_usage(_: Translator) -> str:
    return escape(
        _(
            "Usage: /report <what is wrong and where>, e.g. /report the corridor light on "
            "floor 3 is broken. You can also reply to a message with /track."
        )
    )


async def track(update: Update, context: CourtyardContext) -> None:
    """Reply `/track` to a message to turn it into a request credited to its author."""
    _ = await translator_for(update, context)
    message = update.effective_message
    if message is None or is_private(update):
        await reply(update, _("Please use /track in your building's group chat."))
        return
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, not_linked(_))
        return
    target = message.reply_to_message
    text = (target.text or target.caption) if target is not None else None
    if target is None or target.from_user is None or target.from_user.is_bot or not text:
        await reply(update, _("Reply to a resident's message with /track to track it."))
        return
    if not await may_answer(context, sender_id(update), target.from_user.id, building):
        await reply(update, _("Only the author, building heads or staff can track a message."))
        return
    existing = await context.services.requests.find_by_source(target.chat_id, target.message_id)
    if existing is not None:
        # Whoever tracked it, finish what its intake still lacks (a card, routing).
        await complete_intake(context, existing, reply_to_message_id=target.message_id)
        if existing.intake_update_id != update.update_id:
            await reply(
                update,
                _("This message is already tracked as #{number}.").format(number=existing.id),
            )
        return
    rules = context.services.settings.classifier
    result = context.services.understanding.classify(text)
    request = await open_request(
        context,
        _new_request(
            update, building, target, target.from_user.id, text, result, rules.fallback_category
        ),
        reply_to_message_id=target.message_id,
    )
    await remember_tracked(context, request, result, actor_id=sender_id(update))


async def on_edit(update: Update, context: CourtyardContext) -> None:
    """The reporter edited their message: the description follows while the request is new."""
    message = update.edited_message
    if message is None or message.from_user is None:
        return
    text = message.text or message.caption
    request = await context.services.requests.find_by_source(message.chat_id, message.message_id)
    if request is None or not text or request.reporter_id != message.from_user.id:
        return
    if message.caption and REPORT_CAPTION.match(text):
        text = REPORT_CAPTION.sub("", text, 1)
    elif text.startswith("/report"):
        text = text.partition(" ")[2]
    if text.strip() and await context.services.requests.update_description(
        request.id, text.strip()
    ):
        await refresh_cards(context, request.id)


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("report", report),
        CommandHandler("track", track),
        CallbackQueryHandler(on_suggestion_button, pattern=SUGGESTION_CALLBACK),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.ChatType.GROUPS, on_edit),
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.ChatType.GROUPS
            & (filters.TEXT | filters.CAPTION)
            & ~filters.COMMAND,
            on_group_message,
        ),
    ]
