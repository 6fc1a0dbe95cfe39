"""The care scan: check-ins that are due, silences that became alerts, alerts that climb.

Three indexed due moments drive it (`care_enrolments.next_checkin_at`, `.missed_at`,
`care_alerts.next_step_at`), so each run reads only what is due; every change is written
together with its messages, which the durable outbox sends. Also: the weekly care counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from telegram.ext import JobQueue

from bot.context import CourtyardContext
from bot.domain.care import AlertKind, check_in_after, escalate, missed_at
from bot.i18n import Translator
from handlers.building_heads import head_ids
from handlers.care_common import (
    alert_keyboard,
    care_rules,
    check_in_keyboard,
    label_of,
    moment_text,
    office_ids,
    reachable_carers,
    seen_keyboard,
)
from handlers.common import escape
from handlers.outbox import deliver_outbox
from handlers.request_cards import person_translator
from storage.buildings import Building
from storage.care import Enrolment
from storage.care_alerts import Alert
from storage.outbox import OutgoingMessage

CARE_SCAN_JOB = "care_scan"
CARE_SCAN_INTERVAL = timedelta(minutes=1)


def schedule_care_scan(queue: JobQueue[Any]) -> None:
    queue.run_repeating(
        run_care_scan, interval=CARE_SCAN_INTERVAL, first=timedelta(seconds=5), name=CARE_SCAN_JOB
    )


async def run_care_scan(context: CourtyardContext) -> None:
    services = context.services
    now = services.clock.now()
    buildings: dict[int, Building | None] = {}

    async def building_of(building_id: int) -> Building | None:
        if building_id not in buildings:
            buildings[building_id] = await services.buildings.get(building_id)
        return buildings[building_id]

    for enrolment in await services.care.due_checkins(now):
        building = await building_of(enrolment.building_id)
        if building is not None:
            await _ask(context, enrolment, building, now)
    for enrolment in await services.care.due_missed(now):
        building = await building_of(enrolment.building_id)
        if building is not None:
            await _missed(context, enrolment, building, now)
    for alert in await services.care_alerts.due(now):
        cared_for = await services.care.get(alert.enrolment_id)
        building = await building_of(cared_for.building_id) if cared_for else None
        if cared_for is not None and building is not None:
            await _climb(context, alert, cared_for, building, now)
    await deliver_outbox(context)


async def _ask(
    context: CourtyardContext, enrolment: Enrolment, building: Building, now: datetime
) -> None:
    """The check-in: to the person, or (not on Telegram) to their first carer to go and see."""
    rules = care_rules(context, building)
    due = enrolment.next_checkin_at
    following = check_in_after(due, now, enrolment.cadence, enrolment.check_time, rules)
    key = f"care:ask:{enrolment.id}:{int(due.timestamp())}"
    messages = []
    if enrolment.person_id is not None:
        _ = await person_translator(context, enrolment.person_id)
        text = _("☀️ Good day, {name}! How are you today? Please tap a button.").format(
            name=escape(enrolment.name)
        )
        markup = check_in_keyboard(_, enrolment).to_dict()
        messages.append(OutgoingMessage(key, enrolment.person_id, text, reply_markup=markup))
    else:
        carers = reachable_carers(enrolment)
        if carers:
            _ = await person_translator(context, carers[0])
            text = _(
                "🤝 Today please see {label} (not on Telegram) and confirm that all is well."
            ).format(label=label_of(enrolment))
            markup = seen_keyboard(_, enrolment).to_dict()
            messages.append(OutgoingMessage(key, carers[0], text, reply_markup=markup))
    await context.services.care.check_in_sent(
        enrolment, following, missed_at(due, enrolment.grace, rules), messages
    )


async def _alert_messages(
    context: CourtyardContext,
    enrolment: Enrolment,
    building: Building,
    kind: AlertKind,
    since: datetime,
    recipients: tuple[int, ...],
    *,
    office: bool,
    step: int,
) -> list[OutgoingMessage]:
    messages = []
    for person_id in recipients:
        _ = await person_translator(context, person_id)
        when = moment_text(_, since, building, context)
        if kind is AlertKind.HELP:
            text = _("🆘 {label} pressed “I need help” at {when}. Please call or go now.")
        else:
            text = _(
                "⚠️ {label} has not checked in since {when}. Please call or visit, then mark "
                "them seen."
            )
        text = text.format(label=label_of(enrolment), when=when)
        if office:
            text += "\n" + _("(Sent to the community office: no carer has answered.)")
        elif step > 0:
            text += "\n" + _("(The carer before you has not answered.)")
        messages.append(
            OutgoingMessage(
                f"care:{kind.value}:{enrolment.id}:{int(since.timestamp())}:{step}:{person_id}",
                person_id,
                text,
                reply_markup=alert_keyboard(_, enrolment, kind).to_dict(),
            )
        )
    return messages


async def open_alert(
    context: CourtyardContext,
    enrolment: Enrolment,
    building: Building,
    kind: AlertKind,
    since: datetime,
    now: datetime,
) -> list[int]:
    """Open an alert and tell its first rung; who was told."""
    services = context.services
    step = escalate(
        kind,
        0,
        reachable_carers(enrolment),
        await office_ids(context, building),
        now,
        care_rules(context, building),
    )
    recipients = step.rung.recipients if step else ()
    messages = await _alert_messages(
        context,
        enrolment,
        building,
        kind,
        since,
        recipients,
        office=bool(step and step.rung.office),
        step=0,
    )
    await services.care_alerts.open_alert(
        enrolment, kind, since, recipients, step.next_at if step else None, messages
    )
    return list(recipients)


async def _missed(
    context: CourtyardContext, enrolment: Enrolment, building: Building, now: datetime
) -> None:
    since = enrolment.awaiting_since or enrolment.missed_at or now
    await open_alert(context, enrolment, building, AlertKind.MISSED, since, now)


async def _climb(
    context: CourtyardContext,
    alert: Alert,
    enrolment: Enrolment,
    building: Building,
    now: datetime,
) -> None:
    """Nobody answered the last rung in time: the next one."""
    services = context.services
    step = escalate(
        alert.kind,
        alert.step,
        reachable_carers(enrolment),
        await office_ids(context, building),
        now,
        care_rules(context, building),
    )
    if step is None:
        await services.care_alerts.stop_escalating(alert.id)
        return
    messages = await _alert_messages(
        context,
        enrolment,
        building,
        alert.kind,
        alert.since,
        step.rung.recipients,
        office=step.rung.office,
        step=step.step,
    )
    await services.care_alerts.escalate(
        alert, building.id, step.rung.recipients, step.next_at, messages, office=step.rung.office
    )


# -- the weekly report ------------------------------------------------------------------------


def weekly_care_text(_: Translator, building: Building, counts: Any) -> str:
    return "\n".join(
        [
            _("🤝 <b>Care check-ins, {building}</b> (last 7 days, no names)").format(
                building=escape(building.name)
            ),
            _("{enrolled} people on the care list · {asked} check-ins asked").format(
                enrolled=counts.enrolled, asked=counts.asked
            ),
            _("👍 {fine} answered “I'm fine” · 👀 {seen} seen by a carer").format(
                fine=counts.fine, seen=counts.seen
            ),
            _(
                "⚠️ {missed} missed check-ins alerted · 🆘 {help} calls for help · ✅ {handled} "
                "handled"
            ).format(missed=counts.missed, help=counts.help, handled=counts.handled),
        ]
    )


async def queue_weekly_care_report(
    context: CourtyardContext, building: Building, start: datetime, end: datetime
) -> None:
    """The care counts of the past week, privately to the building's heads (called by the
    weekly report; keyed by week and head, so a re-run queues nothing twice)."""
    services = context.services
    counts = await services.care_alerts.counts(building.id, start, end)
    if not counts.enrolled and not counts.asked:
        return
    messages = []
    for head in sorted(await head_ids(context, building)):
        person = await services.people.get(head)
        if person is None or not person.started_bot or person.blocked_bot:
            continue
        _ = await person_translator(context, head)
        key = f"weekly-care:{building.id}:{int(end.timestamp())}:{head}"
        messages.append(OutgoingMessage(key, head, weekly_care_text(_, building, counts)))
    await services.outbox.add(messages)
