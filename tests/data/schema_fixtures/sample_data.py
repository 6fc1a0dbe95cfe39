"""Realistic rows for the schema fixtures: one small building's week, in every table.

`make_fixture.py` writes, for schema version N, the rows of the tables that exist at N, with
only the columns that exist at N. A migration that adds a table (or a NOT NULL column without
a default) must add rows (or values) here before the fixture of its version can be made.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from bot.domain.learned_model import ModelDelta

T0 = 1_795_651_200  # 2026-11-26 00:00 UTC (08:00 in Shanghai)
HOUR = 3600
DAY = 24 * HOUR

HEAD, RESIDENT, NEIGHBOUR, VOLUNTEER, MANAGER = 700001, 700002, 700003, 700004, 700005
GROUP = -1001234567890
OTHER_GROUP = -1009876543210  # a group still waiting for its building
BUILDING = 1

# The packaged classifier model adaptations were learned for (`bot/domain/classifier_model.zip`):
# its version and weight columns (13 labels, then the urgent logit).
MODEL_VERSION = "47823131925e"
MODEL_COLUMNS = 14

SURVEY_SUGGESTION = "希望增加电动车充电桩，方便老人的代步车"
DECISION_PAINT = "2单元楼道粉刷，由物业负责，月底前完成"
DECISION_SHELTER = "车棚位置下月在群里投票决定 (vote on the bike shelter site next month)"

# A 1x1 PNG: the chart that travels with a weekly report.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _rules(options: list[dict[str, str]], **flags: object) -> str:
    rules = {
        "options": options,
        "secret": False,
        "per_household": False,
        "multi": False,
        "quorum": None,
        "pass": {"share": "1/2", "strict": True},
        **flags,
    }
    return json.dumps(rules, ensure_ascii=False)


def _content_hash(text: str) -> str:
    """How the send journal tells messages of one update apart (`bot.send_journal`)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _sent(message_id: int, date: int, chat_id: int, chat_type: str) -> str:
    """What the journal keeps of a message Telegram confirmed: no names, no texts."""
    return json.dumps(
        {"message_id": message_id, "date": date, "chat": {"id": chat_id, "type": chat_type}}
    )


def _delta(version: str, buckets: tuple[int, ...]) -> bytes:
    """An adaptation as `courtyard train` stores it: small weight changes for a few buckets."""
    weights = np.linspace(-0.25, 0.25, len(buckets) * MODEL_COLUMNS, dtype=np.float32)
    delta = ModelDelta(
        buckets, weights.reshape(len(buckets), MODEL_COLUMNS), version, MODEL_VERSION
    )
    return delta.to_bytes()


def _adaptation_report(
    version: str, *, before: tuple[int, int, int], after: tuple[int, int, int]
) -> str:
    """Held-out figures (examples, right, false requests) before and after, as stored."""

    def figures(score: tuple[int, int, int]) -> dict[str, int]:
        return {"examples": score[0], "right": score[1], "false": score[2]}

    report = {"held_out_before": figures(before), "held_out_after": figures(after)}
    return json.dumps({**report, "version": version}, sort_keys=True)


def _list_events(*events: tuple[str, int, int | None, str, str, int]) -> list[dict[str, object]]:
    keys = ("item_kind", "item_id", "actor_id", "action", "note", "at")
    return [{"id": n, **dict(zip(keys, event, strict=True))} for n, event in enumerate(events, 1)]


def _questions(*questions: tuple[str, str, list[str]]) -> str:
    return json.dumps(
        [{"kind": kind, "text": text, "options": options} for kind, text, options in questions],
        ensure_ascii=False,
    )


def _answer(
    answer_id: int,
    response_id: int,
    survey_id: int,
    question: int,
    *,
    at: int,
    choices: list[int] | None = None,
    rating: int | None = None,
    text: str | None = None,
) -> dict[str, object]:
    return {
        "id": answer_id,
        "response_id": response_id,
        "survey_id": survey_id,
        "question": question,
        "choices": None if choices is None else json.dumps(choices),
        "rating": rating,
        "text": text,
        "at": at,
    }


def _care_events(*events: tuple[str, int]) -> list[dict[str, object]]:
    return [
        {"id": n, "building_id": BUILDING, "kind": kind, "at": at}
        for n, (kind, at) in enumerate(events, 1)
    ]


ROWS: dict[str, list[dict[str, object]]] = {
    "people": [
        {
            "id": HEAD,
            "first_name": "王",
            "last_name": "建国",
            "username": "wang_head",
            "language_code": "zh-hans",
            "language": "zh",
            "started_bot_at": T0 - 30 * DAY,
            "phone": "+8613800138000",
            "created_at": T0 - 30 * DAY,
            "updated_at": T0 - DAY,
        },
        {
            "id": RESIDENT,
            "first_name": "李",
            "last_name": "娜",
            "username": None,
            "language_code": "zh-hans",
            "started_bot_at": T0 - 10 * DAY,
            "created_at": T0 - 10 * DAY,
            "updated_at": T0 - 10 * DAY,
        },
        {
            "id": NEIGHBOUR,
            "first_name": "Emma",
            "last_name": "Schulz",
            "username": "emma_s",
            "language_code": "en",
            "language": "en",
            "created_at": T0 - 5 * DAY,
            "updated_at": T0 - 5 * DAY,
        },
        {
            "id": VOLUNTEER,
            "first_name": "张",
            "last_name": "师傅",
            "username": "zhang_fix",
            "language_code": "zh-hans",
            "started_bot_at": T0 - 20 * DAY,
            "created_at": T0 - 20 * DAY,
            "updated_at": T0 - 20 * DAY,
        },
        {
            "id": MANAGER,
            "first_name": "物业",
            "last_name": "赵经理",
            "username": "pm_zhao",
            "language_code": "zh-hans",
            "started_bot_at": T0 - 20 * DAY,
            "blocked_bot_at": T0 - 2 * DAY,
            "created_at": T0 - 20 * DAY,
            "updated_at": T0 - 2 * DAY,
        },
    ],
    "chats": [
        {
            "id": GROUP,
            "type": "supergroup",
            "title": "5号楼邻里群",
            "language": "zh",
            "active": 1,
            "building_id": BUILDING,
            "greeted_at": T0 - 30 * DAY,
            "created_at": T0 - 30 * DAY,
            "updated_at": T0 - 30 * DAY,
        },
        {
            "id": HEAD,
            "type": "private",
            "title": None,
            "language": "zh",
            "created_at": T0 - 30 * DAY,
            "updated_at": T0 - 30 * DAY,
        },
        {
            "id": -4000111222,
            "type": "group",
            "title": "old group",
            "active": 0,
            "migrated_to": GROUP,
            "created_at": T0 - 40 * DAY,
            "updated_at": T0 - 30 * DAY,
        },
    ],
    "inbox": [
        {
            "update_id": 880001,
            "payload": json.dumps(
                {"update_id": 880001, "message": {"message_id": 41, "text": "3单元的水管爆了"}},
                ensure_ascii=False,
            ),
            "received_at": T0,
            "arrived_after": T0 - 30,
            "handled_at": T0 + 1,
        },
        {
            "update_id": 880002,
            "payload": json.dumps({"update_id": 880002, "message": {"message_id": 42}}),
            "received_at": T0 + 60,
            "arrived_after": T0 + 55,
            "handled_at": None,
        },
    ],
    "bot_state": [
        {"key": "next_update_offset", "value": "880003"},
        {"key": "last_weekly_report", "value": "2026-11-23T01:00:00+00:00"},
    ],
    "buildings": [
        {
            "id": BUILDING,
            "name": "5号楼",
            "name_key": "5号楼",
            "language": "zh",
            "timezone": "Asia/Shanghai",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "total_households": 120,
            "auto_approve": 0,
            "residents_may_poll": 1,
            "chat_admins_are_heads": None,
            "from_config": 0,
            "created_at": T0 - 30 * DAY,
            "updated_at": T0 - 3 * DAY,
        },
        {
            "id": 2,
            "name": "Block C",
            "name_key": "block c",
            "language": "en",
            "from_config": 1,
            "public": 1,
            "created_at": T0 - 25 * DAY,
            "updated_at": T0 - 25 * DAY,
        },
    ],
    "roles": [
        {
            "id": 1,
            "building_id": BUILDING,
            "person_id": HEAD,
            "role": "head",
            "categories": "",
            "level": None,
            "from_config": 0,
            "created_by": None,
            "created_at": T0 - 30 * DAY,
        },
        {
            "id": 2,
            "building_id": BUILDING,
            "person_id": VOLUNTEER,
            "role": "staff",
            "categories": "water,heating",
            "level": 1,
            "from_config": 0,
            "created_by": HEAD,
            "created_at": T0 - 20 * DAY,
        },
        {
            "id": 3,
            "building_id": BUILDING,
            "person_id": MANAGER,
            "role": "staff",
            "categories": "*",
            "level": 2,
            "from_config": 1,
            "created_by": None,
            "created_at": T0 - 20 * DAY,
        },
    ],
    "role_events": [
        {
            "id": 1,
            "building_id": BUILDING,
            "person_id": VOLUNTEER,
            "username": "zhang_fix",
            "role": "staff",
            "action": "add",
            "details": "water,heating L1",
            "actor_id": HEAD,
            "at": T0 - 20 * DAY,
        }
    ],
    "invites": [
        {
            "token": "inv-7Gq2xPz",
            "kind": "staff",
            "building_id": BUILDING,
            "target_person_id": None,
            "target_username": "new_plumber",
            "categories": "water",
            "level": 1,
            "created_by": HEAD,
            "created_at": T0 - DAY,
            "expires_at": T0 + 6 * DAY,
            "used_at": None,
            "used_by": None,
        }
    ],
    "households": [
        {
            "id": 1,
            "building_id": BUILDING,
            "unit": "3",
            "room": "502",
            "label": "3-502",
            "offline_contact": None,
            "registered_by": RESIDENT,
            "created_at": T0 - 10 * DAY,
        },
        {
            "id": 2,
            "building_id": BUILDING,
            "unit": "1",
            "room": "101",
            "label": "1-101",
            "offline_contact": "王奶奶 138****1234",
            "registered_by": HEAD,
            "created_at": T0 - 9 * DAY,
        },
    ],
    "household_members": [
        {
            "household_id": 1,
            "person_id": RESIDENT,
            "status": "approved",
            "requested_at": T0 - 10 * DAY,
            "heads_asked_at": T0 - 10 * DAY,
            "decided_by": HEAD,
            "decided_at": T0 - 10 * DAY + HOUR,
        },
        {
            "household_id": 1,
            "person_id": NEIGHBOUR,
            "status": "pending",
            "requested_at": T0 - DAY,
            "heads_asked_at": T0 - DAY + 5,
            "decided_by": None,
            "decided_at": None,
        },
    ],
    "conversations": [
        {
            "person_id": NEIGHBOUR,
            "kind": "join",
            "payload": json.dumps({"building_id": BUILDING}),
            "expires_at": T0 + HOUR,
        }
    ],
    "requests": [
        {
            "id": 1,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_message_id": 41,
            "card_chat_id": GROUP,
            "card_message_id": 43,
            "reporter_id": RESIDENT,
            "category": "water",
            "urgent": 1,
            "location": "3单元",
            "description": "3单元的水管爆了，楼道里全是水！",
            "status": "in_progress",
            "assignee_id": VOLUNTEER,
            "level": 1,
            "delivered": 1,
            "created_at": T0,
            "updated_at": T0 + 10 * 60,
            "responded_at": T0 + 5 * 60,
            "intake_update_id": 880001,
            "routed_at": T0 + 2,
        },
        {
            "id": 2,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_message_id": 77,
            "reporter_id": NEIGHBOUR,
            "category": "elevator",
            "urgent": 0,
            "location": None,
            "description": "The lift in unit 2 makes a grinding noise",
            "status": "resolved",
            "assignee_id": MANAGER,
            "level": 2,
            "delivered": 1,
            "resolution_note": "更换了导轨滑块",
            "satisfied": 1,
            "rating": 5,
            "created_at": T0 - 4 * DAY,
            "updated_at": T0 - 2 * DAY,
            "responded_at": T0 - 4 * DAY + 2 * HOUR,
            "resolved_at": T0 - 2 * DAY,
            "routed_at": T0 - 4 * DAY + 1,
            "category_alternative": "noise",
        },
        {
            "id": 3,
            "building_id": BUILDING,
            "chat_id": None,
            "source_message_id": None,
            "reporter_id": RESIDENT,
            "category": "noise",
            "urgent": 0,
            "description": "楼上每天半夜装修，电钻声很大",
            "status": "new",
            "delivered": 0,
            "created_at": T0 - 3 * DAY,
            "updated_at": T0 - 3 * DAY,
            "escalated_at": T0 - 2 * DAY,
            "routed_at": T0 - 3 * DAY + 1,
        },
    ],
    "request_photos": [
        {
            "request_id": 1,
            "file_id": "AgACAgUAAxkBAAIBQ2Z",
            "file_unique_id": "AQADx7oxG",
            "added_at": T0,
        }
    ],
    "request_events": [
        {
            "id": 1,
            "request_id": 1,
            "actor_id": RESIDENT,
            "action": "report",
            "from_status": None,
            "to_status": "new",
            "note": "",
            "at": T0,
        },
        {
            "id": 2,
            "request_id": 1,
            "actor_id": VOLUNTEER,
            "action": "start",
            "from_status": "new",
            "to_status": "in_progress",
            "note": "马上到",
            "at": T0 + 5 * 60,
        },
        {
            "id": 3,
            "request_id": 2,
            "actor_id": MANAGER,
            "action": "resolve",
            "from_status": "assigned",
            "to_status": "resolved",
            "note": "更换了导轨滑块",
            "at": T0 - 2 * DAY,
        },
    ],
    "request_supporters": [
        {"request_id": 1, "person_id": RESIDENT, "household_id": 1, "added_at": T0},
        {"request_id": 1, "person_id": NEIGHBOUR, "household_id": None, "added_at": T0 + 120},
    ],
    "suggestions": [
        {
            "id": 1,
            "kind": "duplicate",
            "chat_id": GROUP,
            "message_id": 45,
            "author_id": NEIGHBOUR,
            "building_id": BUILDING,
            "text": "water everywhere in unit 3 stairs",
            "photo_file_id": None,
            "photo_unique_id": None,
            "candidate_request_id": 1,
            "prompt_message_id": 46,
            "created_at": T0 + 100,
            "resolved_at": None,
        }
    ],
    "request_deliveries": [
        {"request_id": 1, "person_id": VOLUNTEER, "message_id": 901, "failure": None, "at": T0},
        {
            "request_id": 3,
            "person_id": MANAGER,
            "message_id": None,
            "failure": "Forbidden: bot was blocked by the user",
            "at": T0 - 2 * DAY,
        },
    ],
    "polls": [
        {
            "id": 1,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_message_id": 60,
            "message_id": 61,
            "creator_id": HEAD,
            "question": "空地改成小花园？",
            "rules": _rules(
                [{"default": "for"}, {"default": "against"}, {"default": "abstain"}],
                per_household=True,
                quorum={"share": "1/2"},
                **{"pass": {"share": "2/3", "strict": False}},
            ),
            "closes_at": T0 + 2 * DAY,
            "status": "open",
            "reminders_sent": "[24]",
            "created_at": T0 - DAY,
            "eligible_households": "[1, 2]",
            "household_total": 120,
        },
        {
            "id": 2,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_message_id": 20,
            "message_id": 21,
            "creator_id": HEAD,
            "question": "Which topic next month?",
            "rules": _rules([{"label": "Parking"}, {"label": "Garden"}], multi=True),
            "closes_at": T0 - 5 * DAY,
            "status": "closed",
            "closed_at": T0 - 5 * DAY,
            "result": json.dumps({"counts": [3, 5], "voters": 7}),
            "reminders_sent": "[1, 24]",
            "created_at": T0 - 7 * DAY,
        },
    ],
    "poll_votes": [
        {
            "poll_id": 1,
            "voter_id": RESIDENT,
            "household_id": 1,
            "choices": "[0]",
            "cast_at_us": (T0 - HOUR) * 1_000_000 + 123_456,
            "proxy_by": None,
        },
        {
            "poll_id": 1,
            "voter_id": -2,
            "household_id": 2,
            "choices": "[1]",
            "cast_at_us": (T0 - HOUR) * 1_000_000 + 500_000,
            "proxy_by": HEAD,
        },
    ],
    "outbox": [
        {
            "id": 1,
            "dedup_key": "digest|700004|2026-11-26|1",
            "chat_id": VOLUNTEER,
            "text": "您有 1 个待处理的报修：\n#1 水管爆了（紧急）",
            "reply_markup": json.dumps(
                {"inline_keyboard": [[{"text": "处理中", "callback_data": "req:1:start"}]]},
                ensure_ascii=False,
            ),
            "reply_to_message_id": None,
            "fallback_chat_id": GROUP,
            "fallback_text": "@zhang_fix 请查看私信",
            "created_at": T0 + HOUR,
            "next_attempt_at": T0 + HOUR + 20,
            "attempts": 2,
            "sent_at": None,
            "failed_at": None,
            "last_error": "Timed out",
        },
        {
            "id": 2,
            "dedup_key": "weekly|2026-W48|-1001234567890|chart",
            "chat_id": GROUP,
            "text": "本周报告",
            "created_at": T0 - DAY,
            "next_attempt_at": T0 - DAY,
            "attempts": 1,
            "sent_at": T0 - DAY + 3,
            "photo": PNG,
        },
        {
            "id": 3,
            "dedup_key": "ping|3|respond-overdue|700005",
            "chat_id": MANAGER,
            "text": "#3 已超时",
            "created_at": T0 - 2 * DAY,
            "next_attempt_at": T0 - 2 * DAY,
            "attempts": 1,
            "failed_at": T0 - 2 * DAY + 1,
            "last_error": "Forbidden: bot was blocked by the user",
        },
    ],
    "sent_pings": [
        {"dedup_key": "ping|3|respond-overdue|700005", "request_id": 3, "at": T0 - 2 * DAY},
    ],
    "staff_settings": [
        {
            "person_id": VOLUNTEER,
            "digest_time": "08:30",
            "digest_paused": 0,
            "last_digest_on": "2026-11-25",
        },
        {"person_id": MANAGER, "digest_time": None, "digest_paused": 1, "last_digest_on": None},
    ],
    # --- schema 9 (issue 11): the journal, bots in groups, building requests ---
    "journal": [
        {
            "scope": "u880002",  # the update still waiting in `inbox` had sent its reply
            "step": f"sendMessage:{GROUP}:{_content_hash('已收到，正在处理')}#0",
            "chat_id": GROUP,
            "value": _sent(44, T0 + 61, GROUP, "supergroup"),
            "at": T0 + 61,
        },
        {
            "scope": "request:1:card",
            "step": f"sendMessage:{GROUP}#0",
            "chat_id": GROUP,
            "value": _sent(43, T0 + 1, GROUP, "supergroup"),
            "at": T0 + 1,
        },
        {
            "scope": "request:1:staff:700004",
            "step": f"sendMessage:{VOLUNTEER}#0",
            "chat_id": VOLUNTEER,
            "value": _sent(901, T0 + 2, VOLUNTEER, "private"),
            "at": T0 + 2,
        },
    ],
    "chat_bots": [
        {"chat_id": GROUP, "bot_id": 5550001234},
        {"chat_id": GROUP, "bot_id": 5550005678},
    ],
    "building_requests": [
        {
            "id": 1,
            "chat_id": GROUP,
            "name": "5号楼",
            "requested_by": HEAD,
            "requested_at": T0 - 30 * DAY - HOUR,
            "status": "approved",
            "decided_by": MANAGER,
            "decided_at": T0 - 30 * DAY,
            "building_id": BUILDING,
        },
        {
            "id": 2,
            "chat_id": OTHER_GROUP,
            "name": "Block D",
            "requested_by": NEIGHBOUR,
            "requested_at": T0 - 2 * HOUR,
            "status": "rejected",  # replaced by the group's request with another name
            "decided_by": None,
            "decided_at": T0 - HOUR,
            "building_id": None,
        },
        {
            "id": 3,
            "chat_id": OTHER_GROUP,
            "name": "Block D (east gate)",
            "requested_by": NEIGHBOUR,
            "requested_at": T0 - HOUR,
            "status": "pending",
            "decided_by": None,
            "decided_at": None,
            "building_id": None,
        },
    ],
    # --- schema 10 (issue 12): what the classifier learned from corrections ---
    "classifier_corrections": [
        {
            "id": 1,
            "subject": "r:2",
            "building_id": BUILDING,
            "request_id": 2,
            "author_id": NEIGHBOUR,
            "actor_id": MANAGER,
            "kind": "category",
            "text": "The lift in unit 2 makes a grinding noise",
            "is_request": 1,
            "category": "elevator",
            "urgent": 0,
            "predicted": "noise",
            "created_at": T0 - 4 * DAY + HOUR,
        },
        {
            "id": 2,
            "subject": f"m:{GROUP}:45",
            "building_id": BUILDING,
            "request_id": None,
            "author_id": NEIGHBOUR,
            "actor_id": HEAD,
            "kind": "dismissed",
            "text": "water everywhere in unit 3 stairs",
            "is_request": 0,
            "category": None,
            "urgent": 0,
            "predicted": "borderline",
            "created_at": T0 + 300,
        },
        {
            "id": 3,
            "subject": "r:1",
            "building_id": BUILDING,
            "request_id": 1,
            "author_id": RESIDENT,
            "actor_id": VOLUNTEER,
            "kind": "urgent",
            "text": "3单元的水管爆了，楼道里全是水！",
            "is_request": 1,
            "category": "water",
            "urgent": 1,
            "predicted": "",
            "created_at": T0 + 6 * 60,
        },
    ],
    "classifier_adaptations": [
        {
            "id": 1,
            "base_version": MODEL_VERSION,
            "examples": 2,
            "last_correction_id": 2,
            "delta": _delta("a1-c2", (1201, 8800)),
            "report": _adaptation_report("a1-c2", before=(2, 1, 1), after=(2, 1, 0)),
            "active": 0,
            "created_at": T0 + HOUR,
            "rolled_back_at": T0 + 2 * HOUR,
        },
        {
            "id": 2,
            "base_version": MODEL_VERSION,
            "examples": 3,
            "last_correction_id": 3,
            "delta": _delta("a2-c3", (1201, 8800, 15011)),
            "report": _adaptation_report("a2-c3", before=(3, 2, 1), after=(3, 3, 0)),
            "active": 1,
            "created_at": T0 + 2 * HOUR + 60,
            "rolled_back_at": None,
        },
    ],
    # --- schema 12 (issue 15): needs, projects, meetings, decisions, boards ---
    "needs": [
        {
            "id": 1,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_key": f"{GROUP}:55",
            "card_message_id": 56,
            "author_id": RESIDENT,
            "text": "希望把楼下空地改成小花园，给老人孩子一个休息的地方",
            "public": 1,
            "status": "adopted",
            "support": 2,
            "created_at": T0 - 8 * DAY,
            "updated_at": T0 - 3 * DAY,
        },
        {
            "id": 2,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_key": f"{GROUP}:58",
            "card_message_id": 59,
            "author_id": NEIGHBOUR,
            "text": "Please add a covered bike shelter near unit 2",
            "public": 1,
            "status": "forwarded",
            "support": 2,
            "created_at": T0 - 7 * DAY,
            "updated_at": T0 - 6 * DAY + 13 * HOUR,
        },
        {
            "id": 3,
            "building_id": BUILDING,
            "chat_id": None,  # proposed in a private chat: the text stays private
            "source_key": f"{RESIDENT}:88",
            "card_message_id": None,
            "author_id": RESIDENT,
            "text": "楼道灯晚上太暗了，老人上下楼不安全",
            "public": 0,
            "status": "declined",
            "support": 1,
            "decline_reason": "物业已于本周换成感应灯",
            "created_at": T0 - 7 * DAY + HOUR,
            "updated_at": T0 - 4 * DAY,
        },
        {
            "id": 4,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_key": f"{GROUP}:64",
            "card_message_id": 65,
            "author_id": HEAD,
            "text": "楼下想要一个自行车棚",
            "public": 1,
            "status": "merged",
            "support": 1,
            "merged_into": 2,
            "created_at": T0 - 6 * DAY,
            "updated_at": T0 - 6 * DAY + HOUR,
        },
        {
            "id": 5,
            "building_id": BUILDING,
            "chat_id": None,
            "source_key": "survey:1:6",  # a survey suggestion the head sent to the list
            "card_message_id": None,
            "author_id": HEAD,
            "text": SURVEY_SUGGESTION,
            "public": 0,
            "status": "open",
            "support": 1,
            "created_at": T0 - 2 * DAY,
            "updated_at": T0 - 2 * DAY,
        },
    ],
    "need_supporters": [
        {"need_id": 1, "supporter_key": "h1", "person_id": RESIDENT, "added_at": T0 - 8 * DAY},
        {
            "need_id": 1,
            "supporter_key": f"p{NEIGHBOUR}",
            "person_id": NEIGHBOUR,
            "added_at": T0 - 8 * DAY + HOUR,
        },
        {
            "need_id": 2,
            "supporter_key": f"p{NEIGHBOUR}",
            "person_id": NEIGHBOUR,
            "added_at": T0 - 7 * DAY,
        },
        {
            "need_id": 3,
            "supporter_key": "h1",
            "person_id": RESIDENT,
            "added_at": T0 - 7 * DAY + HOUR,
        },
        {"need_id": 4, "supporter_key": f"p{HEAD}", "person_id": HEAD, "added_at": T0 - 6 * DAY},
        {"need_id": 2, "supporter_key": f"p{HEAD}", "person_id": HEAD, "added_at": T0 - 6 * DAY},
        {"need_id": 5, "supporter_key": f"p{HEAD}", "person_id": HEAD, "added_at": T0 - 2 * DAY},
    ],
    "projects": [
        {
            "id": 1,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_key": f"{GROUP}:66",
            "card_message_id": 67,
            "title": "空地改造小花园",
            "owner_id": VOLUNTEER,
            "budget_cents": 1_200_000,
            "funding": "公共收益",
            "target_date": "2027-04-30",
            "status": "voting",
            "percent": 0,
            "poll_id": 1,
            "created_by": HEAD,
            "created_at": T0 - 3 * DAY,
            "updated_at": T0 - DAY,
        },
        {
            "id": 2,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_key": "decision:1:1",
            "card_message_id": 81,
            "title": "2单元楼道粉刷",
            "owner_id": MANAGER,
            "budget_cents": 350_000,
            "funding": "物业费",
            "target_date": "2026-11-30",
            "status": "done",
            "percent": 100,
            "created_by": HEAD,
            "created_at": T0 - 6 * DAY + 13 * HOUR + 60,
            "updated_at": T0 - 3 * DAY,
            "done_at": T0 - 3 * DAY,
            "evaluation_round": 1,
            "evaluation_closes_at": T0 + 4 * DAY,
        },
        {
            "id": 3,
            "building_id": 2,
            "chat_id": None,
            "source_key": f"{HEAD}:130",
            "card_message_id": None,
            "title": "New bike racks by the east gate",
            "owner_id": NEIGHBOUR,
            "budget_cents": 80_000,
            "funding": "residents' fund",
            "target_date": None,
            "status": "reopened",
            "percent": 100,
            "poll_result": json.dumps({"poll": 2, "counts": [3, 5], "passed": None}),
            "created_by": HEAD,
            "created_at": T0 - 25 * DAY,
            "updated_at": T0 - 13 * DAY,
            "done_at": T0 - 20 * DAY,
            "evaluation_round": 1,
            "evaluation_closes_at": None,
            "evaluation": json.dumps(
                {
                    "round": 1,
                    "satisfied": 1,
                    "fairly_satisfied": 0,
                    "dissatisfied": 3,
                    "threshold": 60,
                    "percent": 25,
                    "verdict": "reopened",
                }
            ),
        },
    ],
    "project_photos": [
        {
            "project_id": 2,
            "phase": "before",
            "file_id": "AgACAgUAAxkBAAIBZ1Y",
            "file_unique_id": "AQADy1pxG",
            "added_at": T0 - 6 * DAY + 14 * HOUR,
        },
        {
            "project_id": 2,
            "phase": "after",
            "file_id": "AgACAgUAAxkBAAIBaGE",
            "file_unique_id": "AQADz8qxG",
            "added_at": T0 - 3 * DAY,
        },
        {
            "project_id": 1,
            "phase": "before",
            "file_id": "AgACAgUAAxkBAAIBcXo",
            "file_unique_id": "AQADa3rxG",
            "added_at": T0 - 3 * DAY + HOUR,
        },
    ],
    "project_ratings": [
        {"project_id": 2, "round": 1, "voter_key": "h1", "score": 2, "at": T0 - 2 * DAY},
        {"project_id": 2, "round": 1, "voter_key": f"p{NEIGHBOUR}", "score": 1, "at": T0 - DAY},
        {
            "project_id": 3,
            "round": 1,
            "voter_key": f"p{NEIGHBOUR}",
            "score": 2,
            "at": T0 - 19 * DAY,
        },
        {"project_id": 3, "round": 1, "voter_key": f"p{HEAD}", "score": 0, "at": T0 - 18 * DAY},
        {
            "project_id": 3,
            "round": 1,
            "voter_key": f"p{VOLUNTEER}",
            "score": 0,
            "at": T0 - 18 * DAY,
        },
        {"project_id": 3, "round": 1, "voter_key": f"p{MANAGER}", "score": 0, "at": T0 - 15 * DAY},
    ],
    "list_events": _list_events(
        ("need", 1, RESIDENT, "propose", "", T0 - 8 * DAY),
        ("need", 2, NEIGHBOUR, "propose", "", T0 - 7 * DAY),
        ("need", 3, RESIDENT, "propose", "", T0 - 7 * DAY + HOUR),
        ("need", 4, HEAD, "propose", "", T0 - 6 * DAY),
        ("need", 4, HEAD, "merged", "N2", T0 - 6 * DAY + HOUR),
        ("need", 2, HEAD, "merged_in", "N4", T0 - 6 * DAY + HOUR),
        ("meeting", 1, HEAD, "call", "5号楼一层活动室", T0 - 9 * DAY),
        ("decision", 1, HEAD, "decide", DECISION_PAINT, T0 - 6 * DAY + 13 * HOUR),
        ("decision", 2, HEAD, "decide", DECISION_SHELTER, T0 - 6 * DAY + 13 * HOUR),
        ("need", 2, HEAD, "decision", f"M1/D2: {DECISION_SHELTER}", T0 - 6 * DAY + 13 * HOUR),
        ("project", 2, HEAD, "planned", "", T0 - 6 * DAY + 13 * HOUR + 60),
        ("project", 2, MANAGER, "photo", "before", T0 - 6 * DAY + 14 * HOUR),
        ("meeting", 1, HEAD, "attendance", "14", T0 - 5 * DAY),
        ("meeting", 1, HEAD, "minutes", "1: 物业负责粉刷，月底前完成", T0 - 5 * DAY),
        ("meeting", 1, HEAD, "publish", "", T0 - 5 * DAY + 60),
        ("need", 3, HEAD, "declined", "物业已于本周换成感应灯", T0 - 4 * DAY),
        ("project", 2, MANAGER, "progress", "50% · 已刷完一至三层", T0 - 4 * DAY),
        ("project", 1, HEAD, "planned", "", T0 - 3 * DAY),
        ("need", 1, HEAD, "adopted", "PJ1", T0 - 3 * DAY),
        ("project", 1, VOLUNTEER, "photo", "before", T0 - 3 * DAY + HOUR),
        ("project", 2, MANAGER, "done", "", T0 - 3 * DAY),
        ("decision", 1, None, "done", "PJ2", T0 - 3 * DAY),
        ("meeting", 3, HEAD, "cancel", "台风预警，会议改期", T0 - 3 * DAY),
        ("need", 5, HEAD, "propose", "", T0 - 2 * DAY),
        ("project", 1, HEAD, "voting", "#P1", T0 - DAY),
        ("project", 3, None, "evaluation_reopened", "25% / 60%", T0 - 13 * DAY),
    ),
    "list_links": [
        {
            "from_kind": "need",
            "from_id": 4,
            "to_kind": "need",
            "to_id": 2,
            "created_at": T0 - 6 * DAY + HOUR,
        },
        {
            "from_kind": "meeting",
            "from_id": 1,
            "to_kind": "decision",
            "to_id": 1,
            "created_at": T0 - 6 * DAY + 13 * HOUR,
        },
        {
            "from_kind": "meeting",
            "from_id": 1,
            "to_kind": "decision",
            "to_id": 2,
            "created_at": T0 - 6 * DAY + 13 * HOUR,
        },
        {
            "from_kind": "need",
            "from_id": 2,
            "to_kind": "decision",
            "to_id": 2,
            "created_at": T0 - 6 * DAY + 13 * HOUR,
        },
        {
            "from_kind": "decision",
            "from_id": 1,
            "to_kind": "project",
            "to_id": 2,
            "created_at": T0 - 6 * DAY + 13 * HOUR + 60,
        },
        {
            "from_kind": "need",
            "from_id": 1,
            "to_kind": "project",
            "to_id": 1,
            "created_at": T0 - 3 * DAY,
        },
        {
            "from_kind": "project",
            "from_id": 1,
            "to_kind": "poll",
            "to_id": 1,
            "created_at": T0 - DAY,
        },
    ],
    "meetings": [
        {
            "id": 1,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_key": f"{GROUP}:52",
            "message_id": 53,
            "creator_id": HEAD,
            "starts_at": T0 - 6 * DAY + 11 * HOUR,  # 19:00 in Shanghai
            "place": "5号楼一层活动室",
            "status": "planned",
            "attendance_count": 14,
            "attendance_names": "王建国、李娜、张师傅、Emma Schulz 等",
            "minutes_published_at": T0 - 5 * DAY + 60,
            "next_reminder_at": None,
            "reminders_sent": "[1, 24]",
            "created_at": T0 - 9 * DAY,
        },
        {
            "id": 2,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_key": f"private:{HEAD}:140",  # called through the private wizard
            "message_id": 70,
            "creator_id": HEAD,
            "starts_at": T0 + 3 * DAY + 11 * HOUR,
            "place": "小区南门凉亭 (south gate pavilion)",
            "status": "planned",
            "next_reminder_at": T0 + 2 * DAY + 11 * HOUR,
            "reminders_sent": "[]",
            "created_at": T0 - DAY,
        },
        {
            "id": 3,
            "building_id": BUILDING,
            "chat_id": GROUP,
            "source_key": f"{GROUP}:68",
            "message_id": 69,
            "creator_id": HEAD,
            "starts_at": T0 - 2 * DAY + 11 * HOUR,
            "place": "5号楼一层活动室",
            "status": "cancelled",
            "cancel_reason": "台风预警，会议改期",
            "next_reminder_at": None,
            "reminders_sent": "[]",
            "created_at": T0 - 5 * DAY,
        },
    ],
    "meeting_items": [
        {
            "meeting_id": 1,
            "position": 1,
            "title": "2单元楼道粉刷",
            "ref_kind": None,
            "ref_id": None,
            "summary": "物业负责粉刷，月底前完成",
        },
        {
            "meeting_id": 1,
            "position": 2,
            "title": "Bike shelter near unit 2",
            "ref_kind": "need",
            "ref_id": 2,
            "summary": "位置有争议，下月投票",
        },
        {
            "meeting_id": 2,
            "position": 1,
            "title": "小花园方案",
            "ref_kind": "project",
            "ref_id": 1,
            "summary": None,
        },
        {
            "meeting_id": 2,
            "position": 2,
            "title": "Night parking in the fire lane",
            "ref_kind": None,
            "ref_id": None,
            "summary": None,
        },
        {
            "meeting_id": 3,
            "position": 1,
            "title": "电梯维保合同续签",
            "ref_kind": "request",
            "ref_id": 2,
            "summary": None,
        },
    ],
    "meeting_rsvps": [
        {
            "meeting_id": 2,
            "person_id": RESIDENT,
            "answer": "yes",
            "marked_by": None,
            "at": T0 - DAY + HOUR,
        },
        {
            "meeting_id": 2,
            "person_id": NEIGHBOUR,
            "answer": "maybe",
            "marked_by": None,
            "at": T0 - 20 * 60,
        },
        {
            "meeting_id": 2,
            "person_id": VOLUNTEER,
            "answer": "no",
            "marked_by": None,
            "at": T0 - 10 * 60,
        },
        # 1-101 has no Telegram: the head marked the household as coming.
        {"meeting_id": 2, "person_id": -2, "answer": "yes", "marked_by": HEAD, "at": T0 - 5 * 60},
    ],
    "decisions": [
        {
            "id": 1,
            "meeting_id": 1,
            "item_position": 1,
            "building_id": BUILDING,
            "kind": "project",
            "text": DECISION_PAINT,
            "votes_for": 12,
            "votes_against": 1,
            "owner_id": MANAGER,
            "due_at": T0 + 4 * DAY + 15 * HOUR,  # 30 November, end of the day
            "subject_kind": "project",
            "subject_id": 2,
            "status": "done",
            "done_at": T0 - 3 * DAY,
            "next_ping_at": None,
            "pings_sent": "[]",
            "created_by": HEAD,
            "created_at": T0 - 6 * DAY + 13 * HOUR,
        },
        {
            "id": 2,
            "meeting_id": 1,
            "item_position": 2,
            "building_id": BUILDING,
            "kind": "poll",
            "text": DECISION_SHELTER,
            "votes_for": None,
            "votes_against": None,
            "owner_id": HEAD,
            "due_at": T0 + 8 * DAY + 13 * HOUR,  # the default 14 days
            "subject_kind": None,
            "subject_id": None,
            "status": "open",
            "next_ping_at": T0 + 5 * DAY + HOUR,  # the reminder, three quarters of the way
            "pings_sent": "[]",
            "created_by": HEAD,
            "created_at": T0 - 6 * DAY + 13 * HOUR,
        },
    ],
    "boards": [
        {
            "chat_id": GROUP,
            "building_id": BUILDING,
            "enabled": 1,
            "message_id": 99,
            "pinned": 1,
            "text_hash": hashlib.sha256("📋 5号楼 公告板".encode()).hexdigest()[:32],
            "dirty": 0,
            "edited_at": T0 - DAY,
            "refresh_at": T0 + 16 * HOUR,  # midnight in Shanghai: "in N days" counts move
        },
    ],
    "list_settings": [
        {"building_id": BUILDING, "satisfaction_threshold": 70, "evaluation_days": 7},
    ],
    # --- schema 13 (issue 16): surveys and care check-ins ---
    "surveys": [
        {
            "id": 1,
            "building_id": BUILDING,
            "creator_id": HEAD,
            "title": "2026年冬季居民需求调查",
            "questions": _questions(
                ("single", "您家里有几位60岁以上的老人？", ["没有", "1位", "2位及以上"]),
                ("rating", "您对物业服务的满意度？", []),
                ("text", "您最希望小区改进什么？", []),
            ),
            "per_household": 1,
            "status": "closed",
            "opened_at": T0 - 20 * DAY,
            "closes_at": T0 - 13 * DAY,
            "closed_at": T0 - 13 * DAY,
            "announce_at": None,
            "reminders_sent": 2,
            "close_note_at": None,
            "next_due_at": None,
        },
        {
            "id": 2,
            "building_id": 2,
            "creator_id": HEAD,
            "title": "Bike parking at Block C",
            "questions": _questions(
                ("multi", "When do you cycle?", ["Weekdays", "Weekends"]),
                ("text", "Anything else we should know?", []),
            ),
            "per_household": 0,
            "status": "open",
            "opened_at": T0 - DAY,
            "closes_at": T0 + 6 * DAY,
            "closed_at": None,
            "announce_at": None,
            "reminders_sent": 0,
            "close_note_at": None,
            "next_due_at": T0 + 2 * DAY + 12 * HOUR,  # the halfway reminder
        },
    ],
    "survey_responses": [
        {
            "id": 1,
            "survey_id": 1,
            "respondent": "h1",
            "household_id": 1,
            "person_id": RESIDENT,
            "recorded_by": None,
            "completed_at": T0 - 19 * DAY,
            "updated_at": T0 - 19 * DAY,
        },
        {
            "id": 2,
            "survey_id": 1,
            "respondent": "h2",
            "household_id": 2,
            "person_id": None,  # answered at the door
            "recorded_by": VOLUNTEER,
            "completed_at": T0 - 17 * DAY,
            "updated_at": T0 - 17 * DAY,
        },
        {
            "id": 3,
            "survey_id": 2,
            "respondent": f"p{NEIGHBOUR}",
            "household_id": None,
            "person_id": NEIGHBOUR,
            "recorded_by": None,
            "completed_at": None,  # stopped after the first question
            "updated_at": T0 - 2 * HOUR,
        },
    ],
    "survey_answers": [
        _answer(1, 1, 1, 0, choices=[0], at=T0 - 19 * DAY - 120),
        _answer(2, 1, 1, 1, rating=3, at=T0 - 19 * DAY - 60),
        _answer(3, 1, 1, 2, text="楼道灯太暗，希望晚上亮一些", at=T0 - 19 * DAY),
        _answer(4, 2, 1, 0, choices=[2], at=T0 - 17 * DAY - 120),
        _answer(5, 2, 1, 1, rating=4, at=T0 - 17 * DAY - 60),
        _answer(6, 2, 1, 2, text=SURVEY_SUGGESTION, at=T0 - 17 * DAY),
        _answer(7, 3, 2, 0, choices=[0, 1], at=T0 - 2 * HOUR),
    ],
    "survey_visits": [
        {
            "id": 1,
            "survey_id": 1,
            "household_id": 2,
            "outcome": "nobody_home",
            "visitor_id": VOLUNTEER,
            "visited_on": "2026-11-07",
            "at": T0 - 19 * DAY + 2 * HOUR,
        },
        {
            "id": 2,
            "survey_id": 1,
            "household_id": 2,
            "outcome": "answered",
            "visitor_id": VOLUNTEER,
            "visited_on": "2026-11-09",
            "at": T0 - 17 * DAY,
        },
    ],
    "survey_followups": [
        {
            "id": 1,
            "survey_id": 1,
            "question": 2,
            "answer_id": 6,
            "target": "need",
            "target_id": 5,
            "summary": SURVEY_SUGGESTION,
            "households": 2,
            "created_by": HEAD,
            "at": T0 - 2 * DAY,
        },
    ],
    "care_enrolments": [
        {
            "id": 1,
            "building_id": BUILDING,
            "person_id": None,  # not on Telegram: her carers answer for her
            "name": "王奶奶",
            "flat": "1-101",
            "consent": "spoken",
            "consent_by": HEAD,
            "consent_note": "11月20日上门时本人口头同意",
            "cadence_days": 1,
            "check_time": "07:30",
            "grace_minutes": 120,
            "last_seen_at": T0 - DAY + 10 * 60,  # a carer saw her
            "awaiting_since": T0 - 30 * 60,  # this morning's check-in is not answered yet
            "next_checkin_at": T0 + DAY - 30 * 60,
            "missed_at": T0 + 90 * 60,
            "created_at": T0 - 6 * DAY,
        },
        {
            "id": 2,
            "building_id": BUILDING,
            "person_id": NEIGHBOUR,
            "name": "Emma Schulz",
            "flat": "3-502",
            "consent": "self",
            "consent_by": NEIGHBOUR,
            "consent_note": None,
            "cadence_days": 2,
            "check_time": "07:00",
            "grace_minutes": 120,
            "last_seen_at": T0 - DAY - HOUR + 10 * 60,  # "I'm fine"
            "awaiting_since": None,
            "next_checkin_at": T0 + DAY - HOUR,
            "missed_at": None,
            "created_at": T0 - 5 * DAY,
        },
    ],
    "care_carers": [
        {"enrolment_id": 1, "position": 0, "person_id": HEAD, "relation": "head"},
        {"enrolment_id": 1, "position": 1, "person_id": VOLUNTEER, "relation": "volunteer"},
        {"enrolment_id": 2, "position": 0, "person_id": VOLUNTEER, "relation": "volunteer"},
        {"enrolment_id": 2, "position": 1, "person_id": HEAD, "relation": "head"},
    ],
    "care_alerts": [
        {
            "id": 1,
            "enrolment_id": 2,
            "kind": "help",
            "since": T0 - 4 * DAY + 3 * HOUR,
            "step": 1,
            "alerted": json.dumps([VOLUNTEER]),
            "next_step_at": None,
            "acknowledged_by": VOLUNTEER,
            "handled_at": T0 - 4 * DAY + 3 * HOUR + 20 * 60,
            "handled_by": VOLUNTEER,
            "opened_at": T0 - 4 * DAY + 3 * HOUR,
        },
        {
            "id": 2,
            "enrolment_id": 2,
            "kind": "missed",
            "since": T0 - 3 * DAY - HOUR,
            "step": 1,
            "alerted": json.dumps([VOLUNTEER]),
            "next_step_at": None,
            "acknowledged_by": None,
            "handled_at": T0 - 3 * DAY + HOUR + 15 * 60,  # the volunteer saw her
            "handled_by": VOLUNTEER,
            "opened_at": T0 - 3 * DAY + HOUR,
        },
    ],
    "care_events": _care_events(
        ("enrolled", T0 - 6 * DAY),
        ("enrolled", T0 - 5 * DAY),
        ("help", T0 - 4 * DAY + 3 * HOUR),
        ("handled", T0 - 4 * DAY + 3 * HOUR + 20 * 60),
        ("asked", T0 - 3 * DAY - HOUR),
        ("missed", T0 - 3 * DAY + HOUR),
        ("handled", T0 - 3 * DAY + HOUR + 15 * 60),
        ("seen", T0 - 3 * DAY + HOUR + 15 * 60),
        ("asked", T0 - DAY - HOUR),
        ("fine", T0 - DAY - HOUR + 10 * 60),
        ("asked", T0 - DAY - 30 * 60),
        ("seen", T0 - DAY + 10 * 60),
        ("asked", T0 - 30 * 60),
    ),
}
