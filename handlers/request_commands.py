"""Request commands: /request, /assign, /close, /reject, /reopen, /note, and the texts
that explain an action's outcome."""

from __future__ import annotations

from telegram import Update

from bot.context import CourtyardContext
from bot.domain.community import CommunityRole, parse_target
from bot.domain.lifecycle import (
    Action,
    CloseReason,
    Closure,
    RefusalReason,
    Rejection,
    RejectReason,
    Role,
    TransitionRefused,
)
from bot.domain.numbers import is_digits, parse_id
from bot.i18n import Translator
from handlers.common import (
    building_of_chat,
    escape,
    is_private,
    reply,
    reply_long,
    sender_id,
    translator_for,
)
from handlers.request_cards import (
    card_people,
    render_card,
    status_name,
)
from handlers.request_flow import Outcome, perform, request_roles
from handlers.request_supporters import WORKER_ROLES
from handlers.request_view import private_view
from handlers.roles import resolve_target
from storage.requests import Request


def refusal_text(_: Translator, refused: TransitionRefused) -> str:
    if refused.reason is RefusalReason.FORBIDDEN_FOR_ROLE:
        return _("Sorry, you are not allowed to do that with this request.")
    if refused.reason is RefusalReason.ALREADY_IN_STATE:
        return _("The request is already {status}.").format(status=status_name(_, refused.status))
    if refused.reason is RefusalReason.MISSING_REASON:
        return _("Please give a reason.")
    return _("That is not possible while the request is {status}.").format(
        status=status_name(_, refused.status)
    )


def outcome_text(_: Translator, outcome: Outcome) -> str | None:
    if outcome.refused is not None:
        return refusal_text(_, outcome.refused)
    if outcome.raced:
        return _("Someone else changed this request just now; please look again.")
    return None


async def request_from_args(
    update: Update, context: CourtyardContext, _: Translator, usage: str
) -> Request | None:
    """`N` or `#N` as the first argument, within this group's building."""
    args = context.args or []
    typed = args[0].lstrip("#") if args else ""
    if not is_digits(typed):
        await reply(update, escape(usage))
        return None
    # A number too large for any request is still a number: there is no such request.
    number = parse_id(typed)
    request = await context.services.requests.get(number) if number is not None else None
    building = await building_of_chat(update, context)
    if request is None or (
        not is_private(update) and (building is None or request.building_id != building.id)
    ):
        await reply(
            update,
            _("There is no request #{number} in this building.").format(number=typed[:20]),
        )
        return None
    if is_private(update):
        roles = await request_roles(context, sender_id(update), request)
        if roles == {Role.RESIDENT}:
            await reply(
                update,
                _("There is no request #{number} in this building.").format(number=number),
            )
            return None
    return request


async def show_request(update: Update, context: CourtyardContext) -> None:
    """`/request N`: the card; privately, its history as far as the asker may read it."""
    _ = await translator_for(update, context)
    request = await request_from_args(update, context, _, _("Usage: /request <number>"))
    if request is None:
        return
    people = await card_people(context, request)
    if not is_private(update):
        if request.chat_id is None:
            await reply(
                update,
                _("#{number} was reported privately; ask me about it in a private chat.").format(
                    number=request.id
                ),
            )
            return
        # The history holds staff notes: only in private, to people involved.
        await reply(
            update,
            render_card(_, context, request, people)
            + "\n\n"
            + _("Send /request {number} to me privately for the full history.").format(
                number=request.id
            ),
        )
        return
    roles = await request_roles(context, sender_id(update), request)
    await reply_long(update, await private_view(context, _, request, sender_id(update), roles))


async def assign(update: Update, context: CourtyardContext) -> None:
    """`/assign N @user` (heads and admins)."""
    _ = await translator_for(update, context)
    usage = _(
        "Usage: /assign <number> @username (or reply to their message with /assign <number>)"
    )
    request = await request_from_args(update, context, _, usage)
    if request is None:
        return
    args = context.args or []
    target = next((t for t in map(parse_target, args[1:]) if t is not None), None)
    person = await resolve_target(update, context, target)
    if person is None or person.person_id is None:
        await reply(
            update,
            escape(usage)
            if person is None
            else _(
                "I do not know {person} yet; they need to write in the group or start me first."
            ).format(person=escape(person.display)),
        )
        return
    if request.assignee_id == person.person_id:
        await reply(
            update,
            _("#{number} is assigned to {person}.").format(
                number=request.id, person=escape(person.display)
            ),
        )
        return
    building = await context.services.buildings.get(request.building_id or 0)
    target_roles = await context.services.access.roles_in(context.bot, person.person_id, building)
    if not target_roles & {CommunityRole.STAFF, CommunityRole.HEAD, CommunityRole.ADMIN}:
        await reply(
            update,
            _(
                "{person} is not staff or a building head here; add them with /staff add first."
            ).format(person=escape(person.display)),
        )
        return
    roles = await request_roles(context, sender_id(update), request)
    outcome = await perform(
        context,
        request,
        Action.ASSIGN,
        sender_id(update),
        roles=roles,
        assignee_id=person.person_id,
    )
    problem = outcome_text(_, outcome)
    await reply(
        update,
        problem
        or _("#{number} is assigned to {person}.").format(
            number=request.id, person=escape(person.display)
        ),
    )


async def close(update: Update, context: CourtyardContext) -> None:
    """`/close N <reason>` (heads and admins)."""
    _ = await translator_for(update, context)
    usage = _("Usage: /close <number> <reason>")
    request = await request_from_args(update, context, _, usage)
    if request is None:
        return
    reason = " ".join((context.args or [])[1:]).strip()
    if not reason:
        await reply(update, escape(usage))
        return
    roles = await request_roles(context, sender_id(update), request)
    outcome = await perform(
        context,
        request,
        Action.CLOSE,
        sender_id(update),
        roles=roles,
        justification=Closure(CloseReason.OTHER, note=reason[:500]),
    )
    await reply(
        update, outcome_text(_, outcome) or _("#{number} is closed.").format(number=request.id)
    )


REJECT_WORDS = {
    "duplicate": RejectReason.DUPLICATE,
    "重复": RejectReason.DUPLICATE,
    "responsibility": RejectReason.NOT_OUR_RESPONSIBILITY,
    "notours": RejectReason.NOT_OUR_RESPONSIBILITY,
    "不归我们管": RejectReason.NOT_OUR_RESPONSIBILITY,
    "cannot": RejectReason.CANNOT_FIX,
    "无法解决": RejectReason.CANNOT_FIX,
    "other": RejectReason.OTHER,
    "其他": RejectReason.OTHER,
}


async def reject(update: Update, context: CourtyardContext) -> None:
    """`/reject N duplicate M | responsibility | cannot | other <note>`."""
    _ = await translator_for(update, context)
    usage = _(
        "Usage: /reject <number> duplicate <other number> | responsibility | cannot | other <note>"
    )
    request = await request_from_args(update, context, _, usage)
    if request is None:
        return
    args = (context.args or [])[1:]
    reason = REJECT_WORDS.get(args[0].lower()) if args else None
    if reason is None:
        await reply(update, escape(usage))
        return
    duplicate_of = None
    rest = args[1:]
    if reason is RejectReason.DUPLICATE:
        typed = rest[0].lstrip("#") if rest else ""
        if not is_digits(typed):
            await reply(update, escape(usage))
            return
        duplicate_of = parse_id(typed)
        original = (
            await context.services.requests.get(duplicate_of) if duplicate_of is not None else None
        )
        if (
            original is None
            or original.id == request.id
            or original.building_id != request.building_id
        ):
            await reply(
                update,
                _("There is no request #{number} in this building.").format(number=typed[:20]),
            )
            return
        rest = rest[1:]
    rejection = Rejection(reason, duplicate_of=duplicate_of, note=" ".join(rest)[:500])
    if not rejection.is_complete:
        await reply(update, escape(usage))
        return
    roles = await request_roles(context, sender_id(update), request)
    outcome = await perform(
        context, request, Action.REJECT, sender_id(update), roles=roles, justification=rejection
    )
    await reply(
        update, outcome_text(_, outcome) or _("#{number} was rejected.").format(number=request.id)
    )


async def reopen(update: Update, context: CourtyardContext) -> None:
    """`/reopen N` (heads, admins, or the reporter)."""
    _ = await translator_for(update, context)
    request = await request_from_args(update, context, _, _("Usage: /reopen <number>"))
    if request is None:
        return
    roles = await request_roles(context, sender_id(update), request)
    outcome = await perform(context, request, Action.REOPEN, sender_id(update), roles=roles)
    await reply(
        update, outcome_text(_, outcome) or _("#{number} is reopened.").format(number=request.id)
    )


async def note(update: Update, context: CourtyardContext) -> None:
    """`/note N <text>`: add a note to the history (staff, heads, admins, the reporter)."""
    _ = await translator_for(update, context)
    usage = _("Usage: /note <number> <text>")
    request = await request_from_args(update, context, _, usage)
    if request is None:
        return
    text = " ".join((context.args or [])[1:]).strip()
    if not text:
        await reply(update, escape(usage))
        return
    roles = await request_roles(context, sender_id(update), request)
    # Notes are for the people who work on it (and the reporter's own); "me too" is not one.
    if not roles & {Role.REPORTER, *WORKER_ROLES}:
        await reply(update, _("Sorry, you are not allowed to do that with this request."))
        return
    await context.services.requests.note(request.id, sender_id(update), "note", text[:1000])
    await reply(update, _("Noted on #{number}.").format(number=request.id))
