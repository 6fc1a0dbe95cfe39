"""Everything editing a request's cards needs, read in one round trip."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from storage.database import placeholders
from storage.people import Person, person_from_row
from storage.request_records import SELECT, Request, request_from_row


@dataclass(frozen=True)
class CardView:
    """A request with its staff cards and the people and languages its cards show."""

    request: Request
    deliveries: list[tuple[int, int]]  # (staff person id, private card message id)
    people: dict[int, Person]  # the reporter, the assignee and the staff with cards
    chat_language: str | None  # chosen for the group the card is in
    building_language: str | None


def read_card_view(request_id: int, conn: sqlite3.Connection) -> CardView | None:
    row = conn.execute(f"{SELECT} WHERE r.id = ?", (request_id,)).fetchone()
    if row is None:
        return None
    request = request_from_row(row)
    deliveries = [
        (int(person), int(message))
        for person, message in conn.execute(
            "SELECT person_id, message_id FROM request_deliveries WHERE request_id = ? "
            "AND message_id IS NOT NULL",
            (request_id,),
        )
    ]
    ids = {person for person, _message in deliveries}
    ids.update(p for p in (request.reporter_id, request.assignee_id) if p is not None)
    people = {
        int(person["id"]): person_from_row(person)
        for person in conn.execute(
            f"SELECT * FROM people WHERE id IN ({placeholders(ids)})", tuple(ids)
        )
    }
    languages = conn.execute(
        "SELECT (SELECT language FROM chats WHERE id = ?), "
        "(SELECT language FROM buildings WHERE id = ?)",
        (request.card_chat_id, request.building_id),
    ).fetchone()
    return CardView(request, deliveries, people, languages[0], languages[1])
