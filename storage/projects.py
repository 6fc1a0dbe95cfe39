"""Projects: decided work with an owner, budget, progress, photos, polls and evaluations."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import aiosqlite

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.domain.item_refs import ItemKind, ItemRef
from bot.domain.lists import (
    DEFAULT_EVALUATION_DAYS,
    ProjectStatus,
    percent_after_move,
    project_moves,
)
from storage.database import Database, placeholders
from storage.decisions import settle_decisions_in
from storage.list_history import record_event, record_link
from storage.needs import adopt_need_in
from storage.outbox import OutgoingMessage, enqueue
from storage.roles import ensure_person


@dataclass(frozen=True)
class Project:
    id: int
    building_id: int
    chat_id: int | None
    card_message_id: int | None
    title: str
    owner_id: int | None
    budget_cents: int | None
    funding: str | None
    target_date: date | None
    status: ProjectStatus
    percent: int
    poll_id: int | None
    poll_result: str | None
    created_at: datetime
    done_at: datetime | None
    evaluation_round: int
    evaluation_closes_at: datetime | None
    evaluation: dict[str, Any] | None


def project_from_row(row: sqlite3.Row) -> Project:
    return Project(
        id=int(row["id"]),
        building_id=int(row["building_id"]),
        chat_id=row["chat_id"],
        card_message_id=row["card_message_id"],
        title=str(row["title"]),
        owner_id=row["owner_id"],
        budget_cents=row["budget_cents"],
        funding=row["funding"],
        target_date=None if row["target_date"] is None else date.fromisoformat(row["target_date"]),
        status=ProjectStatus(row["status"]),
        percent=int(row["percent"]),
        poll_id=row["poll_id"],
        poll_result=row["poll_result"],
        created_at=from_timestamp(int(row["created_at"])),
        done_at=None if row["done_at"] is None else from_timestamp(int(row["done_at"])),
        evaluation_round=int(row["evaluation_round"]),
        evaluation_closes_at=None
        if row["evaluation_closes_at"] is None
        else from_timestamp(int(row["evaluation_closes_at"])),
        evaluation=None if row["evaluation"] is None else json.loads(row["evaluation"]),
    )


@dataclass(frozen=True)
class NewProject:
    building_id: int
    chat_id: int | None
    source_key: str
    title: str
    owner_id: int | None
    budget_cents: int | None
    funding: str | None
    target_date: date | None
    created_by: int
    status: ProjectStatus = ProjectStatus.PLANNED
    sources: tuple[ItemRef, ...] = ()  # the need, problem or poll it came from
    note: str = ""


class ProjectRepository:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def create(self, new: NewProject) -> tuple[Project, bool]:
        """Store a project, adopt the need it comes from and link its sources, together."""
        existing = await self._db.fetch_one(
            "SELECT * FROM projects WHERE source_key = ?", (new.source_key,)
        )
        if existing is not None:
            return project_from_row(existing), False
        now = self._clock.now()
        stamp = to_timestamp(now)
        async with self._db.transaction() as conn:
            if new.owner_id is not None:
                await ensure_person(conn, new.owner_id, stamp)
            cursor = await conn.execute(
                "INSERT INTO projects (building_id, chat_id, source_key, title, owner_id, "
                "budget_cents, funding, target_date, status, created_by, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.building_id,
                    new.chat_id,
                    new.source_key,
                    new.title,
                    new.owner_id,
                    new.budget_cents,
                    new.funding,
                    None if new.target_date is None else new.target_date.isoformat(),
                    new.status.value,
                    new.created_by,
                    stamp,
                    stamp,
                ),
            )
            project_id = cursor.lastrowid
            assert project_id is not None
            ref = ItemRef(ItemKind.PROJECT, project_id)
            await record_event(
                conn, ItemKind.PROJECT, project_id, new.created_by, new.status.value, new.note, now
            )
            for source in new.sources:
                if source.kind is ItemKind.NEED:
                    await adopt_need_in(conn, source.number, project_id, new.created_by, now)
                await record_link(conn, source, ref, now)
                if source.kind is ItemKind.REQUEST:
                    await record_event(
                        conn, source.kind, source.number, new.created_by, "project", "", now
                    )
        project = await self.get(project_id)
        assert project is not None
        return project, True

    async def get(self, project_id: int) -> Project | None:
        row = await self._db.fetch_one("SELECT * FROM projects WHERE id = ?", (project_id,))
        return None if row is None else project_from_row(row)

    async def set_card(self, project_id: int, chat_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE projects SET chat_id = ?, card_message_id = ? WHERE id = ?",
            (chat_id, message_id, project_id),
        )

    async def move(
        self,
        project_id: int,
        target: ProjectStatus,
        *,
        actor_id: int | None,
        note: str = "",
        poll_result: str | None = None,
        expected: Collection[ProjectStatus] = (),
        announce: Sequence[OutgoingMessage] = (),
    ) -> Project | None:
        """Move a project along (checked against its current status in the same transaction);
        done opens the residents' evaluation and settles decisions that asked for it."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT status, percent, evaluation_round, building_id FROM projects WHERE id = ?",
                (project_id,),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            current = ProjectStatus(row["status"])
            if target not in project_moves(current) or (expected and current not in expected):
                return None
            changes: dict[str, object] = {
                "status": target.value,
                "updated_at": to_timestamp(now),
                "percent": percent_after_move(target, int(row["percent"])),
            }
            if poll_result is not None:
                changes["poll_result"] = poll_result
            if target is not ProjectStatus.VOTING:
                changes["poll_id"] = None
            if target is ProjectStatus.DONE:
                days = await self._evaluation_days(conn, int(row["building_id"]))
                changes["done_at"] = to_timestamp(now)
                changes["evaluation_round"] = int(row["evaluation_round"]) + 1
                changes["evaluation_closes_at"] = to_timestamp(now + timedelta(days=days))
            assignments = ", ".join(f"{name} = ?" for name in changes)
            await conn.execute(
                f"UPDATE projects SET {assignments} WHERE id = ?", (*changes.values(), project_id)
            )
            await record_event(
                conn, ItemKind.PROJECT, project_id, actor_id, target.value, note, now
            )
            if target is ProjectStatus.DONE:
                await settle_decisions_in(
                    conn, ItemRef(ItemKind.PROJECT, project_id), now, f"PJ{project_id}"
                )
            for message in announce:
                await enqueue(conn, message, now)
        return await self.get(project_id)

    async def _evaluation_days(self, conn: aiosqlite.Connection, building_id: int) -> int:
        async with conn.execute(
            "SELECT evaluation_days FROM list_settings WHERE building_id = ?", (building_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return DEFAULT_EVALUATION_DAYS if row is None else int(row[0])

    async def start_poll(self, project_id: int, poll_id: int, actor_id: int) -> Project | None:
        """Put the project to poll `poll_id`: it waits for the result in 'voting'."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE projects SET status = 'voting', poll_id = ?, updated_at = ? "
                "WHERE id = ? AND status IN ('planned', 'reopened')",
                (poll_id, to_timestamp(now), project_id),
            )
            if cursor.rowcount != 1:
                return None
            await record_link(
                conn, ItemRef(ItemKind.PROJECT, project_id), ItemRef(ItemKind.POLL, poll_id), now
            )
            await record_event(
                conn, ItemKind.PROJECT, project_id, actor_id, "voting", f"#P{poll_id}", now
            )
        return await self.get(project_id)

    async def progress(
        self, project_id: int, percent: int | None, note: str, actor_id: int
    ) -> Project | None:
        """A dated progress note, optionally with a new percentage (only while it is being
        worked on: approved, in progress or reopened)."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE projects SET percent = coalesce(?, percent), updated_at = ? "
                "WHERE id = ? AND status IN ('approved', 'in_progress', 'reopened', 'planned')",
                (percent, to_timestamp(now), project_id),
            )
            if cursor.rowcount != 1:
                return None
            shown = f"{percent}%" if percent is not None else ""
            text = " · ".join(part for part in (shown, note) if part)
            await record_event(conn, ItemKind.PROJECT, project_id, actor_id, "progress", text, now)
        return await self.get(project_id)

    async def add_photo(
        self, project_id: int, phase: str, file_id: str, unique_id: str, actor_id: int
    ) -> bool:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO project_photos VALUES (?, ?, ?, ?, ?)",
                (project_id, phase, file_id, unique_id, to_timestamp(now)),
            )
            if cursor.rowcount == 1:
                await record_event(
                    conn, ItemKind.PROJECT, project_id, actor_id, "photo", phase, now
                )
            return cursor.rowcount == 1

    async def photos(self, project_id: int) -> list[tuple[str, str]]:
        """(phase, file id), oldest first."""
        rows = await self._db.fetch_all(
            "SELECT phase, file_id FROM project_photos WHERE project_id = ? ORDER BY added_at, "
            "rowid",
            (project_id,),
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    async def voting_on_finished_polls(self, limit: int = 50) -> list[tuple[Project, str]]:
        """Projects waiting in 'voting' whose poll is no longer open, with its status."""
        rows = await self._db.fetch_all(
            "SELECT p.*, q.status AS poll_status FROM projects p JOIN polls q "
            "ON q.id = p.poll_id WHERE p.status = 'voting' AND q.status != 'open' LIMIT ?",
            (limit,),
        )
        return [(project_from_row(row), str(row["poll_status"])) for row in rows]

    async def voting_on(self, poll_id: int) -> Project | None:
        row = await self._db.fetch_one(
            "SELECT * FROM projects WHERE poll_id = ? AND status = 'voting'", (poll_id,)
        )
        return None if row is None else project_from_row(row)

    # -- lists ---------------------------------------------------------------------

    async def page(
        self, building_id: int, statuses: Collection[ProjectStatus], *, limit: int, offset: int
    ) -> tuple[list[Project], int]:
        """Active work first (in progress, approved, voting …), most recently changed first."""
        values = [s.value for s in statuses]
        where = f"building_id = ? AND status IN ({placeholders(values)})"
        rows = await self._db.fetch_all(
            f"SELECT * FROM projects WHERE {where} ORDER BY CASE status "
            "WHEN 'in_progress' THEN 0 WHEN 'reopened' THEN 1 WHEN 'approved' THEN 2 "
            "WHEN 'voting' THEN 3 WHEN 'planned' THEN 4 ELSE 5 END, updated_at DESC, id DESC "
            "LIMIT ? OFFSET ?",
            (building_id, *values, limit, offset),
        )
        total = await self._db.fetch_value(
            f"SELECT count(*) FROM projects WHERE {where}", (building_id, *values)
        )
        return [project_from_row(row) for row in rows], int(total)

    async def by_ids(self, ids: Collection[int]) -> list[Project]:
        if not ids:
            return []
        rows = await self._db.fetch_all(
            f"SELECT * FROM projects WHERE id IN ({placeholders(ids)}) ORDER BY id", tuple(ids)
        )
        return [project_from_row(row) for row in rows]
