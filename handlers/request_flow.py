"""What happens to a request: opening it, routing it to staff, and moving it along."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram.error import Forbidden, TelegramError

from bot.context import CourtyardContext
from bot.domain.community import CommunityRole
from bot.domain.escalation import StaffLevel, routing_targets
from bot.domain.lifecycle import (
    Action,
    Closure,
    Rejection,
    Role,
    TransitionRefused,
    transition,
)
from bot.transient import is_transient
from handlers.common import escape
from handlers.replay import settle
from handlers.request_cards import (
    fixed_keyboard,
    person_translator,
    refresh_cards,
    send_staff_card,
    shorten,
)
from handlers.request_cards import (
    roster as roster,  # re-exported: jobs and category changes use it from here
)
from handlers.request_opening import (  # re-exported: intake, jobs and /start use them here
    complete_intake as complete_intake,
)
from handlers.request_opening import deliver_pending as deliver_pending
from handlers.request_opening import open_request as open_request
from handlers.request_opening import route as route
from storage.requests import Request

logger = logging.getLogger(__name__)


async def request_roles(
    context: CourtyardContext, user_id: int, request: Request
) -> frozenset[Role]:
    """What this person is with respect to this request (checked on every action)."""
    services = context.services
    roles = {Role.RESIDENT}
    if user_id == request.reporter_id:
        roles.add(Role.REPORTER)
    elif user_id in await services.requests.supporters(request.id):
        roles.add(Role.SUPPORTER)
    building = await services.buildings.get(request.building_id) if request.building_id else None
    community = await services.access.roles_in(context.bot, user_id, building)
    if CommunityRole.ADMIN in community:
        roles.add(Role.ADMIN)
    if CommunityRole.HEAD in community:
        roles.add(Role.HEAD)
    if CommunityRole.STAFF in community:
        roles.add(Role.STAFF)
        if request.assignee_id == user_id:
            roles.add(Role.STAFF_ASSIGNEE)
        elif request.assignee_id is None and request.building_id is not None:
            serving = routing_targets(
                request.category,
                request.building_id,
                await roster(context, request.building_id),
                StaffLevel(request.level or StaffLevel.VOLUNTEER),
            )
            if any(member.person_id == user_id for member in serving):
                roles.add(Role.STAFF_ASSIGNEE)
    return frozenset(roles)


@dataclass(frozen=True)
class Outcome:
    """The request after an action, or why it was refused."""

    request: Request | None
    refused: TransitionRefused | None = None
    raced: bool = False


async def perform(
    context: CourtyardContext,
    request: Request,
    action: Action,
    actor_id: int | None,
    *,
    roles: frozenset[Role],
    justification: Rejection | Closure | None = None,
    assignee_id: int | None = None,
    note: str = "",
) -> Outcome:
    """Apply a lifecycle action: check it, store it, update cards, tell the people involved.

    Handling the same update again finds the action done (by this actor, last in the
    history) and only finishes what followed it: cards and messages (sent once each)."""
    _action, fresh = await settle(context, f"request:{request.id}:action", action.value)
    if not fresh:
        last = await context.services.requests.last_event(request.id)
        if last is not None and (last.action, last.actor_id) == (action.value, actor_id):
            current = await context.services.requests.get(request.id)
            if current is not None:
                await refresh_cards(context, current.id)
                await _notify(context, current, action, actor_id)
                return Outcome(current)
    try:
        new_status = transition(request.status, action, roles, justification)
    except TransitionRefused as refused:
        return Outcome(None, refused)
    changes: dict[str, object] = {}
    if action in (Action.TAKE, Action.START) and request.assignee_id is None and actor_id:
        changes["assignee_id"] = actor_id
    if action is Action.ASSIGN:
        changes["assignee_id"] = assignee_id
    if action is Action.UNASSIGN:
        changes["assignee_id"] = None
    if action is Action.RESOLVE:
        changes["resolution_note"] = note or None
    if action is Action.REJECT and isinstance(justification, Rejection):
        changes["reject_reason"] = reject_text(justification)
        changes["duplicate_of"] = justification.duplicate_of
    if action in (Action.CONFIRM_FIXED, Action.NOT_FIXED):
        changes["satisfied"] = int(action is Action.CONFIRM_FIXED)
    if isinstance(justification, Closure) and justification.note:
        note = note or justification.note
    updated = await context.services.requests.change_status(
        request.id,
        expected=request.status,
        new_status=new_status,
        action=action.value,
        actor_id=actor_id,
        note=note,
        **changes,
    )
    if updated is None:
        return Outcome(None, raced=True)
    await refresh_cards(context, updated.id)
    await _notify(context, updated, action, actor_id)
    return Outcome(updated)


def reject_text(rejection: Rejection) -> str:
    """Stored reason text (the reason key plus details, shown on the card)."""
    parts = [rejection.reason.value]
    if rejection.duplicate_of is not None:
        parts.append(f"#{rejection.duplicate_of}")
    if rejection.note:
        parts.append(rejection.note)
    return " ".join(parts)


async def _notify(
    context: CourtyardContext, request: Request, action: Action, actor_id: int | None
) -> None:
    if action is Action.RESOLVE:
        await ask_residents_if_fixed(context, request)
    elif (
        action in (Action.NOT_FIXED, Action.REOPEN)
        and request.assignee_id
        and request.assignee_id != actor_id
    ):
        _ = await person_translator(context, request.assignee_id)
        await send_private(
            context,
            request.assignee_id,
            _("👎 The resident says request #{number} is not fixed; it was reopened.").format(
                number=request.id
            ),
        )
    elif action is Action.ASSIGN and request.assignee_id and request.assignee_id != actor_id:
        _ = await person_translator(context, request.assignee_id)
        try:
            message = await send_staff_card(
                context,
                request,
                request.assignee_id,
                intro=_("📌 Request #{number} was assigned to you.").format(number=request.id),
            )
        except TelegramError as exc:
            if is_transient(exc):
                raise
            await context.services.requests.record_delivery(
                request.id, request.assignee_id, None, str(exc)
            )
        else:
            await context.services.requests.record_delivery(
                request.id, request.assignee_id, message.message_id, None
            )


async def ask_residents_if_fixed(context: CourtyardContext, request: Request) -> None:
    """Privately ask the reporter and me-too residents who started the bot."""
    services = context.services
    for person_id in await services.requests.supporters(request.id):
        person = await services.people.get(person_id)
        if person is None or not person.started_bot or person.blocked_bot:
            continue
        _ = await person_translator(context, person_id)
        text = _("✅ Request #{number} was marked resolved: {description}").format(
            number=request.id, description=escape(shorten(request.description, 200))
        )
        if request.resolution_note:
            text += "\n" + _("Note: {note}").format(note=escape(request.resolution_note))
        text += "\n\n" + _("Is it really fixed?")
        await send_private(context, person_id, text, reply_markup=fixed_keyboard(_, request.id))


async def send_private(
    context: CourtyardContext, person_id: int, text: str, **kwargs: object
) -> bool:
    """A private message; a person who blocked the bot is remembered, not retried. A passing
    Telegram error is raised, so the update is handled again and the message still goes
    (the ones already sent are not sent twice)."""
    try:
        await context.bot.send_message(person_id, text, **kwargs)  # type: ignore[arg-type]
    except Forbidden:
        await context.services.people.mark_blocked(person_id)
        return False
    except TelegramError as exc:
        if is_transient(exc):
            raise
        logger.warning("Could not message %s privately: %s", person_id, exc)
        return False
    return True
