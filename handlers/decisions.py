"""Carrying out a decision from the minutes: make a project, start a poll, assign or close a
request, decline a need — then the decision is recorded with its owner and due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import CourtyardContext
from bot.domain.item_refs import ItemKind, ItemRef, item_label
from bot.domain.lifecycle import Action, CloseReason, Closure
from bot.domain.list_syntax import (
    DecisionKind,
    DecisionSpec,
    ListSyntaxError,
    ProjectSpec,
    parse_project,
)
from bot.domain.lists import NeedStatus
from bot.domain.poll_errors import PollSyntaxError
from bot.domain.poll_syntax import parse_poll_command
from bot.i18n import Translator
from handlers import board
from handlers.common import escape
from handlers.list_common import (
    name_of,
    person_of,
    person_translator,
    reachable,
    syntax_problem,
    when,
    zone,
)
from handlers.need_cards import refresh_card as refresh_need_card
from handlers.outbox import deliver_outbox
from handlers.poll_schedule import post_poll, schedule_poll
from handlers.poll_view import syntax_error_text
from handlers.project_create import create_project, owner_allowed
from handlers.project_flow import start_project_poll
from handlers.request_actions import outcome_text
from handlers.request_flow import perform, request_roles
from storage.buildings import Building
from storage.decisions import Decision, NewDecision
from storage.meetings import AgendaItem, Meeting
from storage.outbox import OutgoingMessage


@dataclass(frozen=True)
class Carried:
    """What carrying out a decision produced."""

    subject: ItemRef | None
    done: bool  # acting on it finished it (a close, a decline)


class Refused(Exception):
    """The decision cannot be carried out; the message says why (HTML, translated)."""


def _poll_question(spec: DecisionSpec, item: AgendaItem) -> str:
    """`poll Install handrails? --hours 48`, or just `poll --household` on the item."""
    argument = spec.argument
    if argument and not argument.startswith(("--", "—")):
        return argument
    title = item.title.replace("|", "/").replace("--", "-").replace("—", "-")
    return f"{title}? {argument}".strip()


async def carry_out(
    context: CourtyardContext,
    _: Translator,
    meeting: Meeting,
    building: Building,
    item: AgendaItem,
    spec: DecisionSpec,
    *,
    actor_id: int,
    owner_id: int,
    due_at: datetime,
) -> Carried:
    """Act on the decision; raises Refused with the reason. Every action is idempotent
    (keyed by meeting and item), so a replayed /minutes does not act twice."""
    services = context.services
    ref = item.ref
    if spec.kind is DecisionKind.PROJECT:
        if ref is not None and ref.kind is ItemKind.PROJECT:
            raise Refused(_("This item is already project PJ{number}.").format(number=ref.number))
        try:
            parsed = parse_project(
                spec.argument or item.title, now=services.clock.now(), tz=zone(context, building)
            )
        except ListSyntaxError as error:
            raise Refused(syntax_problem(_, error)) from error
        if not await owner_allowed(context, building, owner_id):
            raise Refused(_("A project's owner must be staff or a building head here."))
        source = ref if ref is not None and ref.kind is not ItemKind.MEETING else parsed.source
        spec_project = ProjectSpec(
            title=parsed.title if spec.argument else (None if source else item.title),
            source=source,
            owner=None,
            budget_cents=parsed.budget_cents,
            funding=parsed.funding,
            target_date=due_at.astimezone(zone(context, building)).date(),
        )
        project = await create_project(
            context,
            building,
            spec_project,
            actor_id=actor_id,
            chat_id=meeting.chat_id,
            source_key=f"decision:{meeting.id}:{item.position}",
            owner_id=owner_id,
            reply_to=None,
        )
        if isinstance(project, str):
            raise Refused(_("That need or request is not open in this building."))
        return Carried(ItemRef(ItemKind.PROJECT, project.id), done=False)
    if spec.kind is DecisionKind.POLL:
        return await _poll(context, _, meeting, building, item, spec, actor_id)
    if spec.kind in (DecisionKind.ASSIGN, DecisionKind.CLOSE):
        return await _request(context, _, building, item, spec, actor_id)
    if spec.kind is DecisionKind.DECLINE:
        if ref is None or ref.kind is not ItemKind.NEED:
            raise Refused(_("Only a need on the agenda can be declined."))
        moved = await services.needs.move(
            ref.number, NeedStatus.DECLINED, actor_id=actor_id, decline_reason=spec.argument
        )
        if moved is None:
            raise Refused(_("N{number} is not open any more.").format(number=ref.number))
        await refresh_need_card(context, ref.number)
        return Carried(ref, done=True)
    return Carried(None, done=False)


async def _poll(
    context: CourtyardContext,
    _: Translator,
    meeting: Meeting,
    building: Building,
    item: AgendaItem,
    spec: DecisionSpec,
    actor_id: int,
) -> Carried:
    services = context.services
    ref = item.ref
    if ref is not None and ref.kind is ItemKind.PROJECT:
        project = await services.projects.get(ref.number)
        outcome = (
            await start_project_poll(context, project, spec.argument, actor_id)
            if project is not None
            else None
        )
        if isinstance(outcome, PollSyntaxError):
            raise Refused(syntax_error_text(_, outcome))
        if outcome is None:
            raise Refused(_("PJ{number} cannot be put to a vote now.").format(number=ref.number))
        return Carried(ItemRef(ItemKind.POLL, outcome.id), done=False)
    try:
        poll_spec = parse_poll_command(
            _poll_question(spec, item),
            now=services.clock.now(),
            tz=services.settings.community.timezone,
            default_hours=services.settings.polls.default_hours,
        )
    except PollSyntaxError as error:
        raise Refused(syntax_error_text(_, error)) from error
    poll, created = await services.polls.create(
        poll_spec,
        building_id=building.id,
        chat_id=meeting.chat_id,
        # No command message of its own in the group: a key of the meeting and item.
        source_message_id=-(1_000_000_000 + meeting.id * 100 + item.position),
        creator_id=actor_id,
    )
    if created:
        await schedule_poll(context, poll.id)
    await post_poll(context, poll.id)
    poll_ref = ItemRef(ItemKind.POLL, poll.id)
    if ref is not None:
        await services.list_history.link(ref, poll_ref, actor_id=actor_id)
    return Carried(poll_ref, done=False)


async def _request(
    context: CourtyardContext,
    _: Translator,
    building: Building,
    item: AgendaItem,
    spec: DecisionSpec,
    actor_id: int,
) -> Carried:
    services = context.services
    number = spec.request
    if number is None and item.ref is not None and item.ref.kind is ItemKind.REQUEST:
        number = item.ref.number
    request = await services.requests.get(number) if number is not None else None
    if request is None or request.building_id != building.id:
        raise Refused(_("Which request? Write its number, e.g. #34."))
    roles = await request_roles(context, actor_id, request)
    if spec.kind is DecisionKind.ASSIGN:
        assert spec.assignee is not None
        assignee = await person_of(context, spec.assignee)
        if assignee is None or not await owner_allowed(context, building, assignee):
            raise Refused(_("The assignee must be staff or a building head here."))
        outcome = await perform(
            context, request, Action.ASSIGN, actor_id, roles=roles, assignee_id=assignee
        )
    else:
        outcome = await perform(
            context,
            request,
            Action.CLOSE,
            actor_id,
            roles=roles,
            justification=Closure(CloseReason.OTHER, note=spec.argument[:500]),
        )
    problem = outcome_text(_, outcome)
    if problem is not None:
        raise Refused(problem)
    return Carried(ItemRef(ItemKind.REQUEST, request.id), done=spec.kind is DecisionKind.CLOSE)


def owner_notice(_: Translator, number: int, meeting: int, text: str, due: str) -> str:
    return _(
        "📌 Meeting M{meeting} decided D{number}, and you are responsible: {text}\nDue {due}. "
        "I will remind you; send /decision {number} done when it is done."
    ).format(number=number, meeting=meeting, text=escape(text), due=due)


async def record(
    context: CourtyardContext,
    meeting: Meeting,
    building: Building,
    item: AgendaItem,
    spec: DecisionSpec,
    carried: Carried,
    *,
    actor_id: int,
    owner_id: int,
    due_at: datetime,
) -> Decision:
    """Store the decision (in the item's history too) and tell its owner privately."""
    services = context.services
    decision, _created = await services.decisions.create(
        NewDecision(
            meeting_id=meeting.id,
            item_position=item.position,
            building_id=building.id,
            kind=spec.kind,
            text=spec.text,
            owner_id=owner_id,
            due_at=due_at,
            created_by=actor_id,
            votes=spec.votes,
            item=item.ref,
        ),
    )
    if owner_id != actor_id and await reachable(context, owner_id):
        await services.outbox.add(
            [
                OutgoingMessage(
                    dedup_key=f"decision-owner:{decision.id}",
                    chat_id=owner_id,
                    text=owner_notice(
                        await person_translator(context, owner_id),
                        decision.id,
                        meeting.id,
                        spec.text,
                        when(context, building, due_at),
                    ),
                )
            ]
        )
    if carried.subject is not None:
        await services.decisions.set_subject(decision.id, carried.subject, done=carried.done)
    await board.touch(context, building.id)
    await deliver_outbox(context)
    refreshed = await services.decisions.get(decision.id)
    assert refreshed is not None
    return refreshed


async def decision_line(context: CourtyardContext, _: Translator, decision: Decision) -> str:
    """`✅ D5: poll … → #P2 · owner Wang · due 06-03 · 20:5`."""
    building = await context.services.buildings.get(decision.building_id)
    parts = [f"✅ D{decision.id}: {escape(decision.text)}"]
    if decision.subject is not None and decision.subject.kind is not ItemKind.MEETING:
        parts[0] += f" → {item_label(decision.subject)}"
    parts.append(_("owner {name}").format(name=await name_of(context, decision.owner_id)))
    parts.append(_("due {date}").format(date=when(context, building, decision.due_at)[:10]))
    if decision.votes_for is not None:
        parts.append(
            _("{yes} for, {no} against").format(yes=decision.votes_for, no=decision.votes_against)
        )
    if not decision.is_open:
        parts.append(_("done"))
    return " · ".join(parts)
