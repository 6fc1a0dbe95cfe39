"""/head, /staff and /roles: building heads and admins manage who does what."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import ChatMember, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.community import (
    ALL_CATEGORIES,
    CATEGORY_KEYS,
    ArgumentError,
    ArgumentProblem,
    CommunityRole,
    Target,
    parse_staff_arguments,
    parse_target,
)
from bot.domain.escalation import StaffLevel
from bot.i18n import Translator, translator
from handlers.common import (
    building_of_chat,
    deep_link,
    escape,
    is_private,
    may_manage,
    not_linked,
    preferred_language,
    refusal,
    reply,
    reply_long,
    sender_id,
    translator_for,
)
from handlers.labels import category_names, level_name
from handlers.replay import settle
from storage.buildings import Building
from storage.invites import Invite
from storage.people import Person


@dataclass(frozen=True)
class ResolvedTarget:
    """A person a command is about: known by id, or only by @username so far."""

    person_id: int | None
    username: str | None
    display: str


async def resolve_target(
    update: Update, context: CourtyardContext, target: Target | None
) -> ResolvedTarget | None:
    """The replied-to user, else the @username / id given (None if none was given)."""
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
        user = replied.from_user
        return ResolvedTarget(user.id, user.username, user.full_name)
    if target is None:
        return None
    people = context.services.people
    if target.user_id is not None:
        person = await people.get(target.user_id)
        name = person.display_name if person is not None else str(target.user_id)
        return ResolvedTarget(target.user_id, person.username if person else None, name)
    assert target.username is not None
    person = await people.find_by_username(target.username)
    if person is not None:
        return ResolvedTarget(person.id, person.username, person.display_name)
    return ResolvedTarget(None, target.username, f"@{target.username}")


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


def _first_target(args: list[str]) -> Target | None:
    return next((t for t in map(parse_target, args) if t is not None), None)


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
    person = await resolve_target(update, context, _first_target(args[1:]))
    if person is None:
        await reply(update, usage)
        return
    actor = sender_id(update)
    if args[0].lower() == "remove":
        removed = await _revoke(context, building, person, CommunityRole.HEAD, actor)
        await reply(
            update,
            (
                _("{person} is no longer a building head of {building}.")
                if removed
                else _("{person} is not a building head of {building}.")
            ).format(person=escape(person.display), building=escape(building.name)),
        )
        return
    await _grant(update, context, building, person, CommunityRole.HEAD, frozenset(), None, _)


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
        person = await resolve_target(update, context, _first_target(args[1:]))
        if person is None:
            await reply(update, usage)
            return
        removed = await _revoke(context, building, person, CommunityRole.STAFF, sender_id(update))
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
        await reply(update, escape(_argument_problem(_, error)) + "\n\n" + usage)
        return
    person = await resolve_target(update, context, parsed.target)
    if person is None:
        await reply(update, usage)
        return
    await _grant(
        update,
        context,
        building,
        person,
        CommunityRole.STAFF,
        parsed.categories,
        parsed.level,
        _,
    )


async def _revoke(
    context: CourtyardContext,
    building: Building,
    person: ResolvedTarget,
    role: CommunityRole,
    actor: int,
) -> bool:
    """Remove the role; handled again after a crash, "removed" stays the answer (not "did
    not have it", which is what the first attempt left)."""
    if person.person_id is None:
        return False
    key = f"{role.value}:{person.person_id}"
    _step, first_time = await settle(context, f"revoke:{key}", True)
    removed = await context.services.roles.revoke(
        building.id, person.person_id, role, actor_id=actor
    )
    # Not there any more on a second attempt: most likely the first one removed it.
    settled, _fresh = await settle(context, f"revoked:{key}", removed or not first_time)
    return bool(settled)


def _argument_problem(_: Translator, error: ArgumentError) -> str:
    if error.problem is ArgumentProblem.UNKNOWN_CATEGORY:
        return _("Unknown category “{value}”.").format(value=error.value)
    if error.problem is ArgumentProblem.NO_CATEGORY:
        return _("Please name at least one category.")
    if error.problem is ArgumentProblem.TWO_LEVELS:
        return _("Please give only one level.")
    return _("Please name only one person.")


async def _grant(
    update: Update,
    context: CourtyardContext,
    building: Building,
    person: ResolvedTarget,
    role: CommunityRole,
    categories: frozenset[str],
    level: StaffLevel | None,
    _: Translator,
) -> None:
    services = context.services
    actor = sender_id(update)
    role_text = _role_text(_, role, categories, level)
    known = await services.people.get(person.person_id) if person.person_id else None
    if person.person_id is not None and known is None:
        # A bare number could be anyone (or no one): only someone in this group will do.
        known = await _member_of_group(update, context, person.person_id)
        if known is None:
            await reply(
                update,
                _(
                    "I do not know anyone with the id {id} in this group. Reply to one of "
                    "their messages with the command, or use their @username."
                ).format(id=person.person_id),
            )
            return
        person = ResolvedTarget(known.id, known.username, known.display_name)
    if person.person_id is not None:
        await services.roles.assign(
            building.id,
            person.person_id,
            role,
            actor_id=actor,
            categories=categories,
            level=level,
        )
        if known is not None and known.started_bot and not known.blocked_bot:
            await reply(
                update,
                _("✅ {person} is now {role} of {building}.").format(
                    person=escape(person.display), role=role_text, building=escape(building.name)
                ),
            )
            return
    # They have not started the bot (or are known only by @username): a one-time link
    # lets them open a private chat, which is the only way a bot may message them.
    token = await services.invites.create(
        role,
        building.id,
        target_person_id=person.person_id,
        target_username=person.username,
        categories=categories,
        level=level,
        created_by=actor,
    )
    link = deep_link(context, token)
    if person.person_id is not None:
        text = _(
            "✅ {person} is now {role} of {building}.\n"
            "{person}, please open this link once so I can send you requests and reminders "
            "privately: {link}"
        )
    else:
        text = _(
            "I have not met {person} yet. {person}, please open this link to become {role} "
            "of {building}: {link}"
        )
    await reply(
        update,
        text.format(
            person=escape(person.display),
            role=role_text,
            building=escape(building.name),
            link=link,
        ),
    )


async def _member_of_group(
    update: Update, context: CourtyardContext, user_id: int
) -> Person | None:
    """The person with this id if Telegram says they are in this group (then remembered)."""
    chat = update.effective_chat
    if chat is None:
        return None
    try:
        member = await context.bot.get_chat_member(chat.id, user_id)
    except (BadRequest, Forbidden):
        return None  # no such user, or not in the chat
    if member.status in (ChatMember.LEFT, ChatMember.BANNED) or member.user.is_bot:
        return None
    if member.status == ChatMember.RESTRICTED and not getattr(member, "is_member", False):
        return None
    user = member.user
    people = context.services.people
    await people.remember(
        user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )
    return await people.get(user.id)


def _role_text(
    _: Translator, role: CommunityRole, categories: frozenset[str], level: StaffLevel | None
) -> str:
    if role is CommunityRole.HEAD:
        return _("a building head")
    return _("staff for {categories} ({level})").format(
        categories=category_names(_, categories),
        level=level_name(_, level or StaffLevel.VOLUNTEER),
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


async def redeem_invite(update: Update, context: CourtyardContext, token: str) -> bool:
    """Handle `/start <token>`: give the invited role; False if the token is not an invite."""
    services = context.services
    invite = await services.invites.get(token)
    if invite is None:
        return False
    _ = await translator_for(update, context)
    user = update.effective_user
    assert user is not None
    if not invite.is_for(user.id, user.username):
        await reply(update, _("Sorry, this invitation is meant for someone else."))
        return True
    if invite.used or invite.expired or not await services.invites.redeem(token, user.id):
        existing = await services.roles.get(invite.building_id, user.id, invite.role)
        if existing is None:
            await reply(
                update,
                _(
                    "This invitation has expired or was already used. Please ask your building "
                    "head for a new one."
                ),
            )
            return True
    else:
        await services.roles.assign(
            invite.building_id,
            user.id,
            invite.role,
            actor_id=invite.created_by,
            categories=invite.categories,
            level=invite.level,
        )
        await _tell_inviter(context, invite, user.full_name, user.username)
    await services.people.mark_started(user.id)
    building = await services.buildings.get(invite.building_id)
    name = escape(building.name) if building else "?"
    if invite.role is CommunityRole.HEAD:
        text = _(
            "✅ You are a building head of {building}. You can approve household registrations, "
            "manage staff with /staff and /roles, start polls with /poll, and you will receive "
            "the weekly report."
        )
    else:
        text = _(
            "✅ You are staff of {building} for {categories} ({level}). I will send you new "
            "requests in these categories here, reminders before deadlines, and a daily digest "
            "of what is open."
        )
    await reply(
        update,
        text.format(
            building=name,
            categories=category_names(_, invite.categories or frozenset({ALL_CATEGORIES})),
            level=level_name(_, invite.level or StaffLevel.VOLUNTEER),
        ),
    )
    return True


async def _tell_inviter(
    context: CourtyardContext, invite: Invite, name: str, username: str | None
) -> None:
    """Whoever handed out the link learns who opened it: privately if they started the bot,
    else in the building's groups (roles are no secret there)."""
    services = context.services
    building = await services.buildings.get(invite.building_id)
    if building is None:
        return
    who = escape(name) + (f" (@{escape(username)})" if username else "")
    inviter = await services.people.get(invite.created_by) if invite.created_by else None
    targets: list[tuple[int, str | None]] = []
    if inviter is not None and inviter.started_bot and not inviter.blocked_bot:
        targets.append((inviter.id, inviter.language or inviter.language_code))
    else:
        for chat_id in await services.buildings.chats_of(building.id):
            chat = await services.chats.get(chat_id)
            targets.append((chat_id, (chat.language if chat else None) or building.language))
    for chat_id, language in targets:
        _ = translator(preferred_language(language, context))
        role = _("a building head") if invite.role is CommunityRole.HEAD else _("staff")
        try:
            await context.bot.send_message(
                chat_id,
                _("✅ {person} opened the invitation and is now {role} of {building}.").format(
                    person=who, role=role, building=escape(building.name)
                ),
            )
        except (BadRequest, Forbidden) as exc:
            if chat_id > 0 and isinstance(exc, Forbidden):
                await services.people.mark_blocked(chat_id)


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("head", head),
        CommandHandler("staff", staff),
        CommandHandler("roles", roles),
    ]
