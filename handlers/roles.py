"""/head, /staff and /roles: building heads and admins manage who does what (grants:
`handlers.role_grants`; invites: `handlers.role_invites`)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.community import CATEGORY_KEYS, ArgumentError, CommunityRole, parse_staff_arguments
from bot.domain.escalation import StaffLevel
from bot.i18n import Translator
from handlers.common import (
    building_of_chat,
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
from handlers.labels import category_names, level_name
from handlers.role_grants import argument_problem, grant_role, revoke_role
from handlers.role_targets import first_target

# Re-exported: handlers/request_actions.py imports it from here.
from handlers.role_targets import resolve_target as resolve_target
from storage.buildings import Building


async def _managed_building(
    update: Update, context: CourtyardContext, _: Translator
) -> Building | None:
    """The group's building, if the sender may manage it (answers the refusal otherwise)."""
    if is_private(update):
        await reply(update, _("Please use this command in your building's group chat."))
        return None
    building = await building_of_chat(update, context)
    if building is None:
        await reply(update, not_linked(_))
        return None
    if not await may_manage(update, context, building):
        await reply(update, refusal(_))
        return None
    return building


async def head(update: Update, context: CourtyardContext) -> None:
    """`/head add|remove` (reply, @username or id): appoint or remove a building head."""
    _ = await translator_for(update, context)
    building = await _managed_building(update, context, _)
    if building is None:
        return
    args = context.args or []
    usage = _("Usage: reply to someone with /head add or /head remove, or /head add @username")
    if not args or args[0].lower() not in ("add", "remove"):
        await reply(update, usage)
        return
    person = await resolve_target(update, context, first_target(args[1:]))
    if person is None:
        await reply(update, usage)
        return
    actor = sender_id(update)
    if args[0].lower() == "remove":
        removed = await revoke_role(context, building, person, CommunityRole.HEAD, actor)
        await reply(
            update,
            (
                _("{person} is no longer a building head of {building}.")
                if removed
                else _("{person} is not a building head of {building}.")
            ).format(person=escape(person.display), building=escape(building.name)),
        )
        return
    await grant_role(update, context, building, person, CommunityRole.HEAD, frozenset(), None, _)


async def staff(update: Update, context: CourtyardContext) -> None:
    """`/staff add <categories> [level]` or `/staff remove` (reply, @username or id)."""
    _ = await translator_for(update, context)
    building = await _managed_building(update, context, _)
    if building is None:
        return
    args = context.args or []
    usage = escape(
        _(
            "Usage: /staff add <categories> [level 1-3] @username (or reply to their message), "
            "/staff remove @username\n"
            "Categories: {categories}\n"
            "Levels: 1 volunteer / repair team, 2 property manager, 3 community office"
        ).format(categories=", ".join(CATEGORY_KEYS))
    )
    if not args or args[0].lower() not in ("add", "remove"):
        await reply(update, usage)
        return
    if args[0].lower() == "remove":
        person = await resolve_target(update, context, first_target(args[1:]))
        if person is None:
            await reply(update, usage)
            return
        removed = await revoke_role(
            context, building, person, CommunityRole.STAFF, sender_id(update)
        )
        await reply(
            update,
            (
                _("{person} is no longer staff of {building}.")
                if removed
                else _("{person} is not staff of {building}.")
            ).format(person=escape(person.display), building=escape(building.name)),
        )
        return
    try:
        parsed = parse_staff_arguments(args[1:], CATEGORY_KEYS)
    except ArgumentError as error:
        await reply(update, escape(argument_problem(_, error)) + "\n\n" + usage)
        return
    person = await resolve_target(update, context, parsed.target)
    if person is None:
        await reply(update, usage)
        return
    await grant_role(
        update,
        context,
        building,
        person,
        CommunityRole.STAFF,
        parsed.categories,
        parsed.level,
        _,
    )


async def roles(update: Update, context: CourtyardContext) -> None:
    """List heads, staff and pending invitations, marking who has not started the bot."""
    _ = await translator_for(update, context)
    building = await _managed_building(update, context, _)
    if building is None:
        return
    services = context.services
    assignments = await services.roles.in_building(building.id)
    lines = [_("<b>Roles in {building}</b>").format(building=escape(building.name))]
    heads = [a for a in assignments if a.role is CommunityRole.HEAD]
    staff_members = sorted(
        (a for a in assignments if a.role is CommunityRole.STAFF),
        key=lambda a: (a.level or 0, a.person_name),
    )
    not_started = _("⚠️ has not started the bot")
    lines.append(_("Building heads:"))
    for assignment in heads:
        marker = "" if assignment.started_bot else f" — {not_started}"
        lines.append(f"• {escape(assignment.person_name)}{marker}")
    if (
        building.chat_admins_are_heads
        if building.chat_admins_are_heads is not None
        else services.settings.community.chat_admins_are_heads
    ):
        lines.append(_("• and the group's administrators"))
    lines.append(_("Staff:"))
    if not staff_members:
        lines.append(_("• nobody yet — add staff with /staff add"))
    for assignment in staff_members:
        marker = "" if assignment.started_bot else f" — {not_started}"
        lines.append(
            f"• {escape(assignment.person_name)}: "
            f"{category_names(_, assignment.categories)} "
            f"({level_name(_, assignment.level or StaffLevel.VOLUNTEER)}){marker}"
        )
    invites = await services.invites.pending_for_building(building.id)
    if invites:
        lines.append(_("Invitations not yet opened:"))
        for invite in invites:
            who = (
                f"@{invite.target_username}"
                if invite.target_username
                else str(invite.target_person_id)
            )
            lines.append(f"• {escape(who)}")
    await reply_long(update, lines)


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("head", head),
        CommandHandler("staff", staff),
        CommandHandler("roles", roles),
    ]
