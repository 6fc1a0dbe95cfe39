"""`/request N` in private: what each person involved may read about a request.

Staff, building heads and admins read the card with the reporter's name and the whole
history. The reporter reads the card and the history without staff notes, and without the
names of neighbours. Someone who said "me too" reads the card, as the group does.
"""

from __future__ import annotations

from bot.context import CourtyardContext
from bot.domain.lifecycle import RequestStatus, Role
from bot.i18n import Translator
from handlers.common import escape
from handlers.request_cards import card_people, render_card, status_name
from handlers.request_supporters import WORKER_ROLES
from storage.request_history import RequestEvent
from storage.requests import Request

# History lines written by the people working on a request: their names are shown to the
# reporter, as the assignee's name is on the card.
WORK_ACTIONS = frozenset(
    {"take", "assign", "unassign", "start", "resolve", "resolution_note", "reject", "close"}
)


async def private_view(
    context: CourtyardContext,
    _: Translator,
    request: Request,
    viewer_id: int,
    roles: frozenset[Role],
) -> list[str]:
    """The lines `/request N` answers with in a private chat."""
    people = await card_people(context, request)
    works_on_it = bool(roles & WORKER_ROLES)
    lines = [render_card(_, context, request, people, for_staff=works_on_it)]
    if not works_on_it and Role.REPORTER not in roles:
        lines += [
            "",
            _("You said this affects you too: I will ask you when it is resolved."),
        ]
        return lines
    lines += ["", _("<b>History</b>")]
    tz = context.services.settings.community.timezone
    for event in await context.services.requests.history(request.id):
        if not works_on_it and not _reporter_may_read(event, viewer_id):
            continue
        when = event.at.astimezone(tz).strftime("%m-%d %H:%M")
        who = _actor(_, event, viewer_id, named=works_on_it)
        line = f"{when} · {who} · {escape(event.action)}"
        if event.to_status:
            line += f" → {status_name(_, RequestStatus(event.to_status))}"
        if event.note:
            line += f" · {escape(event.note[:200])}"
        lines.append(line)
    return lines


def _reporter_may_read(event: RequestEvent, viewer_id: int) -> bool:
    """Notes are for staff and heads (the reporter's own excepted); what neighbours answered
    is theirs."""
    if event.action == "note" or event.action.startswith("supporter_"):
        return event.actor_id == viewer_id
    return True


def _actor(_: Translator, event: RequestEvent, viewer_id: int, *, named: bool) -> str:
    if event.actor_id is None:
        return _("system")
    if event.actor_id == viewer_id and not named:
        return _("you")
    if named or event.action in WORK_ACTIONS or event.action == "reopen":
        return escape(event.actor_name) if event.actor_name else _("someone")
    return _("a neighbour")
