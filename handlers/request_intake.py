"""Intake in the group: messages that describe problems, /report, /track, and edits."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.classifier import Classification, Verdict
from bot.domain.community import CommunityRole
from bot.domain.location import extract_location
from bot.domain.similarity import likely_same_problem
from bot.i18n import Translator
from handlers.common import (
    answer_quietly,
    building_of_chat,
    edit_quietly,
    escape,
    is_private,
    not_linked,
    reply,
    sender_id,
    translator_for,
)
from handlers.learning import remember_answer, remember_tracked
from handlers.needs import need_from_suggestion
from handlers.replay import settle
from handlers.request_cards import group_translator, refresh_cards, shorten
from handlers.request_flow import complete_intake, open_request
from handlers.request_private import start_private_report
from storage.buildings import Building
from storage.outbox import OutgoingMessage
from storage.requests import NewRequest, Request
from storage.suggestions import Suggestion, SuggestionKind

logger = logging.getLogger(__name__)

SUGGESTION_CALLBACK = re.compile(r"^sg:(track|dismiss|same|new|need):(\d+)$")
REPORT_CAPTION = re.compile(r"^/report(@\w+)?(\s+|$)", re.IGNORECASE)


def largest_photo(message: Message) -> tuple[str, str] | None:
    if not message.photo:
        return None
    photo = message.photo[-1]
    return photo.file_id, photo.file_unique_id


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
            extract_location(candidate.description),
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


async def ask(
    update: Update,
    context: CourtyardContext,
    building: Building,
    kind: SuggestionKind,
    text: str,
    candidate: Request | None,
    proposes: bool = False,
) -> None:
    """Post a quiet question with buttons under the message."""
    message = update.effective_message
    assert message is not None
    assert message.from_user is not None
    suggestion, created = await context.services.suggestions.create(
        kind,
        chat_id=message.chat_id,
        message_id=message.message_id,
        author_id=message.from_user.id,
        building_id=building.id,
        text=text,
        photo=largest_photo(message),
        candidate_request_id=candidate.id if candidate else None,
    )
    if not created and suggestion.prompt_message_id is not None:
        return
    _ = await translator_for(update, context)
    if candidate is not None:
        question = _("Is this the same as #{number} ({description})?").format(
            number=candidate.id, description=escape(shorten(candidate.description, 80))
        )
        buttons = [
            InlineKeyboardButton(_("Yes, me too"), callback_data=f"sg:same:{suggestion.id}"),
            InlineKeyboardButton(_("No, new request"), callback_data=f"sg:new:{suggestion.id}"),
        ]
    else:
        question = _("Track this as a request?")
        buttons = [
            InlineKeyboardButton(_("Track it"), callback_data=f"sg:track:{suggestion.id}"),
            InlineKeyboardButton(_("No, thanks"), callback_data=f"sg:dismiss:{suggestion.id}"),
        ]
    rows = [buttons]
    if proposes:
        # A wish rather than a breakdown: it may go on the needs list instead.
        question = _("Track this as a request, or is it a suggestion for the needs list?")
        rows.insert(
            0,
            [
                InlineKeyboardButton(
                    _("💡 This is a suggestion"), callback_data=f"sg:need:{suggestion.id}"
                )
            ],
        )
    prompt = await message.reply_text(
        question, reply_markup=InlineKeyboardMarkup(rows), disable_notification=True
    )
    await context.services.suggestions.set_prompt(suggestion.id, prompt.message_id)


async def _may_answer(
    context: CourtyardContext, user_id: int, author_id: int, building: Building | None
) -> bool:
    """The author, building heads, admins and staff may answer the bot's question."""
    if user_id == author_id:
        return True
    roles = await context.services.access.roles_in(context.bot, user_id, building)
    return bool(roles & {CommunityRole.HEAD, CommunityRole.ADMIN, CommunityRole.STAFF})


async def on_suggestion_button(update: Update, context: CourtyardContext) -> None:
    """Answer "track this?" / "same as #N?" — permission checked again on the server."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    match = SUGGESTION_CALLBACK.match(query.data or "")
    suggestion = await services.suggestions.get(int(match.group(2))) if match else None
    if match is None or suggestion is None or query.message is None:
        await query.answer(_("This button is out of date."), show_alert=True)
        return
    building = await services.buildings.get(suggestion.building_id)
    if building is None or suggestion.chat_id != query.message.chat.id:
        await query.answer(_("This button is out of date."), show_alert=True)
        return
    if not await _may_answer(context, sender_id(update), suggestion.author_id, building):
        await query.answer(
            _("Only the author, building heads or staff can answer this."), show_alert=True
        )
        return
    # The answer is claimed first (two people pressing at once: one wins); the work after it
    # is idempotent, and handling this press again resumes it instead of stopping here.
    verb, fresh = await settle(context, f"suggestion:{suggestion.id}", match.group(1))
    if not await services.suggestions.resolve(suggestion.id) and fresh:
        await answer_quietly(query, _("Somebody already answered this."))
        return
    await answer_quietly(query)
    candidate = (
        await services.requests.get(suggestion.candidate_request_id)
        if suggestion.candidate_request_id is not None
        else None
    )
    # A privately reported request is never offered in a group; an old question about one
    # is answered as a new request.
    if verb == "same" and candidate is not None and not candidate.is_private:
        await services.requests.add_supporter(candidate.id, suggestion.author_id)
        await refresh_cards(context, candidate.id)
        request = await services.requests.get(candidate.id)
        await edit_quietly(
            query,
            _("Added to #{number} — 👥 {affected} affected.").format(
                number=candidate.id, affected=request.affected if request else "?"
            ),
        )
        return
    if verb == "need":
        await need_from_suggestion(context, building, suggestion)
    elif verb != "dismiss":
        await open_from_suggestion(context, building, suggestion, update.update_id)
    # A suggestion is not a problem report: for the classifier it is "not a request".
    await remember_answer(
        context, suggestion, tracked=verb not in ("dismiss", "need"), actor_id=sender_id(update)
    )
    await _delete(context, suggestion)


async def open_from_suggestion(
    context: CourtyardContext, building: Building, suggestion: Suggestion, update_id: int
) -> Request:
    rules = context.services.settings.classifier
    result = context.services.understanding.classify(suggestion.text)
    return await open_request(
        context,
        NewRequest(
            building_id=building.id,
            chat_id=suggestion.chat_id,
            source_message_id=suggestion.message_id,
            reporter_id=suggestion.author_id,
            category=result.category
            if result.verdict is not Verdict.IGNORE
            else rules.fallback_category,
            urgent=result.urgent,
            location=result.location.label if result.location else None,
            description=suggestion.text.strip(),
            photo=suggestion.photo,
            intake_update_id=update_id,
            category_alternative=result.alternative_category,
        ),
        reply_to_message_id=suggestion.message_id,
    )


async def _delete(context: CourtyardContext, suggestion: Suggestion) -> None:
    if suggestion.prompt_message_id is None:
        return
    try:
        await context.bot.delete_message(suggestion.chat_id, suggestion.prompt_message_id)
    except TelegramError as exc:
        logger.info("Could not delete a suggestion prompt: %s", exc)


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
    if not await _may_answer(context, sender_id(update), target.from_user.id, building):
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
