"""Door to door: visits to households, who has been reached, who still needs a nudge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.clock import Clock, to_timestamp
from bot.domain.coverage import HouseholdReach, VisitOutcome
from bot.domain.flats import Flat
from storage.database import Database
from storage.surveys import Survey

# Per household of the building: answered?, how many visits, and the latest visit. Each
# correlated lookup goes through an index (survey_responses_household,
# survey_visits_household); households come from the (building_id, label) unique index.
_REACH = """
SELECT h.id, h.label, h.unit, h.room,
       EXISTS (SELECT 1 FROM survey_responses r WHERE r.survey_id = ?
               AND r.household_id = h.id AND r.completed_at IS NOT NULL) AS answered,
       (SELECT count(*) FROM survey_visits v WHERE v.survey_id = ?
               AND v.household_id = h.id) AS visits,
       (SELECT v.outcome || ' ' || v.visited_on FROM survey_visits v
               WHERE v.survey_id = ? AND v.household_id = h.id
               ORDER BY v.id DESC LIMIT 1) AS last_visit
FROM households h WHERE h.building_id = ?
"""


@dataclass(frozen=True)
class Nudge:
    """A resident to remind privately: they (or their household) have not answered."""

    person_id: int
    household_id: int | None


class SurveyVisitRepository:
    """Reads and writes `survey_visits`; reads the roster against a survey's answers."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def reach(self, survey: Survey) -> list[HouseholdReach]:
        """Every household of the survey's building and how far the survey got with it."""
        return await self._rows(survey, None)

    async def _rows(self, survey: Survey, household_id: int | None) -> list[HouseholdReach]:
        params: tuple[int, ...] = (survey.id, survey.id, survey.id, survey.building_id)
        sql = _REACH
        if household_id is not None:
            sql, params = sql + " AND h.id = ?", (*params, household_id)
        rows = await self._db.fetch_all(sql, params)
        reached = []
        for row in rows:
            outcome, visited_on = (None, None)
            if row["last_visit"]:
                raw_outcome, raw_day = str(row["last_visit"]).split(" ")
                outcome, visited_on = VisitOutcome(raw_outcome), date.fromisoformat(raw_day)
            reached.append(
                HouseholdReach(
                    household_id=int(row["id"]),
                    label=str(row["label"]),
                    unit=row["unit"],
                    room=str(row["room"]),
                    answered=bool(row["answered"]),
                    visits=int(row["visits"]),
                    last_visit=outcome,
                    last_visit_on=visited_on,
                )
            )
        return reached

    async def household_reach(self, survey: Survey, household_id: int) -> HouseholdReach | None:
        rows = await self._rows(survey, household_id)
        return rows[0] if rows else None

    async def record(
        self,
        survey_id: int,
        household_id: int,
        outcome: VisitOutcome,
        *,
        visitor_id: int,
        visited_on: date,
    ) -> None:
        await self._db.execute(
            "INSERT INTO survey_visits (survey_id, household_id, outcome, visitor_id, "
            "visited_on, at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                survey_id,
                household_id,
                outcome.value,
                visitor_id,
                visited_on.isoformat(),
                to_timestamp(self._clock.now()),
            ),
        )

    async def ensure_household(self, building_id: int, flat: Flat, actor_id: int) -> int:
        """A flat met at the door that the roster did not know yet (not a registration)."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO households (building_id, unit, room, label, registered_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (building_id, label) "
                "DO NOTHING",
                (building_id, flat.unit, flat.room, flat.label, actor_id, now),
            )
            async with conn.execute(
                "SELECT id FROM households WHERE building_id = ? AND label = ?",
                (building_id, flat.label),
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def household_in(self, building_id: int, household_id: int) -> str | None:
        """The label of a household of this building (None: not one of its households)."""
        value = await self._db.fetch_value(
            "SELECT label FROM households WHERE id = ? AND building_id = ?",
            (household_id, building_id),
        )
        return None if value is None else str(value)

    async def to_nudge(self, survey: Survey) -> list[Nudge]:
        """Approved members who can be written to and whose answer is missing."""
        answered_by = (
            "r.household_id = m.household_id"
            if survey.per_household
            else "r.respondent = 'p' || m.person_id"
        )
        rows = await self._db.fetch_all(
            "SELECT m.person_id, m.household_id FROM household_members m "
            "JOIN households h ON h.id = m.household_id JOIN people p ON p.id = m.person_id "
            "WHERE h.building_id = ? AND m.status = 'approved' AND p.started_bot_at IS NOT NULL "
            "AND p.blocked_bot_at IS NULL AND NOT EXISTS (SELECT 1 FROM survey_responses r "
            f"WHERE r.survey_id = ? AND {answered_by} AND r.completed_at IS NOT NULL) "
            "ORDER BY m.person_id",
            (survey.building_id, survey.id),
        )
        return [Nudge(int(row[0]), int(row[1])) for row in rows]

    async def visitors(self, survey_id: int) -> list[int]:
        """Everyone who recorded a visit for this survey."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT visitor_id FROM survey_visits WHERE survey_id = ? "
            "AND visitor_id IS NOT NULL",
            (survey_id,),
        )
        return [int(row[0]) for row in rows]

    async def visits(self, survey_id: int) -> list[tuple[str, str, str]]:
        """(household label, outcome, local date) of every visit, for /export."""
        rows = await self._db.fetch_all(
            "SELECT h.label, v.outcome, v.visited_on FROM survey_visits v "
            "JOIN households h ON h.id = v.household_id WHERE v.survey_id = ? ORDER BY v.id",
            (survey_id,),
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]
