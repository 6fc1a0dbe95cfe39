"""Joining a household: /join, the flat a resident names, and the building they pick."""

from __future__ import annotations

import contextlib
import re

from telegram import Update
from telegram.error import BadRequest

from bot.context import CourtyardContext
from bot.domain.flats import parse_flat
from bot.i18n import Translator
from handlers.building_picker import choices_for, may_pick, unknown_building
from handlers.building_picker import keyboard as picker_keyboard
from handlers.common import (
    answer_quietly,
    building_of_chat,
    escape,
    is_private,
    not_linked,
    reply,
    say,
    sender_id,
    translator_for,
)
from handlers.flat_privacy import private_link, take_out_of_group, with_notice
from handlers.household_approval import notify_heads
from handlers.replay import settle
from storage.households import JoinOutcome, MembershipStatus

JOIN_PAYLOAD = re.compile(r"^join-(\d+)$")


CHOOSE_CALLBACK = re.compile(r"^join:(\d+):([0-9A-Z-]{1,12})$")
CONVERSATION_JOIN = "join"


def flat_usage(_: Translator) -> str:
    return _(
        "Please send your flat number as unit-room, for example /join 3-502 or /join 3单元502."
    )


async def join(update: Update, context: CourtyardContext) -> None:
    """Register the sender's flat; in a group, move the conversation to a private chat."""
    _ = await translator_for(update, context)
    services = context.services
    if not is_private(update):
        # A flat number typed here must not stay visible in the group.
        notice = await take_out_of_group(update, _, typed=bool(context.args))
        building = await building_of_chat(update, context)
        if building is None:
            await say(update, context, with_notice(not_linked(_), notice))
            return
        await say(
            update,
            context,
            with_notice(
                _(
                    "{name}, to keep your flat number private, please continue in a private "
                    "chat with me."
                ).format(
                    name=escape(update.effective_user.first_name if update.effective_user else "")
                ),
                notice,
            ),
            reply_markup=private_link(context, _("Register privately"), f"join-{building.id}"),
        )
        return
    if not context.args:
        choices = await choices_for(context, sender_id(update))
        if len(choices) == 1:
            await services.conversations.begin(
                sender_id(update), CONVERSATION_JOIN, {"building_id": choices[0].building.id}
            )
        await reply(update, flat_usage(_))
        return
    await register_flat(update, context, " ".join(context.args), building_id=None)


async def start_join(update: Update, context: CourtyardContext, building_id: int) -> None:
    """`/start join-<building>` from the group's button: ask for the flat number."""
    _ = await translator_for(update, context)
    building = await context.services.buildings.get(building_id)
    if building is None:
        await reply(update, _("This link is out of date."))
        return
    await context.services.conversations.begin(
        sender_id(update), CONVERSATION_JOIN, {"building_id": building.id}
    )
    await reply(
        update,
        _(
            "Registering your household in {building}. Which flat do you live in? Send it as "
            "unit-room, for example 3-502."
        ).format(building=escape(building.name)),
    )


async def register_flat(
    update: Update, context: CourtyardContext, text: str, *, building_id: int | None
) -> None:
    """Parse a flat number and file the join request (private chat only)."""
    _ = await translator_for(update, context)
    services = context.services
    flat = parse_flat(text)
    if flat is None:
        await reply(update, flat_usage(_))
        return
    user_id = sender_id(update)
    if building_id is None:
        conversation = await services.conversations.current(user_id)
        if conversation is not None and conversation.kind == CONVERSATION_JOIN:
            building_id = int(conversation.payload["building_id"])
    if building_id is None:
        # Only the person's own buildings (and those listed for everyone), with their groups.
        choices = await choices_for(context, user_id)
        if not choices:
            await reply(update, unknown_building(_))
            return
        if len(choices) > 1:
            await reply(
                update,
                _("Which building is {flat} in?").format(flat=flat.label),
                reply_markup=picker_keyboard(choices, f"join:{{id}}:{flat.label}"),
            )
            return
        building_id = choices[0].building.id
    building = await services.buildings.get(building_id)
    if building is None:
        await reply(update, _("This link is out of date."))
        return
    # Handling this message again (after a crash or a Telegram error) answers as the first
    # time did, and still asks the heads if that did not happen yet.
    _flat, first_time = await settle(context, "join-flat", flat.label)
    outcome, membership = await services.households.request_join(
        building.id, flat, user_id, auto_approve=building.auto_approve
    )
    if not first_time and membership.label == flat.label:
        # "Already" here most likely means: by the first attempt at this very message.
        outcome = {
            JoinOutcome.ALREADY_PENDING: JoinOutcome.REQUESTED,
            JoinOutcome.ALREADY_MEMBER: JoinOutcome.APPROVED,
        }.get(outcome, outcome)
    settled, _fresh = await settle(context, "join", outcome.value)
    outcome = JoinOutcome(settled)
    messages = {
        JoinOutcome.APPROVED: _("✅ Welcome! You are registered in {flat}, {building}."),
        JoinOutcome.REQUESTED: _(
            "Thank you! Your registration for {flat}, {building} was sent to the building "
            "heads. I will tell you when it is approved."
        ),
        JoinOutcome.ALREADY_MEMBER: _("You are already registered in {flat}, {building}."),
        JoinOutcome.ALREADY_PENDING: _(
            "Your registration for {flat}, {building} is still waiting for approval."
        ),
        JoinOutcome.OTHER_FLAT: _(
            "You are already registered in {flat}, {building}. Send /leave first to move."
        ),
    }
    await reply(
        update,
        messages[outcome].format(flat=escape(membership.label), building=escape(building.name)),
    )
    if membership.status is MembershipStatus.PENDING and not membership.heads_asked:
        await notify_heads(context, building, membership)
        await services.households.mark_heads_asked(membership.household_id, user_id)
    await services.conversations.end(user_id)


async def choose_building(update: Update, context: CourtyardContext) -> None:
    """A resident picked the building for their flat from the buttons."""
    query = update.callback_query
    assert query is not None
    match = CHOOSE_CALLBACK.match(query.data or "")
    if match is None or not is_private(update):
        await answer_quietly(query)
        return
    if not await may_pick(context, sender_id(update), int(match.group(1))):
        _ = await translator_for(update, context)
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    await answer_quietly(query)
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(None)
    await register_flat(update, context, match.group(2), building_id=int(match.group(1)))
