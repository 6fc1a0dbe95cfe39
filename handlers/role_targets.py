"""Who a role command means: the person named by a reply, @username or id."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update

from bot.context import CourtyardContext
from bot.domain.community import Target, parse_target


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


def first_target(args: list[str]) -> Target | None:
    return next((t for t in map(parse_target, args) if t is not None), None)
