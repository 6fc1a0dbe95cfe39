"""Residents' anonymous evaluation of done projects, and each building's threshold."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, to_timestamp
from bot.domain.item_refs import ItemKind
from bot.domain.lists import (
    DEFAULT_EVALUATION_DAYS,
    DEFAULT_SATISFACTION_THRESHOLD,
    Evaluation,
    ProjectStatus,
    Satisfaction,
    Verdict,
)
from storage.database import Database
from storage.list_history import record_event
from storage.outbox import OutgoingMessage, enqueue
from storage.projects import Project, project_from_row


@dataclass(frozen=True)
class ListSettings:
    satisfaction_threshold: int = DEFAULT_SATISFACTION_THRESHOLD
    evaluation_days: int = DEFAULT_EVALUATION_DAYS


class EvaluationRepository:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def rate(
        self, project_id: int, round_: int, voter_key: str, score: Satisfaction
    ) -> bool:
        """The household's (or person's) latest answer counts; False when the evaluation
        round is over."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT 1 FROM projects WHERE id = ? AND evaluation_round = ? "
                "AND evaluation_closes_at > ?",
                (project_id, round_, to_timestamp(now)),
            ) as cursor:
                if await cursor.fetchone() is None:
                    return False
            await conn.execute(
                "INSERT INTO project_ratings (project_id, round, voter_key, score, at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id, round, voter_key) "
                "DO UPDATE SET score = excluded.score, at = excluded.at",
                (project_id, round_, voter_key, int(score), to_timestamp(now)),
            )
            return True

    async def rating_counts(self, project_id: int, round_: int) -> dict[Satisfaction, int]:
        rows = await self._db.fetch_all(
            "SELECT score, count(*) FROM project_ratings WHERE project_id = ? AND round = ? "
            "GROUP BY score",
            (project_id, round_),
        )
        return {Satisfaction(int(r[0])): int(r[1]) for r in rows}

    async def due(self, now: datetime, limit: int = 50) -> list[Project]:
        rows = await self._db.fetch_all(
            "SELECT * FROM projects WHERE evaluation_closes_at IS NOT NULL "
            "AND evaluation_closes_at <= ? ORDER BY evaluation_closes_at LIMIT ?",
            (to_timestamp(now), limit),
        )
        return [project_from_row(row) for row in rows]

    async def finish(
        self, project: Project, evaluation: Evaluation, announce: Sequence[OutgoingMessage]
    ) -> bool:
        """Store the verdict (reopening below the threshold) and its messages, once."""
        now = self._clock.now()
        result = {
            "round": project.evaluation_round,
            "satisfied": evaluation.satisfied,
            "fairly_satisfied": evaluation.fairly_satisfied,
            "dissatisfied": evaluation.dissatisfied,
            "threshold": evaluation.threshold,
            "percent": evaluation.percent,
            "verdict": evaluation.verdict.value,
        }
        reopen = evaluation.verdict is Verdict.REOPENED
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE projects SET evaluation_closes_at = NULL, evaluation = ?, "
                "status = CASE WHEN ? THEN 'reopened' ELSE status END, updated_at = ? "
                "WHERE id = ? AND evaluation_round = ? AND evaluation_closes_at IS NOT NULL",
                (
                    json.dumps(result),
                    int(reopen and project.status is ProjectStatus.DONE),
                    to_timestamp(now),
                    project.id,
                    project.evaluation_round,
                ),
            )
            if cursor.rowcount != 1:
                return False
            note = f"{evaluation.percent}% / {evaluation.threshold}%" if evaluation.answers else ""
            await record_event(
                conn,
                ItemKind.PROJECT,
                project.id,
                None,
                f"evaluation_{evaluation.verdict}",
                note,
                now,
            )
            for message in announce:
                await enqueue(conn, message, now)
            return True

    async def settings(self, building_id: int) -> ListSettings:
        row = await self._db.fetch_one(
            "SELECT * FROM list_settings WHERE building_id = ?", (building_id,)
        )
        if row is None:
            return ListSettings()
        return ListSettings(int(row["satisfaction_threshold"]), int(row["evaluation_days"]))

    async def set_settings(self, building_id: int, settings: ListSettings) -> None:
        await self._db.execute(
            "INSERT INTO list_settings (building_id, satisfaction_threshold, evaluation_days) "
            "VALUES (?, ?, ?) ON CONFLICT (building_id) DO UPDATE SET "
            "satisfaction_threshold = excluded.satisfaction_threshold, "
            "evaluation_days = excluded.evaluation_days",
            (building_id, settings.satisfaction_threshold, settings.evaluation_days),
        )
