"""An item's history and links, worded: shared by needs, projects, meetings and decisions."""

from __future__ import annotations

from bot.context import CourtyardContext
from bot.domain.item_refs import ItemRef, item_label
from bot.i18n import N_, Translator
from handlers.common import escape
from handlers.list_common import when
from storage.buildings import Building

ACTION_NAMES = {
    "propose": N_("proposed"),
    "support": N_("supported"),
    "forwarded": N_("moved forward"),
    "declined": N_("declined"),
    "merged": N_("merged into"),
    "merged_in": N_("merged in"),
    "adopted": N_("became project"),
    "open": N_("opened"),
    "planned": N_("planned"),
    "voting": N_("put to a vote"),
    "approved": N_("approved"),
    "in_progress": N_("work started"),
    "done": N_("done"),
    "reopened": N_("reopened"),
    "progress": N_("progress"),
    "note": N_("note"),
    "photo": N_("photo"),
    "led_to": N_("led to"),
    "came_from": N_("came from"),
    "on_agenda": N_("on the agenda of"),
    "decision": N_("decision"),
    "decide": N_("decided"),
    "call": N_("meeting called"),
    "cancel": N_("cancelled"),
    "attendance": N_("attendance"),
    "minutes": N_("minutes"),
    "publish": N_("minutes published"),
    "reminder": N_("owner reminded"),
    "overdue": N_("overdue"),
    "escalation": N_("escalated to the community office"),
    "evaluation_accepted": N_("evaluation: residents satisfied"),
    "evaluation_reopened": N_("evaluation: not satisfied, reopened"),
    "evaluation_no_answers": N_("evaluation: no answers"),
    "poll_passed": N_("poll passed"),
    "poll_failed": N_("poll not passed"),
    "poll_cancelled": N_("poll cancelled"),
    "poll_closed": N_("poll closed"),
}
MAX_HISTORY_LINES = 30


def action_name(_: Translator, action: str) -> str:
    return _(ACTION_NAMES[action]) if action in ACTION_NAMES else action


async def history_lines(
    context: CourtyardContext, _: Translator, building: Building | None, item: ItemRef
) -> list[str]:
    """`05-20 19:00 · Wang · supported`, oldest first, the latest ones only."""
    events = await context.services.list_history.history(
        item.kind, item.number, limit=MAX_HISTORY_LINES
    )
    lines = [_("<b>History</b>")]
    for event in events:
        who = escape(event.actor_name) if event.actor_name else _("system")
        line = f"{when(context, building, event.at)[5:]} · {who} · {action_name(_, event.action)}"
        if event.note:
            line += f" · {escape(event.note[:200])}"
        lines.append(line)
    return lines


async def links_line(context: CourtyardContext, _: Translator, item: ItemRef) -> str | None:
    """ "Came from N12 · led to #P3, PJ2" — None when the item stands alone."""
    sources, results = await context.services.list_history.links(item)
    parts = []
    if sources:
        parts.append(
            _("came from {items}").format(items=", ".join(item_label(r) for r in sources))
        )
    if results:
        parts.append(_("led to {items}").format(items=", ".join(item_label(r) for r in results)))
    return "🔗 " + " · ".join(parts) if parts else None
