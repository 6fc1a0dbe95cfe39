"""What the care handlers share: who may see an enrolment, the building's clock, wording.

Nothing about the care list is ever sent to a group: every message here goes to a private
chat (the person, their carers, the community office or community admins).
"""

from __future__ import annotations

from datetime import datetime, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import CourtyardContext
from bot.domain.care import AlertKind, Cadence, CarerRelation, CheckInRules
from bot.domain.escalation import StaffLevel
from bot.i18n import N_, Translator
from handlers.common import escape
from handlers.reminder_common import quiet_hours_of, zone_of
from storage.buildings import Building
from storage.care import Enrolment

CHECK_TIMES = (time(8, 0), time(9, 0), time(10, 0), time(18, 0))
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def care_rules(context: CourtyardContext, building: Building) -> CheckInRules:
    return CheckInRules(zone_of(context, building), quiet_hours_of(context, building))


def cadence_name(_: Translator, cadence: Cadence) -> str:
    names = {
        Cadence.DAILY: _("every day"),
        Cadence.EVERY_2_DAYS: _("every 2 days"),
        Cadence.EVERY_3_DAYS: _("every 3 days"),
        Cadence.WEEKLY: _("every week"),
    }
    return names[cadence]


def relation_name(_: Translator, relation: CarerRelation) -> str:
    names = {
        CarerRelation.HEAD: _("building head"),
        CarerRelation.VOLUNTEER: _("volunteer"),
        CarerRelation.RELATIVE: _("relative"),
    }
    return names[relation]


def moment_text(
    _: Translator, moment: datetime, building: Building | None, context: CourtyardContext
) -> str:
    """ "Tuesday 09:00" in the building's time (older than a week: with the date)."""
    local = moment.astimezone(zone_of(context, building))
    now = context.services.clock.now().astimezone(local.tzinfo)
    if (now - local).days >= 6:
        return local.strftime("%m-%d %H:%M")
    return f"{_(WEEKDAYS[local.weekday()])} {local.strftime('%H:%M')}"


async def office_ids(context: CourtyardContext, building: Building) -> list[int]:
    """The community office for this building: its level-3 staff who can be written to,
    else the community admins."""
    services = context.services
    office = []
    for assignment in await services.roles.in_building(building.id):
        if assignment.level is StaffLevel.COMMUNITY_OFFICE and assignment.started_bot:
            office.append(assignment.person_id)
    return office or sorted(services.settings.community.admins)


def reachable_carers(enrolment: Enrolment) -> list[int]:
    return [carer.person_id for carer in enrolment.carers if carer.reachable]


async def may_look_after(
    context: CourtyardContext, user_id: int, enrolment: Enrolment, building: Building
) -> bool:
    """Carers, the community office of the building and community admins may act on alerts."""
    if enrolment.is_carer(user_id) or context.services.access.is_admin(user_id):
        return True
    return user_id in await office_ids(context, building)


def may_see(context: CourtyardContext, user_id: int, enrolment: Enrolment) -> bool:
    """Only the person, their carers and community admins see an enrolment."""
    return (
        user_id == enrolment.person_id
        or enrolment.is_carer(user_id)
        or context.services.access.is_admin(user_id)
    )


def check_in_keyboard(_: Translator, enrolment: Enrolment) -> InlineKeyboardMarkup:
    """Two big buttons, one per row."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("I'm fine 👍"), callback_data=f"ck:fine:{enrolment.id}")],
            [InlineKeyboardButton(_("I need help 🆘"), callback_data=f"ck:help:{enrolment.id}")],
        ]
    )


def seen_keyboard(_: Translator, enrolment: Enrolment) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Seen today, all well"), callback_data=f"ck:seen:{enrolment.id}"
                )
            ]
        ]
    )


def alert_keyboard(_: Translator, enrolment: Enrolment, kind: AlertKind) -> InlineKeyboardMarkup:
    if kind is AlertKind.HELP:
        rows = [
            [InlineKeyboardButton(_("🚶 On my way"), callback_data=f"ck:omw:{enrolment.id}")],
            [InlineKeyboardButton(_("✅ Handled"), callback_data=f"ck:done:{enrolment.id}")],
        ]
    else:
        rows = [
            [
                InlineKeyboardButton(_("📞 I'll call"), callback_data=f"ck:call:{enrolment.id}"),
                InlineKeyboardButton(_("🚶 I'll visit"), callback_data=f"ck:visit:{enrolment.id}"),
            ],
            [
                InlineKeyboardButton(
                    _("✅ Seen, all well"), callback_data=f"ck:seen:{enrolment.id}"
                )
            ],
        ]
    return InlineKeyboardMarkup(rows)


def label_of(enrolment: Enrolment) -> str:
    return escape(enrolment.label)
