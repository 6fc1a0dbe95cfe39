"""Surveys, their respondents and answers (visits and coverage: `storage.survey_visits`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.coverage import VisitOutcome
from bot.domain.survey import Answer, Question, dump_questions, load_questions
from bot.domain.survey_schedule import SurveyTimes
from storage.database import Database, placeholders
from storage.outbox import OutgoingMessage, enqueue


def _time(value: int | None) -> datetime | None:
    return None if value is None else from_timestamp(int(value))


@dataclass(frozen=True)
class Survey:
    id: int
    building_id: int
    creator_id: int | None
    title: str
    questions: tuple[Question, ...]
    per_household: bool
    status: str
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    announce_at: datetime | None
    reminders_sent: int
    close_note_at: datetime | None
    next_due_at: datetime | None

    def accepts_answers(self, now: datetime) -> bool:
        return self.status == "open" and now < self.closes_at

    @property
    def times(self) -> SurveyTimes:
        return SurveyTimes(
            opened_at=self.opened_at,
            closes_at=self.closes_at,
            is_open=self.status == "open",
            announce_at=self.announce_at,
            reminders_sent=self.reminders_sent,
            close_note_at=self.close_note_at,
        )


def _survey(row: sqlite3.Row) -> Survey:
    return Survey(
        id=int(row["id"]),
        building_id=int(row["building_id"]),
        creator_id=row["creator_id"],
        title=str(row["title"]),
        questions=load_questions(row["questions"]),
        per_household=bool(row["per_household"]),
        status=str(row["status"]),
        opened_at=from_timestamp(int(row["opened_at"])),
        closes_at=from_timestamp(int(row["closes_at"])),
        closed_at=_time(row["closed_at"]),
        announce_at=_time(row["announce_at"]),
        reminders_sent=int(row["reminders_sent"]),
        close_note_at=_time(row["close_note_at"]),
        next_due_at=_time(row["next_due_at"]),
    )


@dataclass(frozen=True)
class Respondent:
    """Who a response belongs to: a household (per-household surveys) or a person."""

    key: str
    household_id: int | None
    person_id: int | None

    @classmethod
    def household(cls, household_id: int, person_id: int | None) -> Respondent:
        return cls(f"h{household_id}", household_id, person_id)

    @classmethod
    def person(cls, person_id: int, household_id: int | None) -> Respondent:
        return cls(f"p{person_id}", household_id, person_id)


@dataclass(frozen=True)
class Response:
    id: int
    household_id: int | None
    completed_at: datetime | None
    answers: dict[int, Answer]


def _answer(row: sqlite3.Row) -> Answer:
    choices = tuple(json.loads(row["choices"])) if row["choices"] else ()
    return Answer(choices=choices, rating=row["rating"], text=row["text"])


@dataclass(frozen=True)
class ExportedResponse:
    """One respondent's answers for /export (no Telegram ids)."""

    household: str | None
    unit: str | None
    via_visit: bool
    completed_at: datetime | None
    updated_at: datetime
    answers: dict[int, Answer]


class SurveyRepository:
    """Reads and writes `surveys`, `survey_responses` and `survey_answers`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def create(
        self,
        building_id: int,
        creator_id: int,
        title: str,
        questions: Sequence[Question],
        *,
        per_household: bool,
        closes_at: datetime,
        announce_at: datetime,
    ) -> Survey:
        now = to_timestamp(self._clock.now())
        survey_id = await self._db.execute(
            "INSERT INTO surveys (building_id, creator_id, title, questions, per_household, "
            "opened_at, closes_at, announce_at, next_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                building_id,
                creator_id,
                title,
                dump_questions(questions),
                int(per_household),
                now,
                to_timestamp(closes_at),
                to_timestamp(announce_at),
                to_timestamp(min(announce_at, closes_at)),
            ),
        )
        survey = await self.get(survey_id)
        assert survey is not None
        return survey

    async def get(self, survey_id: int) -> Survey | None:
        row = await self._db.fetch_one("SELECT * FROM surveys WHERE id = ?", (survey_id,))
        return None if row is None else _survey(row)

    async def of_buildings(self, building_ids: Sequence[int], limit: int = 10) -> list[Survey]:
        """The newest surveys of some buildings (open ones first)."""
        if not building_ids:
            return []
        rows = await self._db.fetch_all(
            f"SELECT * FROM surveys WHERE building_id IN ({placeholders(building_ids)}) "
            "ORDER BY status = 'open' DESC, id DESC LIMIT ?",
            (*building_ids, limit),
        )
        return [_survey(row) for row in rows]

    async def due(self, now: datetime, limit: int = 20) -> list[Survey]:
        """Surveys with something due (read through the `surveys_due` index)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM surveys WHERE next_due_at IS NOT NULL AND next_due_at <= ? "
            "ORDER BY next_due_at LIMIT ?",
            (to_timestamp(now), limit),
        )
        return [_survey(row) for row in rows]

    async def advance(
        self,
        survey: Survey,
        times: SurveyTimes,
        next_due_at: datetime | None,
        messages: Sequence[OutgoingMessage],
    ) -> bool:
        """Store the new schedule and queue its messages in one transaction; False if another
        run got there first (the schedule changed since `survey` was read)."""
        now = self._clock.now()
        closing = survey.status == "open" and not times.is_open

        def stamp(moment: datetime | None) -> int | None:
            return None if moment is None else to_timestamp(moment)

        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE surveys SET status = ?, closed_at = coalesce(closed_at, ?), "
                "announce_at = ?, reminders_sent = ?, close_note_at = ?, next_due_at = ? "
                "WHERE id = ? AND next_due_at IS ? AND status = ?",
                (
                    "open" if times.is_open else "closed",
                    to_timestamp(now) if closing else None,
                    stamp(times.announce_at),
                    times.reminders_sent,
                    stamp(times.close_note_at),
                    stamp(next_due_at),
                    survey.id,
                    stamp(survey.next_due_at),
                    survey.status,
                ),
            )
            if cursor.rowcount == 0:
                return False
            for message in messages:
                await enqueue(conn, message, now)
            return True

    async def close_now(self, survey_id: int) -> bool:
        """Move the deadline to now; the scan closes it and sends the closing note."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE surveys SET closes_at = ?, next_due_at = ? "
                "WHERE id = ? AND status = 'open'",
                (now, now, survey_id),
            )
            return cursor.rowcount == 1

    async def response(self, survey_id: int, respondent_key: str) -> Response | None:
        row = await self._db.fetch_one(
            "SELECT id, household_id, completed_at FROM survey_responses "
            "WHERE survey_id = ? AND respondent = ?",
            (survey_id, respondent_key),
        )
        if row is None:
            return None
        answers = await self._db.fetch_all(
            "SELECT * FROM survey_answers WHERE response_id = ?", (row["id"],)
        )
        return Response(
            id=int(row["id"]),
            household_id=row["household_id"],
            completed_at=_time(row["completed_at"]),
            answers={int(a["question"]): _answer(a) for a in answers},
        )

    async def save_answer(
        self,
        survey_id: int,
        respondent: Respondent,
        question: int,
        answer: Answer,
        *,
        recorded_by: int | None,
    ) -> None:
        """Store (or, for an empty answer, remove) one answer; the latest answer counts."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            response_id = await _ensure_response(conn, survey_id, respondent, recorded_by, now)
            if answer.is_empty:
                await conn.execute(
                    "DELETE FROM survey_answers WHERE response_id = ? AND question = ?",
                    (response_id, question),
                )
                return
            await conn.execute(
                "INSERT INTO survey_answers (response_id, survey_id, question, choices, rating, "
                "text, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (response_id, question) DO "
                "UPDATE SET choices = excluded.choices, rating = excluded.rating, "
                "text = excluded.text, at = excluded.at",
                (
                    response_id,
                    survey_id,
                    question,
                    json.dumps(list(answer.choices)) if answer.choices else None,
                    answer.rating,
                    answer.text,
                    now,
                ),
            )

    async def complete(
        self,
        survey_id: int,
        respondent: Respondent,
        *,
        recorded_by: int | None,
        visited_on: str | None,
    ) -> None:
        """The respondent reached the end; a volunteer's recording also counts as a visit."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            response_id = await _ensure_response(conn, survey_id, respondent, recorded_by, now)
            await conn.execute(
                "UPDATE survey_responses SET completed_at = coalesce(completed_at, ?), "
                "updated_at = ? WHERE id = ?",
                (now, now, response_id),
            )
            if visited_on is not None and respondent.household_id is not None:
                await conn.execute(
                    "INSERT INTO survey_visits (survey_id, household_id, outcome, visitor_id, "
                    "visited_on, at) SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM "
                    "survey_visits WHERE survey_id = ? AND household_id = ? AND outcome = ? "
                    "AND visited_on = ?)",
                    (
                        survey_id,
                        respondent.household_id,
                        VisitOutcome.ANSWERED.value,
                        recorded_by,
                        visited_on,
                        now,
                        survey_id,
                        respondent.household_id,
                        VisitOutcome.ANSWERED.value,
                        visited_on,
                    ),
                )

    async def answers_to(self, survey_id: int, question: int) -> list[tuple[int, Answer]]:
        """Every stored answer to one question, as (answer id, answer)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM survey_answers WHERE survey_id = ? AND question = ? ORDER BY id",
            (survey_id, question),
        )
        return [(int(row["id"]), _answer(row)) for row in rows]

    async def respondents(self, survey_id: int) -> tuple[int, int]:
        """(complete responses, households with a complete response)."""
        row = await self._db.fetch_one(
            "SELECT count(*), count(DISTINCT household_id) FROM survey_responses "
            "WHERE survey_id = ? AND completed_at IS NOT NULL",
            (survey_id,),
        )
        assert row is not None
        return int(row[0]), int(row[1])

    async def export(self, survey_id: int) -> list[ExportedResponse]:
        rows = await self._db.fetch_all(
            "SELECT r.id, r.person_id, r.recorded_by, r.completed_at, r.updated_at, h.label, "
            "h.unit FROM survey_responses r LEFT JOIN households h ON h.id = r.household_id "
            "WHERE r.survey_id = ? ORDER BY h.unit, length(h.room), h.room, r.id",
            (survey_id,),
        )
        answers: dict[int, dict[int, Answer]] = {}
        for row in await self._db.fetch_all(
            "SELECT * FROM survey_answers WHERE survey_id = ?", (survey_id,)
        ):
            answers.setdefault(int(row["response_id"]), {})[int(row["question"])] = _answer(row)
        return [
            ExportedResponse(
                household=row["label"],
                unit=row["unit"],
                via_visit=row["recorded_by"] is not None,
                completed_at=_time(row["completed_at"]),
                updated_at=from_timestamp(int(row["updated_at"])),
                answers=answers.get(int(row["id"]), {}),
            )
            for row in rows
        ]


async def _ensure_response(
    conn: aiosqlite.Connection,
    survey_id: int,
    respondent: Respondent,
    recorded_by: int | None,
    now: int,
) -> int:
    await conn.execute(
        "INSERT INTO survey_responses (survey_id, respondent, household_id, person_id, "
        "recorded_by, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (survey_id, respondent) "
        "DO UPDATE SET person_id = coalesce(excluded.person_id, person_id), "
        "recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
        (
            survey_id,
            respondent.key,
            respondent.household_id,
            respondent.person_id,
            recorded_by,
            now,
        ),
    )
    async with conn.execute(
        "SELECT id FROM survey_responses WHERE survey_id = ? AND respondent = ?",
        (survey_id, respondent.key),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])
