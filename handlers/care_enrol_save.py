"""Saving an enrolment from the care wizard: rights checked again, carers and the person told."""

from __future__ import annotations

from datetime import time
from typing import Any

from telegram import Update

from bot.context import CourtyardContext
from bot.domain.care import DEFAULT_GRACE, Cadence, CarerRelation, Consent, first_check_in
from bot.i18n import Translator
from handlers.care_common import cadence_name, care_rules, moment_text
from handlers.common import edit_quietly, escape, refusal, sender_id
from handlers.outbox import deliver_outbox
from handlers.request_cards import person_translator
from storage.care import Enrolment, NewEnrolment
from storage.outbox import OutgoingMessage


async def save_enrolment(
    update: Update, context: CourtyardContext, _: Translator, payload: dict[str, Any]
) -> None:
    services = context.services
    user_id = sender_id(update)
    query = update.callback_query
    assert query is not None
    building = await services.buildings.get(int(payload["building_id"]))
    consent = Consent(payload["consent"])
    # Rights are checked again when they count.
    if building is None or (
        consent is Consent.SPOKEN
        and not await services.access.may_manage(context.bot, user_id, building)
    ):
        await edit_quietly(query, refusal(_))
        return
    person_id = payload.get("person_id")
    if person_id is not None and any(
        e.building_id == building.id for e in await services.care.of_person(int(person_id))
    ):
        await services.conversations.end(user_id)
        await edit_quietly(
            query, _("{name} is already on the care list.").format(name=escape(payload["name"]))
        )
        return
    hour, minute = (int(part) for part in payload["time"].split(":"))
    check_time = time(hour, minute)
    rules = care_rules(context, building)
    first = first_check_in(services.clock.now(), check_time, rules)
    enrolment = await services.care.enrol(
        NewEnrolment(
            building_id=building.id,
            person_id=None if person_id is None else int(person_id),
            name=payload["name"],
            flat=payload.get("flat"),
            consent=consent,
            consent_by=user_id,
            consent_note=payload.get("note"),
            cadence=Cadence(payload["cadence"]),
            check_time=check_time,
            grace=DEFAULT_GRACE,
            carers=tuple((int(pid), CarerRelation(rel)) for pid, rel in payload["carers"]),
        ),
        first,
    )
    await services.conversations.end(user_id)
    enroller = await services.people.get(user_id)
    by = escape(enroller.display_name if enroller else str(user_id))
    label = escape(enrolment.label)
    when = payload["time"]
    messages = []
    for carer in enrolment.carers:
        if carer.person_id != user_id:
            carer_text = carer_notice(
                await person_translator(context, carer.person_id), by, enrolment, when
            )
            key = f"care:carer:{enrolment.id}:{carer.person_id}"
            messages.append(OutgoingMessage(key, carer.person_id, carer_text))
    if enrolment.person_id is not None and enrolment.person_id != user_id:
        person_text = person_notice(
            await person_translator(context, enrolment.person_id), by, enrolment, when
        )
        messages.append(
            OutgoingMessage(f"care:person:{enrolment.id}", enrolment.person_id, person_text)
        )
    await services.outbox.add(messages)
    await edit_quietly(
        query,
        _("✅ {label} is on the care list. First check-in: {when}.").format(
            label=label, when=moment_text(_, first, building, context)
        ),
    )
    await deliver_outbox(context)


def carer_notice(_: Translator, by: str, enrolment: Enrolment, when: str) -> str:
    return _(
        "🤝 {by} asked you to look after {label} (check-in {cadence} at {time}). If they do not "
        "answer, I will tell you privately. /care shows everyone you look after."
    ).format(
        by=by, label=escape(enrolment.label), cadence=cadence_name(_, enrolment.cadence), time=when
    )


def person_notice(_: Translator, by: str, enrolment: Enrolment, when: str) -> str:
    return _(
        "🤝 With your consent, {by} put you on the care list: I will ask you {cadence} at "
        "{time} whether all is well. /care shows it and lets you leave."
    ).format(by=by, cadence=cadence_name(_, enrolment.cadence), time=when)
