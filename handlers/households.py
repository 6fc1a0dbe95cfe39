"""The household roster: /households, /whoami, /leave (joining: `handlers.household_join`;
approvals: `handlers.household_approval`; registering on behalf of someone:
`handlers.household_add`; forgetting: `handlers.forget`)."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.community import CommunityRole
from bot.i18n import Translator

# Re-exported: handlers/reports.py imports both from here.
from handlers.building_heads import head_ids as head_ids
from handlers.building_heads import managed_buildings as managed_buildings
from handlers.common import (
    building_of_chat,
    deep_link,
    escape,
    is_private,
    may_manage,
    not_linked,
    refusal,
    reply,
    reply_long,
    sender_id,
    translator_for,
)
from handlers.household_approval import DECISION_CALLBACK, decide, decision_keyboard
from handlers.household_join import CHOOSE_CALLBACK, choose_building, join
from handlers.labels import category_names
from storage.buildings import Building
from storage.households import Coverage

logger = logging.getLogger(__name__)


HOUSEHOLDS_PAYLOAD = re.compile(r"^households-(\d+)$")


async def households(update: Update, context: CourtyardContext) -> None:
    """Coverage for heads; the flat list only in a private chat."""
    _ = await translator_for(update, context)
    services = context.services
    if not is_private(update):
        building = await building_of_chat(update, context)
        if building is None:
            await reply(update, not_linked(_))
            return
        if not await may_manage(update, context, building):
            await reply(update, refusal(_))
            return
        coverage = await services.households.coverage(building.id, building.total_households)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("Full list (private)"),
                        url=deep_link(context, f"households-{building.id}"),
                    )
                ]
            ]
        )
        await reply(update, coverage_text(_, building, coverage), reply_markup=keyboard)
        return
    managed = await managed_buildings(update, context)
    if not managed:
        await reply(update, refusal(_))
        return
    wanted = " ".join(context.args or []).casefold()
    chosen = [b for b in managed if not wanted or b.name.casefold() == wanted] or managed
    for building in chosen[:5]:
        await send_household_list(update, context, building, _)


def coverage_text(_: Translator, building: Building, coverage: Coverage) -> str:
    if coverage.total:
        share = round(100 * coverage.registered / coverage.total)
        head = _("{name}: {registered} / {total} households registered ({share}%)").format(
            name=escape(building.name),
            registered=coverage.registered,
            total=coverage.total,
            share=share,
        )
    else:
        head = escape(
            _(
                "{name}: {registered} households registered (set the total with "
                "/setup households <number>)"
            ).format(name=building.name, registered=coverage.registered)
        )
    details = _(
        "{offline} registered on behalf of residents not on Telegram · "
        "{pending} waiting for approval"
    ).format(offline=coverage.offline, pending=coverage.pending_requests)
    return f"🏠 {head}\n{details}"


async def send_household_list(
    update: Update, context: CourtyardContext, building: Building, _: Translator
) -> None:
    services = context.services
    coverage = await services.households.coverage(building.id, building.total_households)
    lines = [coverage_text(_, building, coverage), ""]
    for summary in await services.households.summaries(building.id):
        note = []
        if summary.approved_members:
            note.append(_("{count} member(s)").format(count=summary.approved_members))
        if summary.offline_contact:
            note.append(
                _("not on Telegram: {contact}").format(contact=escape(summary.offline_contact))
            )
        if summary.pending_members:
            note.append(_("{count} waiting").format(count=summary.pending_members))
        lines.append(f"• {escape(summary.label)} — {'; '.join(note) or '–'}")
    await reply_long(update, lines)
    for membership in (await services.households.pending(building.id))[:20]:
        await reply(
            update,
            _("Waiting: {person} asks to join {flat}.").format(
                person=escape(membership.person_name), flat=escape(membership.label)
            ),
            reply_markup=decision_keyboard(_, membership),
        )


async def start_households(update: Update, context: CourtyardContext, building_id: int) -> None:
    _ = await translator_for(update, context)
    building = await context.services.buildings.get(building_id)
    if building is None or not await context.services.access.may_manage(
        context.bot, sender_id(update), building
    ):
        await reply(update, refusal(_))
        return
    await send_household_list(update, context, building, _)


async def whoami(update: Update, context: CourtyardContext) -> None:
    """Your roles, and (privately) your household."""
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    lines: list[str] = []
    if services.access.is_admin(user_id):
        lines.append(_("You are a community admin."))
    buildings = {b.id: b for b in await services.buildings.all()}
    if not is_private(update):
        building = await building_of_chat(update, context)
        if building is not None:
            roles = await services.access.roles_in(context.bot, user_id, building)
            if CommunityRole.HEAD in roles:
                lines.append(
                    _("You are a building head of {building}.").format(
                        building=escape(building.name)
                    )
                )
            if CommunityRole.STAFF in roles:
                lines.append(
                    _("You are staff of {building}.").format(building=escape(building.name))
                )
        lines.append(_("Ask me in a private chat to see your household."))
        await reply(update, "\n".join(lines) or _("You are a resident."))
        return
    for assignment in await services.roles.of_person(user_id):
        name = (
            escape(buildings[assignment.building_id].name)
            if assignment.building_id in buildings
            else "?"
        )
        if assignment.role is CommunityRole.HEAD:
            lines.append(_("You are a building head of {building}.").format(building=name))
        else:
            lines.append(
                _("You are staff of {building} for {categories}.").format(
                    building=name, categories=category_names(_, assignment.categories)
                )
            )
    memberships = await services.households.memberships_of(user_id)
    for membership in memberships:
        name = (
            escape(buildings[membership.building_id].name)
            if membership.building_id in buildings
            else "?"
        )
        if membership.status == "approved":
            lines.append(
                _("Your household: {flat}, {building}.").format(
                    flat=escape(membership.label), building=name
                )
            )
        else:
            lines.append(
                _("Your registration for {flat}, {building} is waiting for approval.").format(
                    flat=escape(membership.label), building=name
                )
            )
    if not memberships:
        lines.append(_("You have not registered a household. Send /join with your flat number."))
    await reply(update, "\n".join(lines))


async def leave(update: Update, context: CourtyardContext) -> None:
    """Leave your household (in a group: that building's; privately: all)."""
    _ = await translator_for(update, context)
    services = context.services
    building = await building_of_chat(update, context)
    if not is_private(update) and building is None:
        await reply(update, not_linked(_))
        return
    count = await services.households.leave(sender_id(update), building.id if building else None)
    await reply(
        update,
        _("Done: you are no longer registered in a household.")
        if count
        else _("You are not registered in a household."),
    )


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("join", join),
        CommandHandler("households", households),
        CommandHandler("whoami", whoami),
        CommandHandler("leave", leave),
        CallbackQueryHandler(decide, pattern=DECISION_CALLBACK),
        CallbackQueryHandler(choose_building, pattern=CHOOSE_CALLBACK),
    ]
