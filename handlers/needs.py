"""Needs: `/need <text>`, the support button, and heads merging, declining or moving them on
(the card itself: `handlers.need_cards`)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.item_refs import ItemKind, ItemRef, item_number
from bot.domain.lists import NeedStatus
from bot.i18n import Translator
from handlers import board
from handlers.common import (
    answer_quietly,
    building_of_chat,
    edit_quietly,
    escape,
    is_private,
    not_linked,
    refusal,
    reply,
    reply_long,
    sender_id,
    translator_for,
)
from handlers.list_common import may_manage_building, may_view, need_status
from handlers.list_items import history_lines, links_line
from handlers.need_cards import card_text, post_card, refresh_card, refresh_card_soon
from storage.buildings import Building
from storage.needs import Need, Support
from storage.suggestions import Suggestion

NEED_CALLBACK = re.compile(r"^nd:(s|post):(\d+)$")
CHOOSE_CALLBACK = re.compile(r"^nd:b:(\d+)$")
CONVERSATION_NEED = "need"
MAX_NEED_TEXT = 500


def need_usage(_: Translator) -> str:
    return escape(
        _(
            "Usage: /need <what the building needs>, e.g. /need handrails in the stairwell of "
            "unit 2. Heads: /need 12 forward, /need 12 decline <reason>, /need 12 merge 7."
        )
    )


async def need(update: Update, context: CourtyardContext) -> None:
    """`/need <text>` proposes; `/need N [forward|decline|merge] …` shows or manages."""
    _ = await translator_for(update, context)
    args = context.args or []
    number = item_number(args[0], ItemKind.NEED) if args else None
    if number is not None and (len(args) == 1 or args[1].lower() in MANAGE_VERBS):
        await manage(update, context, number, _)
        return
    text = " ".join(args).strip()
    if not text:
        await reply(update, need_usage(_))
        return
    if is_private(update):
        await _propose_privately(update, context, text[:MAX_NEED_TEXT], _)
        return
    building = await building_of_chat(update, context)
    message = update.effective_message
    if building is None or message is None:
        await reply(update, not_linked(_))
        return
    created, _new = await context.services.needs.create(
        building_id=building.id,
        author_id=sender_id(update),
        text=text[:MAX_NEED_TEXT],
        source_key=f"{message.chat_id}:{message.message_id}",
        chat_id=message.chat_id,
        public=True,
    )
    if created.card_message_id is None:
        await post_card(context, created, message.chat_id, message.message_id)


async def _propose_privately(
    update: Update, context: CourtyardContext, text: str, _: Translator
) -> None:
    services = context.services
    user_id = sender_id(update)
    # The buildings the person belongs to by household or role (not every building in the
    # district asked one by one).
    ids = {
        m.building_id
        for m in await services.households.memberships_of(user_id)
        if m.status == "approved"
    }
    ids |= {a.building_id for a in await services.roles.of_person(user_id)}
    buildings = [b for i in sorted(ids) if (b := await services.buildings.get(i)) is not None]
    if not buildings:
        await reply(
            update,
            _("I do not know your building yet: propose the need in its group, or /join first."),
        )
        return
    if len(buildings) > 1:
        await services.conversations.begin(user_id, CONVERSATION_NEED, {"text": text})
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(b.name, callback_data=f"nd:b:{b.id}")] for b in buildings[:20]]
        )
        await reply(update, _("Which building is the need for?"), reply_markup=keyboard)
        return
    await _save_private(update, context, buildings[0], text, _)


async def _save_private(
    update: Update, context: CourtyardContext, building: Building, text: str, _: Translator
) -> None:
    message = update.effective_message
    assert message is not None
    created, _new = await context.services.needs.create(
        building_id=building.id,
        author_id=sender_id(update),
        text=text,
        source_key=f"{message.chat_id}:{message.message_id}",
        chat_id=None,
        public=False,
    )
    await board.touch(context, building.id)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("📣 Show it in the group"), callback_data=f"nd:post:{created.id}"
                )
            ]
        ]
    )
    await reply(
        update,
        _(
            "Saved as need N{number} for {building}. It stays private until you press the "
            "button: then it is shown in the group (without your name) so neighbours can "
            "support it."
        ).format(number=created.id, building=escape(building.name)),
        reply_markup=keyboard,
    )


async def on_choose_building(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = CHOOSE_CALLBACK.match(query.data or "")
    conversation = await context.services.conversations.current(sender_id(update))
    building = await context.services.buildings.get(int(match.group(1))) if match else None
    if (
        building is None
        or conversation is None
        or conversation.kind != CONVERSATION_NEED
        or not await may_view(context, sender_id(update), building)
    ):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    await answer_quietly(query)
    await context.services.conversations.end(sender_id(update))
    await _save_private(update, context, building, str(conversation.payload["text"]), _)


async def on_need_button(update: Update, context: CourtyardContext) -> None:
    """👍 Support (in the group, checked against the need's group) and "show it"."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    match = NEED_CALLBACK.match(query.data or "")
    found = await services.needs.get(int(match.group(2))) if match else None
    if match is None or found is None or query.message is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    user_id = sender_id(update)
    if match.group(1) == "post":
        await _publish(update, context, found, _)
        return
    building = await services.buildings.for_chat(query.message.chat.id)
    if building is None or building.id != found.building_id:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    outcome = await services.needs.support(found.id, user_id)
    texts = {
        Support.ADDED: _("Thank you: you support N{number}."),
        Support.ALREADY: _("You already support N{number}."),
        Support.HOUSEHOLD: _("Your household already supports N{number} (one voice each)."),
        Support.CLOSED: _("N{number} is no longer open for support."),
    }
    await answer_quietly(query, texts[outcome].format(number=found.id), show_alert=True)
    if outcome is Support.ADDED:
        refresh_card_soon(context, found.id)
        await board.touch(context, found.building_id)


async def _publish(update: Update, context: CourtyardContext, found: Need, _: Translator) -> None:
    query = update.callback_query
    assert query is not None
    if sender_id(update) != found.author_id or not is_private(update):
        await answer_quietly(query, _("Only its author can do that."), show_alert=True)
        return
    await answer_quietly(query)
    if found.card_message_id is not None:
        return
    chats = await context.services.buildings.chats_of(found.building_id)
    if not chats:
        await edit_quietly(query, _("The building has no group to show it in yet."))
        return
    await post_card(context, found, chats[0], None)
    await edit_quietly(
        query, _("Need N{number} is now shown in the group.").format(number=found.id)
    )


MANAGE_VERBS = ("forward", "decline", "merge", "推进", "不采纳", "合并")


async def manage(update: Update, context: CourtyardContext, number: int, _: Translator) -> None:
    services = context.services
    found = await services.needs.get(number)
    building = await services.buildings.get(found.building_id) if found else None
    here = await building_of_chat(update, context)
    user_id = sender_id(update)
    visible = (
        found is not None
        and building is not None
        and (here.id == building.id if here else await may_view(context, user_id, building))
    )
    if not visible or found is None or building is None:
        await reply(update, _("There is no need N{number} here.").format(number=number))
        return
    args = context.args or []
    manager = await may_manage_building(context, user_id, building)
    if len(args) == 1:
        reveal = is_private(update) and (manager or user_id == found.author_id)
        lines = [card_text(_, found, reveal=reveal)]
        item = ItemRef(ItemKind.NEED, found.id)
        link = await links_line(context, _, item)
        if link:
            lines.append(link)
        lines += ["", *await history_lines(context, _, building, item)]
        await reply_long(update, lines)
        return
    if not manager:
        await reply(update, refusal(_))
        return
    verb = args[1].lower()
    rest = " ".join(args[2:]).strip()
    into: int | None = None
    if verb in ("forward", "推进"):
        moved = await services.needs.move(
            found.id, NeedStatus.FORWARDED, actor_id=user_id, note=rest[:300]
        )
        done_text = _("N{number} moves forward.")
    elif verb in ("decline", "不采纳"):
        if not rest:
            await reply(update, need_usage(_))
            return
        moved = await services.needs.move(
            found.id, NeedStatus.DECLINED, actor_id=user_id, decline_reason=rest[:300]
        )
        done_text = _("N{number} is declined: {reason}")
    else:
        into = item_number(rest.split()[0], ItemKind.NEED) if rest else None
        if into is None:
            await reply(update, need_usage(_))
            return
        target = await services.needs.get(into)
        moved = (
            await services.needs.merge(found.id, into, actor_id=user_id)
            if target is not None and target.building_id == found.building_id
            else None
        )
        done_text = _("N{number} is merged into N{into}; its supporters now count there.")
        if moved is not None:
            refresh_card_soon(context, into)
    if moved is None:
        await reply(
            update,
            _("N{number} cannot do that now (it is {status}).").format(
                number=found.id, status=need_status(_, found.status)
            ),
        )
        return
    await refresh_card(context, found.id)
    await board.touch(context, found.building_id)
    await reply(
        update,
        done_text.format(number=found.id, reason=escape(rest), into=into),
    )


async def need_from_suggestion(
    context: CourtyardContext, building: Building, suggestion: Suggestion
) -> Need:
    """ "This is a suggestion" under a "track this?" question: the message becomes a need,
    credited to its author, with its card in the group."""
    created, _new = await context.services.needs.create(
        building_id=building.id,
        author_id=suggestion.author_id,
        text=suggestion.text.strip()[:MAX_NEED_TEXT],
        source_key=f"{suggestion.chat_id}:{suggestion.message_id}",
        chat_id=suggestion.chat_id,
        public=True,
    )
    if created.card_message_id is None:
        await post_card(context, created, suggestion.chat_id, suggestion.message_id)
    return created


async def continue_need(update: Update, context: CourtyardContext) -> None:
    """A private text while the bot waits for a building choice: ask again."""
    _ = await translator_for(update, context)
    await reply(update, _("Please choose the building with the buttons above."))


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("need", need),
        CallbackQueryHandler(on_need_button, pattern=NEED_CALLBACK),
        CallbackQueryHandler(on_choose_building, pattern=CHOOSE_CALLBACK),
    ]
