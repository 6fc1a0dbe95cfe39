"""Corrections people made to the classifier: each one a labelled example for this deployment.

A correction stores the message text and its whole label as it stands afterwards (is it a
request, which category, is it urgent), so the latest correction of a message is its label.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock, to_timestamp
from bot.domain.adaptation import CorrectedLabel
from storage.database import Database

PAGE = 500


class CorrectionKind(StrEnum):
    TRACKED = "tracked"  # /track on a message the bot ignored
    CONFIRMED = "confirmed"  # "Track it" on a "Track this?" button
    DISMISSED = "dismissed"  # "No, thanks" on a "Track this?" button
    CATEGORY = "category"  # a category button or /category
    URGENT = "urgent"  # /urgent N on
    NOT_URGENT = "not_urgent"  # /urgent N off
    NOT_A_REQUEST = "not_a_request"  # /notrequest N


@dataclass(frozen=True)
class Correction:
    id: int
    subject: str
    kind: CorrectionKind
    text: str
    is_request: bool
    category: str | None
    urgent: bool
    request_id: int | None

    def label(self) -> CorrectedLabel:
        return CorrectedLabel(self.subject, self.text, self.is_request, self.category, self.urgent)


def message_subject(chat_id: int, message_id: int) -> str:
    return f"m:{chat_id}:{message_id}"


def request_subject(request_id: int) -> str:
    return f"r:{request_id}"


def _correction(row: sqlite3.Row) -> Correction:
    return Correction(
        id=int(row["id"]),
        subject=str(row["subject"]),
        kind=CorrectionKind(row["kind"]),
        text=str(row["text"]),
        is_request=bool(row["is_request"]),
        category=row["category"],
        urgent=bool(row["urgent"]),
        request_id=row["request_id"],
    )


class CorrectionRepository:
    """Reads and writes `classifier_corrections`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def record(
        self,
        kind: CorrectionKind,
        *,
        subject: str,
        text: str,
        is_request: bool,
        category: str | None,
        urgent: bool,
        building_id: int | None = None,
        request_id: int | None = None,
        author_id: int | None = None,
        actor_id: int | None = None,
        predicted: str = "",
    ) -> int:
        """Store one correction with the message's label after it."""
        return await self._db.execute(
            "INSERT INTO classifier_corrections (subject, building_id, request_id, author_id, "
            "actor_id, kind, text, is_request, category, urgent, predicted, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                subject,
                building_id,
                request_id,
                author_id,
                actor_id,
                kind.value,
                text,
                int(is_request),
                category if is_request else None,
                int(urgent and is_request),
                predicted,
                to_timestamp(self._clock.now()),
            ),
        )

    async def page(self, after_id: int = 0, limit: int = PAGE) -> list[Correction]:
        """Corrections in the order they were made, from after `after_id` (paged by id)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM classifier_corrections WHERE id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return [_correction(row) for row in rows]

    async def all(self) -> list[Correction]:
        """Every correction, oldest first (read page by page)."""
        found: list[Correction] = []
        while batch := await self.page(found[-1].id if found else 0):
            found.extend(batch)
        return found

    async def newest_id(self) -> int:
        row = await self._db.fetch_one("SELECT max(id) FROM classifier_corrections")
        return int(row[0]) if row is not None and row[0] is not None else 0

    async def of_subject(self, subject: str) -> list[Correction]:
        rows = await self._db.fetch_all(
            "SELECT * FROM classifier_corrections WHERE subject = ? ORDER BY id", (subject,)
        )
        return [_correction(row) for row in rows]

    async def forget_author(self, person_id: int) -> None:
        """/forgetme: the texts they wrote stop being examples."""
        await self._db.execute(
            "DELETE FROM classifier_corrections WHERE author_id = ?", (person_id,)
        )
