"""Redeeming a role invite from a t.me link, and telling the inviter."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest, Forbidden

from bot.context import CourtyardContext
from bot.domain.community import ALL_CATEGORIES, CommunityRole
from bot.domain.escalation import StaffLevel
from bot.i18n import translator
from handlers.common import escape, preferred_language, reply, translator_for
from handlers.labels import category_names, level_name
from storage.invites import Invite


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
