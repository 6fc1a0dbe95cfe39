"""Tracked requests as stored: what intake knows, the record, and how a row becomes one."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_timestamp
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus


@dataclass(frozen=True)
class NewRequest:
    """What intake knows when a request is created."""

    building_id: int | None
    chat_id: int | None
    source_message_id: int | None
    reporter_id: int
    category: str
    urgent: bool
    location: str | None
    description: str
    photo: tuple[str, str] | None = None  # (file_id, file_unique_id)
    intake_update_id: int | None = None  # the update that reports it (replays finish it)
    category_alternative: str | None = None  # the classifier was torn between two


@dataclass(frozen=True)
class Request:
    """A tracked request as stored."""

    id: int
    building_id: int | None
    chat_id: int | None
    source_message_id: int | None
    card_chat_id: int | None
    card_message_id: int | None
    reporter_id: int | None
    category: str
    urgent: bool
    location: str | None
    description: str
    status: RequestStatus
    assignee_id: int | None
    level: int | None
    delivered: bool
    resolution_note: str | None
    reject_reason: str | None
    duplicate_of: int | None
    satisfied: bool | None
    rating: int | None
    created_at: datetime
    updated_at: datetime
    responded_at: datetime | None
    resolved_at: datetime | None
    reopened_at: datetime | None
    closed_at: datetime | None
    escalated_at: datetime | None
    affected: int
    photos: tuple[str, ...]
    intake_update_id: int | None = None
    routed_at: datetime | None = None
    category_alternative: str | None = None
    next_due_at: datetime | None = None  # when the scheduler next needs it (request_due)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_private(self) -> bool:
        """Reported in a private chat: never quoted, linked or offered in a group."""
        return self.chat_id is None


def _maybe_time(value: int | None) -> datetime | None:
    return None if value is None else from_timestamp(int(value))


SELECT = """
    SELECT r.*,
        (SELECT count(DISTINCT coalesce('h' || s.household_id, 'p' || s.person_id))
         FROM request_supporters s WHERE s.request_id = r.id) AS affected,
        (SELECT group_concat(p.file_id, ' ') FROM request_photos p
         WHERE p.request_id = r.id) AS photo_ids
    FROM requests r
"""

# Urgent first, then most affected, then oldest.
ORDER = "ORDER BY r.urgent DESC, affected DESC, r.created_at, r.id"


def request_from_row(row: sqlite3.Row) -> Request:
    satisfied = row["satisfied"]
    return Request(
        id=int(row["id"]),
        building_id=row["building_id"],
        chat_id=row["chat_id"],
        source_message_id=row["source_message_id"],
        card_chat_id=row["card_chat_id"],
        card_message_id=row["card_message_id"],
        reporter_id=row["reporter_id"],
        category=str(row["category"]),
        urgent=bool(row["urgent"]),
        location=row["location"],
        description=str(row["description"]),
        status=RequestStatus(row["status"]),
        assignee_id=row["assignee_id"],
        level=row["level"],
        delivered=bool(row["delivered"]),
        resolution_note=row["resolution_note"],
        reject_reason=row["reject_reason"],
        duplicate_of=row["duplicate_of"],
        satisfied=None if satisfied is None else bool(satisfied),
        rating=row["rating"],
        created_at=from_timestamp(int(row["created_at"])),
        updated_at=from_timestamp(int(row["updated_at"])),
        responded_at=_maybe_time(row["responded_at"]),
        resolved_at=_maybe_time(row["resolved_at"]),
        reopened_at=_maybe_time(row["reopened_at"]),
        closed_at=_maybe_time(row["closed_at"]),
        escalated_at=_maybe_time(row["escalated_at"]),
        affected=int(row["affected"]),
        photos=tuple(str(row["photo_ids"]).split()) if row["photo_ids"] else (),
        intake_update_id=row["intake_update_id"],
        routed_at=_maybe_time(row["routed_at"]),
        category_alternative=row["category_alternative"],
        next_due_at=_maybe_time(row["next_due_at"]),
    )
