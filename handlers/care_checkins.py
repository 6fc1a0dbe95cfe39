"""The buttons of care messages: "I'm fine" / "I need help" for the person; call, visit,
seen, on my way and handled for carers. Every press is checked against the enrolment."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.care import AlertKind, check_in_after
from bot.i18n import Translator
from handlers.care_common import (
    alert_keyboard,
    care_rules,
    label_of,
    may_look_after,
    moment_text,
    seen_keyboard,
)
from handlers.care_jobs import open_alert
from handlers.common import answer_quietly, edit_quietly, escape, sender_id, translator_for
from handlers.outbox import deliver_outbox
from handlers.request_cards import person_translator
from storage.buildings import Building
from storage.care import Enrolment
from storage.care_alerts import Alert
from storage.outbox import OutgoingMessage

CHECK_CALLBACK = re.compile(r"^ck:(fine|help|seen|call|visit|omw|done):(\d+)$")
_PERSON_ACTIONS = ("fine", "help")


async def _notices(
    context: CourtyardContext,
    alerts: list[Alert],
    skip: int,
    key: str,
    text_for: Callable[[Translator], str],
) -> list[OutgoingMessage]:
    """One message to everyone an alert reached (except `skip`), worded per recipient."""
    people = sorted({p for alert in alerts for p in alert.alerted} - {skip})
    messages = []
    for person_id in people:
        _ = await person_translator(context, person_id)
        messages.append(OutgoingMessage(f"{key}:{person_id}", person_id, text_for(_)))
    return messages


async def _person_name(context: CourtyardContext, person_id: int) -> str:
    person = await context.services.people.get(person_id)
    return escape(person.display_name if person else str(person_id))


async def on_button(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    match = CHECK_CALLBACK.match(query.data or "")
    enrolment = await services.care.get(int(match.group(2))) if match else None
    building = await services.buildings.get(enrolment.building_id) if enrolment else None
    if match is None or enrolment is None or building is None:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    action, user_id = match.group(1), sender_id(update)
    if action in _PERSON_ACTIONS:
        allowed = user_id == enrolment.person_id
    else:
        allowed = await may_look_after(context, user_id, enrolment, building)
    if not allowed:
        await answer_quietly(query, _("This button is not for you."), show_alert=True)
        return
    await answer_quietly(query)
    now = services.clock.now()
    if action in ("fine", "seen"):
        await _seen(update, context, _, enrolment, building, now, by_carer=action == "seen")
    elif action == "help":
        await _help(update, context, _, enrolment, building, now)
    elif action in ("call", "visit", "omw"):
        await _acknowledge(update, context, _, enrolment, action)
    else:
        await _handled(update, context, _, enrolment)
    await deliver_outbox(context)


async def _seen(
    update: Update,
    context: CourtyardContext,
    _: Translator,
    enrolment: Enrolment,
    building: Building,
    now: datetime,
    *,
    by_carer: bool,
) -> None:
    """The person is well: the wait ends, open missed alerts close, everyone alerted hears."""
    services = context.services
    user_id = sender_id(update)
    rules = care_rules(context, building)
    following = check_in_after(now, now, enrolment.cadence, enrolment.check_time, rules)
    alerts = await services.care_alerts.open_of(enrolment.id, AlertKind.MISSED)
    carer = await _person_name(context, user_id)
    label = label_of(enrolment)
    when = moment_text(_, now, building, context)

    messages = await _notices(
        context,
        alerts,
        user_id,
        f"care:ok:{enrolment.id}:{int(now.timestamp())}",
        lambda tr: seen_notice(tr, carer, label, by_carer=by_carer),
    )
    await services.care.seen(
        enrolment,
        kind="seen" if by_carer else "fine",
        actor_id=user_id,
        next_checkin_at=following,
        messages=messages,
    )
    next_text = moment_text(_, following, building, context)
    if by_carer:
        text = _("✅ Thank you: {label} is marked seen ({when}). Next check-in: {next}.").format(
            label=label, when=when, next=next_text
        )
    else:
        text = _("👍 Thank you, {name}! Next check-in: {next}.").format(
            name=escape(enrolment.name), next=next_text
        )
    query = update.callback_query
    assert query is not None
    await edit_quietly(query, text)


async def _help(
    update: Update,
    context: CourtyardContext,
    _: Translator,
    enrolment: Enrolment,
    building: Building,
    now: datetime,
) -> None:
    """Every carer at once, whatever the hour; the person is answering, so the wait ends."""
    services = context.services
    rules = care_rules(context, building)
    following = check_in_after(now, now, enrolment.cadence, enrolment.check_time, rules)
    await services.care.seen(
        enrolment, kind=None, actor_id=sender_id(update), next_checkin_at=following, messages=[]
    )
    told = await open_alert(context, enrolment, building, AlertKind.HELP, now, now)
    names = ", ".join([await _person_name(context, person) for person in told])
    if told:
        text = _("🆘 Help is on the way: I have told {names}. Someone will contact you soon.")
    else:
        text = _("🆘 I could not reach any of your carers. Please call your building head.")
    query = update.callback_query
    assert query is not None
    await edit_quietly(query, text.format(names=names))


async def _acknowledge(
    update: Update,
    context: CourtyardContext,
    _: Translator,
    enrolment: Enrolment,
    action: str,
) -> None:
    """A carer is calling or going: the alert stops climbing (it stays open)."""
    services = context.services
    user_id = sender_id(update)
    kind = AlertKind.HELP if action == "omw" else AlertKind.MISSED
    alerts = await services.care_alerts.open_of(enrolment.id, kind)
    for alert in alerts:
        await services.care_alerts.acknowledge(alert.id, user_id)
    carer = await _person_name(context, user_id)
    label = label_of(enrolment)

    await services.outbox.add(
        await _notices(
            context,
            alerts,
            user_id,
            f"care:ack:{enrolment.id}:{action}",
            lambda tr: acknowledged_notice(tr, carer, label),
        )
    )
    texts = {
        "call": _("📞 Thank you for calling {label}. Mark them seen once you know all is well."),
        "visit": _("🚶 Thank you for visiting {label}. Mark them seen once you know all is well."),
        "omw": _("🚶 Thank you for going to {label}. Mark it handled when it is."),
    }
    keyboard: InlineKeyboardMarkup = (
        alert_keyboard(_, enrolment, AlertKind.HELP)
        if kind is AlertKind.HELP
        else seen_keyboard(_, enrolment)
    )
    query = update.callback_query
    assert query is not None
    await edit_quietly(query, texts[action].format(label=label), keyboard)


async def _handled(
    update: Update, context: CourtyardContext, _: Translator, enrolment: Enrolment
) -> None:
    services = context.services
    user_id = sender_id(update)
    carer = await _person_name(context, user_id)
    label = label_of(enrolment)
    alerts = await services.care_alerts.open_of(enrolment.id, AlertKind.HELP)
    for alert in alerts:
        messages = await _notices(
            context,
            [alert],
            user_id,
            f"care:done:{alert.id}",
            lambda tr: handled_notice(tr, carer, label),
        )
        if enrolment.person_id is not None and enrolment.person_id != user_id:
            text = handled_person_notice(
                await person_translator(context, enrolment.person_id), carer
            )
            key = f"care:done:{alert.id}:person"
            messages.append(OutgoingMessage(key, enrolment.person_id, text))
        await services.care_alerts.handle(alert, enrolment.building_id, user_id, messages)
    query = update.callback_query
    assert query is not None
    text = (
        _("✅ Marked handled. Thank you for looking after {label}.")
        if alerts
        else _("This call for help was already handled.")
    )
    await edit_quietly(query, text.format(label=label))


def seen_notice(_: Translator, carer: str, label: str, *, by_carer: bool) -> str:
    if by_carer:
        return _("✅ {carer} has seen {label}: all is well.").format(carer=carer, label=label)
    return _("✅ {label} checked in: all is well.").format(label=label)


def acknowledged_notice(_: Translator, carer: str, label: str) -> str:
    return _("🚶 {carer} is taking care of {label}.").format(carer=carer, label=label)


def handled_notice(_: Translator, carer: str, label: str) -> str:
    return _("✅ {carer} marked the call for help of {label} handled.").format(
        carer=carer, label=label
    )


def handled_person_notice(_: Translator, carer: str) -> str:
    return _("✅ {carer} has taken care of your call for help.").format(carer=carer)


def handlers() -> list[CourtyardHandler]:
    return [CallbackQueryHandler(on_button, pattern=CHECK_CALLBACK)]
