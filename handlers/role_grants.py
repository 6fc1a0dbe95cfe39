"""Granting and revoking a building role, and how a role reads in a message."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.error import BadRequest, Forbidden

from bot.context import CourtyardContext
from bot.domain.community import ArgumentError, ArgumentProblem, CommunityRole
from bot.domain.escalation import StaffLevel
from bot.i18n import Translator
from handlers.common import deep_link, escape, reply, sender_id
from handlers.labels import category_names, level_name
from handlers.replay import settle
from handlers.role_targets import ResolvedTarget
from storage.buildings import Building
from storage.people import Person


async def revoke_role(
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


def argument_problem(_: Translator, error: ArgumentError) -> str:
    if error.problem is ArgumentProblem.UNKNOWN_CATEGORY:
        return _("Unknown category “{value}”.").format(value=error.value)
    if error.problem is ArgumentProblem.NO_CATEGORY:
        return _("Please name at least one category.")
    if error.problem is ArgumentProblem.TWO_LEVELS:
        return _("Please give only one level.")
    return _("Please name only one person.")


async def grant_role(
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
