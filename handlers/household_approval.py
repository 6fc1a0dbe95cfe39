"""Heads approving or rejecting a household registration, asked privately."""

from __future__ import annotations

import contextlib
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden

from bot.context import CourtyardContext
from bot.i18n import Translator, translator
from handlers.building_heads import head_ids
from handlers.common import (
    answer_quietly,
    deep_link,
    edit_quietly,
    escape,
    is_private,
    preferred_language,
    refusal,
    sender_id,
    translator_for,
)
from handlers.replay import settle
from storage.buildings import Building
from storage.households import Membership, MembershipStatus

DECISION_CALLBACK = re.compile(r"^hh:(a|r):(\d+):(\d+)$")


def decision_keyboard(_: Translator, membership: Membership) -> InlineKeyboardMarkup:
    key = f"{membership.household_id}:{membership.person_id}"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("✅ Approve"), callback_data=f"hh:a:{key}"),
                InlineKeyboardButton(_("❌ Reject"), callback_data=f"hh:r:{key}"),
            ]
        ]
    )


async def notify_heads(
    context: CourtyardContext, building: Building, membership: Membership
) -> None:
    """Ask the heads privately; if none can be reached, say so in the group without details."""
    services = context.services
    delivered = False
    for head in sorted(await head_ids(context, building)):
        person = await services.people.get(head)
        if person is None or not person.started_bot or person.blocked_bot:
            continue
        _ = translator(preferred_language(person.language or person.language_code, context))
        try:
            await context.bot.send_message(
                head,
                _("🏠 Household registration in {building}: {person} asks to join {flat}.").format(
                    building=escape(building.name),
                    person=escape(membership.person_name),
                    flat=escape(membership.label),
                ),
                reply_markup=decision_keyboard(_, membership),
            )
            delivered = True
        except Forbidden:
            await services.people.mark_blocked(head)
    if delivered:
        return
    for chat_id in await services.buildings.chats_of(building.id):
        chat = await services.chats.get(chat_id)
        _ = translator(
            preferred_language((chat.language if chat else None) or building.language, context)
        )
        await context.bot.send_message(
            chat_id,
            _(
                "A household registration is waiting for approval. Building heads: please open "
                "a private chat with me and send /households."
            ),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            _("Open private chat"),
                            url=deep_link(context, f"households-{building.id}"),
                        )
                    ]
                ]
            ),
        )


async def decide(update: Update, context: CourtyardContext) -> None:
    """Approve/Reject buttons: the presser must manage the household's building right now."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = DECISION_CALLBACK.match(query.data or "")
    services = context.services
    # Decisions show a name and a flat number: they are only ever made in private.
    if match is None or not is_private(update):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    approve, household_id, person_id = (
        match.group(1) == "a",
        int(match.group(2)),
        int(match.group(3)),
    )
    membership = next(
        (
            m
            for m in await services.households.memberships_of(person_id)
            if m.household_id == household_id
        ),
        None,
    )
    building = await services.buildings.get(membership.building_id) if membership else None
    if membership is None or building is None:
        await answer_quietly(query, _("This request no longer exists."), show_alert=True)
        return
    if not await services.access.may_manage(context.bot, sender_id(update), building):
        await answer_quietly(query, refusal(_), show_alert=True)
        return
    _approve, fresh = await settle(context, f"decide:{household_id}:{person_id}", approve)
    decided = await services.households.decide(
        household_id, person_id, approve=approve, actor_id=sender_id(update)
    )
    if decided is None and not fresh and membership.status is _decided_status(approve):
        decided = membership  # decided by this very press, handled before: finish the work
    if decided is None:
        await answer_quietly(query, _("Somebody already decided this request."), show_alert=True)
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(None)
        return
    await answer_quietly(query)
    verdict = _("approved") if approve else _("rejected")
    await edit_quietly(
        query,
        _("{person} → {flat}, {building}: {verdict}.").format(
            person=escape(decided.person_name),
            flat=escape(decided.label),
            building=escape(building.name),
            verdict=verdict,
        ),
    )
    resident = await services.people.get(person_id)
    if resident is None or not resident.started_bot:
        return
    text = decision_notice(
        translator(preferred_language(resident.language or resident.language_code, context)),
        approve=approve,
    )
    try:
        await context.bot.send_message(
            person_id, text.format(flat=escape(decided.label), building=escape(building.name))
        )
    except Forbidden:
        await services.people.mark_blocked(person_id)


def _decided_status(approve: bool) -> MembershipStatus:
    return MembershipStatus.APPROVED if approve else MembershipStatus.REJECTED


def decision_notice(_: Translator, *, approve: bool) -> str:
    """What the resident is told about their registration (in their own language)."""
    if approve:
        return _("✅ Your registration for {flat}, {building} was approved. Welcome!")
    return _(
        "Your registration for {flat}, {building} was not approved. If this is a mistake, "
        "please talk to your building head."
    )
