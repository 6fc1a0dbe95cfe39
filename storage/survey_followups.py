"""Survey suggestions a head sent on: to the needs list or, as tracked requests, the problems list.

A need is created inside the follow-up's transaction, so a second tap can never file twice. It
starts private (answers to a survey never appear in the group by themselves): the head who sent
it on can show it in the group from its card like any privately proposed need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import Clock, to_timestamp
from storage.database import Database
from storage.needs import insert_need


@dataclass(frozen=True)
class SurveyNeed:
    """What the needs list gets from a survey suggestion; `survey_id` keeps the link."""

    building_id: int
    survey_id: int
    question: int
    title: str  # the group's most typical answer
    category: str
    households: int  # how many respondents wrote something like it
    created_by: int


async def create_need_from_survey(
    conn: aiosqlite.Connection, need: SurveyNeed, answer_id: int, now: datetime
) -> int:
    """A row on the needs list for a survey suggestion, proposed by the head; its id."""
    return await insert_need(
        conn,
        building_id=need.building_id,
        author_id=need.created_by,
        text=need.title,
        source_key=f"survey:{need.survey_id}:{answer_id}",
        chat_id=None,
        public=False,
        now=now,
    )


@dataclass(frozen=True)
class FollowUp:
    answer_id: int
    target: str  # 'need' or 'request'
    target_id: int | None


class SurveyFollowUpRepository:
    """Reads and writes `survey_followups`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def of_survey(self, survey_id: int) -> list[FollowUp]:
        rows = await self._db.fetch_all(
            "SELECT answer_id, target, target_id FROM survey_followups WHERE survey_id = ?",
            (survey_id,),
        )
        return [FollowUp(int(r[0]), str(r[1]), r[2]) for r in rows]

    async def to_needs(self, need: SurveyNeed, answer_id: int) -> FollowUp | None:
        """Send a suggestion to the needs list once; None if it was sent before."""
        moment = self._clock.now()
        now = to_timestamp(moment)
        async with self._db.transaction() as conn:
            if await _exists(conn, need.survey_id, answer_id, "need"):
                return None
            need_id = await create_need_from_survey(conn, need, answer_id, moment)
            await conn.execute(
                "INSERT INTO survey_followups (survey_id, question, answer_id, target, target_id, "
                "summary, households, created_by, at) VALUES (?, ?, ?, 'need', ?, ?, ?, ?, ?)",
                (
                    need.survey_id,
                    need.question,
                    answer_id,
                    need_id,
                    need.title,
                    need.households,
                    need.created_by,
                    now,
                ),
            )
            return FollowUp(answer_id, "need", need_id)

    async def claim_request(
        self,
        survey_id: int,
        question: int,
        answer_id: int,
        summary: str,
        households: int,
        actor: int,
    ) -> bool:
        """Reserve the problems-list follow-up before the request is filed (a double tap files
        one request); False if it was claimed before."""
        async with self._db.transaction() as conn:
            if await _exists(conn, survey_id, answer_id, "request"):
                return False
            await conn.execute(
                "INSERT INTO survey_followups (survey_id, question, answer_id, target, summary, "
                "households, created_by, at) VALUES (?, ?, ?, 'request', ?, ?, ?, ?)",
                (
                    survey_id,
                    question,
                    answer_id,
                    summary,
                    households,
                    actor,
                    to_timestamp(self._clock.now()),
                ),
            )
            return True

    async def link_request(self, survey_id: int, answer_id: int, request_id: int) -> None:
        await self._db.execute(
            "UPDATE survey_followups SET target_id = ? WHERE survey_id = ? AND answer_id = ? "
            "AND target = 'request'",
            (request_id, survey_id, answer_id),
        )


async def _exists(conn: aiosqlite.Connection, survey_id: int, answer_id: int, target: str) -> bool:
    async with conn.execute(
        "SELECT 1 FROM survey_followups WHERE survey_id = ? AND answer_id = ? AND target = ?",
        (survey_id, answer_id, target),
    ) as cursor:
        return await cursor.fetchone() is not None
