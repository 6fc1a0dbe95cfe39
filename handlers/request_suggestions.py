"""The bot's quiet questions under group messages ("track this?", "same as #N?") and their
answers."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.context import CourtyardContext
from bot.domain.classifier import Verdict
from bot.domain.community import CommunityRole
from handlers.common import answer_quietly, edit_quietly, escape, sender_id, translator_for
from handlers.learning import remember_answer
from handlers.needs import need_from_suggestion
from handlers.replay import settle
from handlers.request_cards import refresh_cards, shorten
from handlers.request_flow import open_request
from storage.buildings import Building
from storage.requests import NewRequest, Request
from storage.suggestions import Suggestion, SuggestionKind

logger = logging.getLogger(__name__)

SUGGESTION_CALLBACK = re.compile(r"^sg:(track|dismiss|same|new|need):(\d+)$")


def largest_photo(message: Message) -> tuple[str, str] | None:
    if not message.photo:
        return None
    photo = message.photo[-1]
    return photo.file_id, photo.file_unique_id


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


async def may_answer(
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
    if not await may_answer(context, sender_id(update), suggestion.author_id, building):
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
    await _delete_prompt(context, suggestion)


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


async def _delete_prompt(context: CourtyardContext, suggestion: Suggestion) -> None:
    if suggestion.prompt_message_id is None:
        return
    try:
        await context.bot.delete_message(suggestion.chat_id, suggestion.prompt_message_id)
    except TelegramError as exc:
        logger.info("Could not delete a suggestion prompt: %s", exc)
