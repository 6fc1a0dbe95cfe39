"""What reminders share: a building's zone and quiet hours, request snapshots, durations."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.context import CourtyardContext
from bot.domain.digest import age_parts
from bot.domain.escalation import StaffLevel
from bot.domain.ping_planner import RequestSnapshot
from bot.domain.quiet_hours import QuietHours
from bot.domain.sla import RequestTimes, Urgency
from bot.i18n import Translator
from storage.buildings import Building
from storage.requests import Request


def zone_of(context: CourtyardContext, building: Building | None) -> ZoneInfo:
    community = context.services.settings.community
    if building is not None and building.timezone:
        return ZoneInfo(building.timezone)
    return community.timezone


def quiet_hours_of(context: CourtyardContext, building: Building) -> QuietHours:
    if building.quiet_start is not None and building.quiet_end is not None:
        return QuietHours(building.quiet_start, building.quiet_end)
    start, end = context.services.settings.community.quiet_hours
    return QuietHours(start, end)


def snapshot_of(request: Request) -> RequestSnapshot:
    assert request.building_id is not None
    return RequestSnapshot(
        request_id=request.id,
        building_id=request.building_id,
        category=request.category,
        urgency=Urgency.URGENT if request.urgent else Urgency.NORMAL,
        status=request.status,
        times=RequestTimes(
            created_at=request.created_at,
            responded_at=request.responded_at,
            reopened_at=request.reopened_at,
        ),
        level=None if request.level is None else StaffLevel(request.level),
        assignee_id=request.assignee_id,
        escalated_at=request.escalated_at,
    )


def hours_text(_: Translator, delta: timedelta) -> str:
    parts = age_parts(delta)
    if parts.days:
        return _("{days} d {hours} h").format(days=parts.days, hours=parts.hours)
    if parts.hours:
        return _("{hours} h").format(hours=parts.hours)
    return _("{minutes} min").format(minutes=parts.minutes)
