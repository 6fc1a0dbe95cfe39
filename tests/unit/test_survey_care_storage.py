"""Survey and care storage: coverage rows, once-only scheduled effects, indexed scans, deletion."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.domain.care import AlertKind, Cadence, CarerRelation, Consent
from bot.domain.coverage import Reach, VisitOutcome, checklist, checklist_key
from bot.domain.flats import Flat
from bot.domain.quiet_hours import QuietHours
from bot.domain.survey import Answer, Question, QuestionKind
from bot.domain.survey_schedule import due_actions
from storage.buildings import BuildingRepository
from storage.care import CareRepository, NewEnrolment
from storage.care_alerts import CareAlertRepository
from storage.database import Database
from storage.forget import FORGOTTEN, ForgetRepository
from storage.households import HouseholdRepository
from storage.needs import NeedRepository
from storage.outbox import OutboxRepository, OutgoingMessage
from storage.survey_followups import SurveyFollowUpRepository, SurveyNeed
from storage.survey_visits import SurveyVisitRepository
from storage.surveys import Respondent, SurveyRepository

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
QUESTIONS = [
    Question(QuestionKind.SINGLE, "Lift?", ("Good", "Bad")),
    Question(QuestionKind.TEXT, "Ideas?"),
]


@dataclass
class Store:
    db: Database
    clock: FakeClock
    building_id: int
    surveys: SurveyRepository
    visits: SurveyVisitRepository
    households: HouseholdRepository
    care: CareRepository
    alerts: CareAlertRepository
    outbox: OutboxRepository


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    db = Database(tmp_path / "c.db")
    await db.open()
    clock = FakeClock(NOW)
    building, _created = await BuildingRepository(db, clock).ensure("Building 5")
    yield Store(
        db,
        clock,
        building.id,
        SurveyRepository(db, clock),
        SurveyVisitRepository(db, clock),
        HouseholdRepository(db, clock),
        CareRepository(db, clock),
        CareAlertRepository(db, clock),
        OutboxRepository(db, clock),
    )
    await db.close()


async def _plan(db: Database, sql: str) -> str:
    rows = await db.fetch_all(f"EXPLAIN QUERY PLAN {sql}", [0] * sql.count("?"))
    return " | ".join(str(row["detail"]) for row in rows)


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (
            "SELECT * FROM surveys WHERE next_due_at IS NOT NULL AND next_due_at <= ? "
            "ORDER BY next_due_at LIMIT ?",
            "surveys_due",
        ),
        (
            "SELECT * FROM care_enrolments WHERE next_checkin_at <= ? "
            "ORDER BY next_checkin_at LIMIT ?",
            "care_checkins_due",
        ),
        (
            "SELECT * FROM care_enrolments WHERE missed_at IS NOT NULL AND missed_at <= ? "
            "ORDER BY missed_at LIMIT ?",
            "care_missed_due",
        ),
        (
            "SELECT * FROM care_alerts WHERE next_step_at IS NOT NULL AND next_step_at <= ? "
            "ORDER BY next_step_at LIMIT ?",
            "care_alerts_due",
        ),
    ],
)
async def test_scheduled_scans_read_only_what_is_due_through_an_index(
    store: Store, sql: str, index: str
) -> None:
    plan = await _plan(store.db, sql)
    assert f"USING INDEX {index}" in plan
    assert "SCAN" not in plan.replace(f"SCAN {index}", "")


async def _survey(store: Store, *, per_household: bool = True) -> int:
    survey = await store.surveys.create(
        store.building_id,
        1,
        "Living here",
        QUESTIONS,
        per_household=per_household,
        closes_at=NOW + timedelta(days=7),
        announce_at=NOW,
    )
    return survey.id


async def test_reach_rows_follow_answers_and_visits(store: Store) -> None:
    ids = {
        label: await store.visits.ensure_household(store.building_id, Flat(*label.split("-")), 1)
        for label in ("1-101", "1-102", "2-301", "2-302")
    }
    survey_id = await _survey(store)
    survey = await store.surveys.get(survey_id)
    assert survey is not None
    on_telegram = Respondent.household(ids["1-101"], 7)
    await store.surveys.save_answer(
        survey_id, on_telegram, 0, Answer(choices=(1,)), recorded_by=None
    )
    await store.surveys.complete(survey_id, on_telegram, recorded_by=None, visited_on=None)
    await store.visits.record(
        survey_id,
        ids["2-301"],
        VisitOutcome.NOBODY_HOME,
        visitor_id=9,
        visited_on=date(2026, 11, 23),
    )
    at_door = Respondent.household(ids["2-302"], None)
    await store.surveys.save_answer(survey_id, at_door, 1, Answer(text="Trees"), recorded_by=9)
    await store.surveys.complete(survey_id, at_door, recorded_by=9, visited_on="2026-11-23")
    await store.surveys.complete(survey_id, at_door, recorded_by=9, visited_on="2026-11-23")
    reach = {h.label: h for h in await store.visits.reach(survey)}
    assert reach["1-101"].reach is Reach.ANSWERED
    assert reach["1-101"].visits == 0
    assert reach["2-301"].reach is Reach.NOBODY_HOME
    assert reach["2-302"].reach is Reach.ANSWERED
    assert reach["2-302"].visits == 1  # finishing twice on the same day is one visit
    assert [h.label for h in checklist(reach.values())] == ["1-102", "2-301", "1-101", "2-302"]
    assert sorted(reach.values(), key=checklist_key)[0].label == "1-102"
    assert await store.surveys.respondents(survey_id) == (2, 2)
    exported = await store.surveys.export(survey_id)
    assert [(r.household, r.via_visit) for r in exported] == [("1-101", False), ("2-302", True)]


async def test_survey_schedule_advances_once(store: Store) -> None:
    survey_id = await _survey(store)
    survey = await store.surveys.get(survey_id)
    assert survey is not None
    actions = due_actions(survey.times, NOW, UTC, QuietHours.never())
    message = OutgoingMessage("survey:announce", -100, "New survey")
    assert await store.surveys.advance(survey, actions.after, actions.next_due_at, [message])
    # A second run that read the same row before the first one wrote changes nothing.
    assert not await store.surveys.advance(survey, actions.after, actions.next_due_at, [message])
    assert await store.outbox.pending_count() == 1
    refreshed = await store.surveys.get(survey_id)
    assert refreshed is not None
    assert refreshed.announce_at is None
    assert refreshed.next_due_at == NOW + timedelta(days=3.5)


async def test_followups_go_once_through_the_needs_seam(store: Store) -> None:
    survey_id = await _survey(store)
    followups = SurveyFollowUpRepository(store.db, store.clock)
    need = SurveyNeed(store.building_id, survey_id, 1, "Trees", "greenery", 3, 1)
    first = await followups.to_needs(need, answer_id=5)
    assert first is not None
    assert first.target == "need"
    assert first.target_id is not None
    created = await NeedRepository(store.db, store.clock).get(first.target_id)
    assert created is not None
    # On the needs list, proposed by the head, and private until the head shows it.
    assert (created.building_id, created.text, created.public) == (
        store.building_id,
        "Trees",
        False,
    )
    assert await followups.to_needs(need, answer_id=5) is None
    assert await followups.claim_request(survey_id, 1, 5, "Trees", 3, 1)
    assert not await followups.claim_request(survey_id, 1, 5, "Trees", 3, 1)
    await followups.link_request(survey_id, 5, 42)
    assert {(f.target, f.target_id) for f in await followups.of_survey(survey_id)} == {
        ("need", first.target_id),
        ("request", 42),
    }


async def test_forgetting_a_person_removes_their_own_answers(store: Store) -> None:
    survey_id = await _survey(store, per_household=False)
    person = Respondent.person(7, None)
    await store.surveys.save_answer(survey_id, person, 0, Answer(choices=(0,)), recorded_by=None)
    await ForgetRepository(store.db, store.clock).forget(7)
    assert await store.surveys.response(survey_id, person.key) is None


def _enrolment(store: Store, person_id: int | None) -> NewEnrolment:
    return NewEnrolment(
        building_id=store.building_id,
        person_id=person_id,
        name="王奶奶",
        flat="3-502",
        consent=Consent.SPOKEN,
        consent_by=1,
        consent_note="agreed at her door",
        cadence=Cadence.DAILY,
        check_time=time(9, 0),
        grace=timedelta(hours=2),
        carers=((11, CarerRelation.HEAD), (12, CarerRelation.VOLUNTEER)),
    )


async def test_check_in_goes_once_and_an_alert_opens_once(store: Store) -> None:
    enrolment = await store.care.enrol(_enrolment(store, None), NOW)
    assert [c.person_id for c in enrolment.carers] == [11, 12]
    due = await store.care.due_checkins(NOW)
    assert [e.id for e in due] == [enrolment.id]
    ask = OutgoingMessage("care:ask", 11, "please see")
    tomorrow = NOW + timedelta(days=1)
    assert await store.care.check_in_sent(due[0], tomorrow, NOW + timedelta(hours=2), [ask])
    assert not await store.care.check_in_sent(due[0], tomorrow, NOW + timedelta(hours=2), [ask])
    assert await store.care.due_checkins(NOW) == []
    assert await store.care.due_missed(NOW + timedelta(hours=1)) == []
    silent = (await store.care.due_missed(NOW + timedelta(hours=2)))[0]
    assert silent.awaiting_since == NOW
    alert = await store.alerts.open_alert(
        silent, AlertKind.MISSED, NOW, (11,), NOW + timedelta(hours=3), []
    )
    assert alert is not None
    assert await store.alerts.open_alert(silent, AlertKind.MISSED, NOW, (11,), None, []) is None
    # The next day's check-in while the alert is open keeps "not seen since" and plans no
    # second alert.
    again = (await store.care.due_checkins(tomorrow))[0]
    assert await store.care.check_in_sent(again, tomorrow + timedelta(days=1), tomorrow, [])
    later = await store.care.get(enrolment.id)
    assert later is not None
    assert later.awaiting_since == NOW
    assert later.missed_at is None
    # Seen: the alert closes, the wait ends, and the counts name nobody.
    await store.care.seen(later, kind="seen", actor_id=12, next_checkin_at=tomorrow, messages=[])
    assert await store.alerts.open_of(enrolment.id) == []
    counts = await store.alerts.counts(store.building_id, NOW, NOW + timedelta(days=7))
    assert (counts.enrolled, counts.asked, counts.seen, counts.missed, counts.handled) == (
        1,
        2,
        1,
        1,
        1,
    )


async def test_escalation_steps_once_and_forgetting_removes_the_care_list(store: Store) -> None:
    enrolment = await store.care.enrol(_enrolment(store, 7), NOW)
    alert_id = await store.alerts.open_alert(
        enrolment, AlertKind.HELP, NOW, (11, 12), NOW + timedelta(hours=1), []
    )
    assert alert_id is not None
    due = await store.alerts.due(NOW + timedelta(hours=1))
    assert [a.id for a in due] == [alert_id]
    assert await store.alerts.escalate(due[0], store.building_id, (90,), None, [], office=True)
    assert not await store.alerts.escalate(due[0], store.building_id, (90,), None, [], office=True)
    alert = await store.alerts.get(alert_id)
    assert alert is not None
    assert alert.alerted == (11, 12, 90)
    forget = ForgetRepository(store.db, store.clock)
    await forget.forget(12)
    kept = await store.care.get(enrolment.id)
    assert kept is not None
    assert [c.person_id for c in kept.carers] == [11]
    assert (await store.alerts.get(alert_id)).alerted == (11, FORGOTTEN, 90)  # type: ignore[union-attr]
    await forget.forget(7)
    assert await store.care.get(enrolment.id) is None
    assert await store.alerts.get(alert_id) is None
