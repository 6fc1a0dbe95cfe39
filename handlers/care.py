"""/care: your own enrolment (see it, change it, leave), the people you look after ("seen
today"), and for community admins a building's care list. Private chats only."""

from __future__ import annotations

import re
from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.care import AlertKind, Cadence, check_in_after
from bot.i18n import Translator
from handlers import care_checkins, care_enrol
from handlers.care_common import (
    CHECK_TIMES,
    cadence_name,
    care_rules,
    label_of,
    may_see,
    moment_text,
    relation_name,
)
from handlers.common import (
    answer_quietly,
    edit_quietly,
    escape,
    is_private,
    reply,
    sender_id,
    translator_for,
)
from handlers.outbox import deliver_outbox
from handlers.request_cards import person_translator
from storage.care import Enrolment
from storage.outbox import OutgoingMessage

CARE_CALLBACK = re.compile(r"^ce:(new|list|view|cad|setc|time|sett|rm|rmok|adm):(\w+)(?::(\d+))?$")
PAGE_SIZE = 8


async def care_command(update: Update, context: CourtyardContext) -> None:
    _ = await translator_for(update, context)
    if not is_private(update):
        # Nothing about the care list, not even whether someone is on it, in a group.
        await reply(update, _("Please send /care in a private chat with me."))
        return
    text, keyboard = await _overview(context, _, sender_id(update))
    await reply(update, text, reply_markup=keyboard)


async def _overview(
    context: CourtyardContext, _: Translator, user_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    services = context.services
    lines = [_("🤝 <b>Care check-ins</b>")]
    rows: list[list[InlineKeyboardButton]] = []
    mine = await services.care.of_person(user_id)
    for enrolment in mine:
        lines.append(
            _("You are on the care list: I ask {cadence} at {time} whether all is well.").format(
                cadence=cadence_name(_, enrolment.cadence),
                time=enrolment.check_time.strftime("%H:%M"),
            )
        )
        lines.append(_("Your carers: {carers}").format(carers=_carer_names(_, enrolment)))
        rows.append(
            [InlineKeyboardButton(_("⚙️ Change or leave"), callback_data=f"ce:view:{enrolment.id}")]
        )
        rows.append(
            [InlineKeyboardButton(_("I need help 🆘"), callback_data=f"ck:help:{enrolment.id}")]
        )
    if not mine:
        lines.append(
            _(
                "You are not on the care list. If you join, I ask you at a time you choose "
                "whether all "
                "is well, and tell the people who look after you if you do not answer."
            )
        )
        rows.append(
            [InlineKeyboardButton(_("✅ Put me on the care list"), callback_data="ce:new:self")]
        )
    count = await services.care.count_cared_by(user_id)
    if count:
        lines.append(_("👀 You look after {count} people.").format(count=count))
        rows.append([InlineKeyboardButton(_("👀 People I look after"), callback_data="ce:list:0")])
    rows.append([InlineKeyboardButton(_("➕ Enrol someone else"), callback_data="ce:new:other")])
    if services.access.is_admin(user_id):
        for building in (await services.buildings.all())[:5]:
            rows.append(
                [
                    InlineKeyboardButton(
                        _("📋 Care list: {building}").format(building=building.name),
                        callback_data=f"ce:adm:{building.id}:0",
                    )
                ]
            )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _carer_names(_: Translator, enrolment: Enrolment) -> str:
    return ", ".join(
        f"{escape(c.name)} ({relation_name(_, c.relation)})" for c in enrolment.carers
    ) or _("none yet")


async def _status_line(context: CourtyardContext, _: Translator, enrolment: Enrolment) -> str:
    building = await context.services.buildings.get(enrolment.building_id)
    when = enrolment.check_time.strftime("%H:%M")
    line = f"<b>{label_of(enrolment)}</b> · {cadence_name(_, enrolment.cadence)} {when}"
    if enrolment.last_seen_at is not None:
        line += " · " + _("last seen {when}").format(
            when=moment_text(_, enrolment.last_seen_at, building, context)
        )
    if enrolment.awaiting_since is not None:
        line += " · ⚠️ " + _("no answer since {when}").format(
            when=moment_text(_, enrolment.awaiting_since, building, context)
        )
    if await context.services.care_alerts.open_of(enrolment.id, AlertKind.HELP):
        line += " · 🆘 " + _("call for help open")
    return line


async def _listing(
    context: CourtyardContext,
    _: Translator,
    enrolments: list[Enrolment],
    title: str,
    callback: str,
    offset: int,
    total: int,
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [title]
    rows = []
    for enrolment in enrolments:
        lines.append(await _status_line(context, _, enrolment))
        rows.append(
            [
                InlineKeyboardButton(
                    _("✅ Seen: {name}").format(name=enrolment.name[:20]),
                    callback_data=f"ck:seen:{enrolment.id}",
                ),
                InlineKeyboardButton("⚙️", callback_data=f"ce:view:{enrolment.id}"),
            ]
        )
    paging = []
    if offset > 0:
        paging.append(
            InlineKeyboardButton(
                _("◀️ Previous"), callback_data=f"{callback}:{max(offset - PAGE_SIZE, 0)}"
            )
        )
    if offset + PAGE_SIZE < total:
        paging.append(
            InlineKeyboardButton(_("Next ▶️"), callback_data=f"{callback}:{offset + PAGE_SIZE}")
        )
    if paging:
        rows.append(paging)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _detail(_: Translator, enrolment: Enrolment, user_id: int) -> tuple[str, InlineKeyboardMarkup]:
    consent = {
        "self": _("their own"),
        "family": _("a family member's"),
        "spoken": _("spoken, recorded by a building head"),
    }[enrolment.consent.value]
    lines = [
        f"🤝 <b>{label_of(enrolment)}</b>",
        _("Check-in {cadence} at {time}").format(
            cadence=cadence_name(_, enrolment.cadence), time=enrolment.check_time.strftime("%H:%M")
        ),
        _("Carers, in order: {carers}").format(carers=_carer_names(_, enrolment)),
        _("Consent: {consent}").format(consent=consent)
        + (f" — {escape(enrolment.consent_note)}" if enrolment.consent_note else ""),
    ]
    rows = []
    if enrolment.is_carer(user_id):
        rows.append(
            [
                InlineKeyboardButton(
                    _("✅ Seen today, all well"), callback_data=f"ck:seen:{enrolment.id}"
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(_("🔁 How often"), callback_data=f"ce:cad:{enrolment.id}"),
            InlineKeyboardButton(_("⏰ Time"), callback_data=f"ce:time:{enrolment.id}"),
        ]
    )
    leave = (
        _("🗑 Leave the care list")
        if enrolment.person_id == user_id
        else _("🗑 Remove from the care list")
    )
    rows.append([InlineKeyboardButton(leave, callback_data=f"ce:rm:{enrolment.id}")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def on_button(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    match = CARE_CALLBACK.match(query.data or "")
    if match is None or not is_private(update):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    action, target, extra = match.groups()
    if action == "new":
        await answer_quietly(query)
        await care_enrol.start(update, context, "self" if target == "self" else "other")
        return
    if action == "list":
        offset = int(target) if target.isdigit() else 0
        total = await services.care.count_cared_by(user_id)
        people = await services.care.cared_by(user_id, limit=PAGE_SIZE, offset=offset)
        text, keyboard = await _listing(
            context, _, people, _("👀 <b>People you look after</b>"), "ce:list", offset, total
        )
        await answer_quietly(query)
        await edit_quietly(query, text, keyboard)
        return
    if action == "adm":
        building = await services.buildings.get(int(target)) if target.isdigit() else None
        if building is None or not services.access.is_admin(user_id):
            await answer_quietly(query, _("This button is not for you."), show_alert=True)
            return
        offset = int(extra or 0)
        everyone = await services.care.in_building(building.id, limit=PAGE_SIZE, offset=offset)
        total = await services.care.count_in_building(building.id)
        text, keyboard = await _listing(
            context,
            _,
            everyone,
            _("📋 <b>Care list: {building}</b>").format(building=escape(building.name)),
            f"ce:adm:{building.id}",
            offset,
            total,
        )
        await answer_quietly(query)
        await edit_quietly(query, text, keyboard)
        return
    enrolment = await services.care.get(int(target)) if target.isdigit() else None
    if enrolment is None or not may_see(context, user_id, enrolment):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    await answer_quietly(query)
    await _manage(update, context, _, enrolment, action, extra)


async def _manage(
    update: Update,
    context: CourtyardContext,
    _: Translator,
    enrolment: Enrolment,
    action: str,
    extra: str | None,
) -> None:
    services = context.services
    user_id = sender_id(update)
    query = update.callback_query
    assert query is not None
    if action == "cad":
        rows = [
            [
                InlineKeyboardButton(
                    cadence_name(_, c), callback_data=f"ce:setc:{enrolment.id}:{int(c)}"
                )
            ]
            for c in Cadence
        ]
        await edit_quietly(query, _("How often?"), InlineKeyboardMarkup(rows))
        return
    if action == "time":
        rows = [
            [
                InlineKeyboardButton(
                    t.strftime("%H:%M"),
                    callback_data=f"ce:sett:{enrolment.id}:{t.strftime('%H%M')}",
                )
                for t in CHECK_TIMES
            ]
        ]
        await edit_quietly(query, _("At what time?"), InlineKeyboardMarkup(rows))
        return
    if action in ("setc", "sett") and extra:
        cadence, check_time = enrolment.cadence, enrolment.check_time
        if action == "setc" and int(extra) in {int(c) for c in Cadence}:
            cadence = Cadence(int(extra))
        elif action == "sett" and len(extra) == 4 and int(extra[:2]) < 24 and int(extra[2:]) < 60:
            check_time = time(int(extra[:2]), int(extra[2:]))
        building = await services.buildings.get(enrolment.building_id)
        assert building is not None
        now = services.clock.now()
        following = check_in_after(
            enrolment.last_seen_at or now, now, cadence, check_time, care_rules(context, building)
        )
        await services.care.change_schedule(enrolment.id, cadence, check_time, following)
        enrolment = await services.care.get(enrolment.id) or enrolment
    if action == "rm":
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("Yes, remove"), callback_data=f"ce:rmok:{enrolment.id}")]]
        )
        await edit_quietly(
            query,
            _(
                "Remove {label} from the care list? This deletes the enrolment, its carers and "
                "its alerts."
            ).format(label=label_of(enrolment)),
            keyboard,
        )
        return
    if action == "rmok":
        await _remove(context, enrolment, user_id)
        await edit_quietly(
            query,
            _("Done: {label} is no longer on the care list.").format(label=label_of(enrolment)),
        )
        return
    text, keyboard = _detail(_, enrolment, user_id)
    await edit_quietly(query, text, keyboard)


async def _remove(context: CourtyardContext, enrolment: Enrolment, user_id: int) -> None:
    """Leaving deletes everything; the others involved are told privately."""
    services = context.services
    await services.care.remove(enrolment.id)
    people = {c.person_id for c in enrolment.carers}
    if enrolment.person_id is not None:
        people.add(enrolment.person_id)
    messages = []
    for person_id in sorted(people - {user_id}):
        text = removed_notice(await person_translator(context, person_id), enrolment)
        messages.append(
            OutgoingMessage(f"care:removed:{enrolment.id}:{person_id}", person_id, text)
        )
    await services.outbox.add(messages)
    await deliver_outbox(context)


def removed_notice(_: Translator, enrolment: Enrolment) -> str:
    return _("🤝 {label} is no longer on the care list.").format(label=label_of(enrolment))


async def follow_deep_link(update: Update, context: CourtyardContext, payload: str) -> bool:
    if payload == "care":
        await care_command(update, context)
        return True
    return False


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("care", care_command),
        CallbackQueryHandler(on_button, pattern=CARE_CALLBACK),
        *care_enrol.handlers(),
        *care_checkins.handlers(),
    ]
