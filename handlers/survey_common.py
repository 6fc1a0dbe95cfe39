"""What the survey handlers share: who may do what, the building's clock, coverage wording."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import CourtyardContext
from bot.domain.community import CommunityRole
from bot.domain.coverage import CoverageCounts, CoverageReport, coverage
from bot.domain.quiet_hours import QuietHours
from bot.domain.survey import QuestionKind, percent
from bot.i18n import Translator
from handlers.common import deep_link, escape
from handlers.reminder_common import quiet_hours_of, zone_of
from storage.buildings import Building
from storage.households import MembershipStatus
from storage.surveys import Respondent, Survey

# While the checklist is open, a typed flat number opens that household's card.
CONVERSATION_CANVASS = "survey_canvass"


def survey_zone(context: CourtyardContext, building: Building | None) -> ZoneInfo:
    return zone_of(context, building)


def survey_quiet(context: CourtyardContext, building: Building) -> QuietHours:
    return quiet_hours_of(context, building)


def local_time(context: CourtyardContext, building: Building | None, moment: datetime) -> str:
    return moment.astimezone(survey_zone(context, building)).strftime("%Y-%m-%d %H:%M")


def local_today(context: CourtyardContext, building: Building | None) -> date:
    return context.services.clock.now().astimezone(survey_zone(context, building)).date()


async def may_manage_survey(context: CourtyardContext, user_id: int, survey: Survey) -> bool:
    """Heads and admins of the survey's building (results, closing, exports)."""
    building = await context.services.buildings.get(survey.building_id)
    return building is not None and await context.services.access.may_manage(
        context.bot, user_id, building
    )


async def may_canvass(context: CourtyardContext, user_id: int, building: Building) -> bool:
    """Who may knock on doors and record visits: heads, admins and the building's staff
    (volunteers)."""
    roles = await context.services.access.roles_in(context.bot, user_id, building)
    return bool(roles & {CommunityRole.HEAD, CommunityRole.ADMIN, CommunityRole.STAFF})


async def own_respondent(
    context: CourtyardContext, survey: Survey, user_id: int
) -> Respondent | None:
    """Who a resident answers for: their approved household, or themselves (per-person
    surveys; they still need a household in the building, so coverage can count them)."""
    membership = await context.services.households.membership_in(survey.building_id, user_id)
    if membership is None or membership.status != MembershipStatus.APPROVED:
        return None
    if survey.per_household:
        return Respondent.household(membership.household_id, user_id)
    return Respondent.person(user_id, membership.household_id)


async def survey_coverage(context: CourtyardContext, survey: Survey) -> CoverageReport:
    building = await context.services.buildings.get(survey.building_id)
    households = await context.services.survey_visits.reach(survey)
    return coverage(households, building.total_households if building else None)


def counts_text(_: Translator, counts: CoverageCounts) -> str:
    """ "answered 573 of 706 households (81 %), visited 640, nobody home at 41" """
    text = _("answered {answered} of {total} households ({share} %), visited {visited}").format(
        answered=counts.answered,
        total=counts.total,
        share=percent(counts.share),
        visited=counts.visited,
    )
    if counts.nobody_home:
        text += _(", nobody home at {count}").format(count=counts.nobody_home)
    if counts.declined:
        text += _(", {count} declined").format(count=counts.declined)
    return text


def coverage_lines(_: Translator, report: CoverageReport, *, units: bool = True) -> list[str]:
    lines = ["📈 " + counts_text(_, report.building)]
    if units and len(report.units) > 1:
        for unit in report.units:
            name = _("Unit {unit}").format(unit=escape(unit.unit)) if unit.unit else _("No unit")
            lines.append(f"  • {name}: {counts_text(_, unit.counts)}")
    return lines


def kind_name(_: Translator, kind: QuestionKind) -> str:
    names = {
        QuestionKind.SINGLE: _("single choice"),
        QuestionKind.MULTI: _("multiple choice"),
        QuestionKind.RATING: _("rating 1–5"),
        QuestionKind.TEXT: _("free text"),
    }
    return names[kind]


def audience_name(_: Translator, per_household: bool) -> str:
    return _("one answer per household") if per_household else _("one answer per person")


def answer_button(
    _: Translator, context: CourtyardContext, survey: Survey
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("📝 Answer privately"), url=deep_link(context, f"survey-{survey.id}")
                )
            ]
        ]
    )


def title_line(_: Translator, survey: Survey) -> str:
    return _("📋 <b>Survey #{number}: {title}</b>").format(
        number=survey.id, title=escape(survey.title)
    )


def checklist_callback(survey_id: int, unit: str | None = None, offset: int = 0) -> str:
    """The door-to-door checklist of a survey (one unit, or all with `*`), from `offset`."""
    return f"cv:l:{survey_id}:{unit or '*'}:{offset}"
