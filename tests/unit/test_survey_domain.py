"""Survey questions, the one-message syntax, results, coverage and reminder timing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bot.domain.coverage import (
    HouseholdReach,
    Reach,
    VisitOutcome,
    checklist,
    coverage,
    floor_of,
)
from bot.domain.quiet_hours import QuietHours
from bot.domain.survey import Answer, Question, QuestionKind, percent, tally, toggle, valid_answer
from bot.domain.survey_schedule import SurveyTimes, due_actions, next_due, reminder_times
from bot.domain.survey_syntax import (
    SurveySyntaxError,
    SurveySyntaxErrorCode,
    parse_closing,
    parse_question,
    parse_survey_command,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def test_one_message_survey_reads_title_questions_and_kinds() -> None:
    draft = parse_survey_command(
        "Living here | How is the lift? Good / OK / Bad | What should change? text "
        "| Rate the cleaning: rating | Which days suit you? multi: Sat / Sun",
        now=NOW,
        tz=SHANGHAI,
    )
    assert draft.title == "Living here"
    assert [q.kind for q in draft.questions] == [
        QuestionKind.SINGLE,
        QuestionKind.TEXT,
        QuestionKind.RATING,
        QuestionKind.MULTI,
    ]
    assert draft.questions[0].text == "How is the lift?"
    assert draft.questions[0].options == ("Good", "OK", "Bad")
    assert draft.questions[2].text == "Rate the cleaning"
    assert draft.questions[3].options == ("Sat", "Sun")
    assert draft.per_household is True
    assert draft.closes_at == NOW + timedelta(days=7)


def test_chinese_survey_with_flags() -> None:
    draft = parse_survey_command(
        "小区意见征集｜电梯怎么样？好／一般／差｜还有什么建议？ --按人 --截止 2026-11-30",
        now=NOW,
        tz=SHANGHAI,
    )
    assert draft.questions[0].options == ("好", "一般", "差")
    assert draft.questions[1].kind is QuestionKind.TEXT
    assert draft.per_household is False
    assert draft.closes_at.astimezone(SHANGHAI).date() == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", SurveySyntaxErrorCode.NO_TITLE),
        ("Only a title", SurveySyntaxErrorCode.NO_QUESTIONS),
        ("T | Q? A", SurveySyntaxErrorCode.TOO_FEW_OPTIONS),
        ("T | Q? A / a", SurveySyntaxErrorCode.DUPLICATE_OPTION),
        ("T | Q? text --secret", SurveySyntaxErrorCode.UNKNOWN_FLAG),
        ("T | Q? text --household --person", SurveySyntaxErrorCode.CONFLICTING_FLAGS),
        ("T | Q? text --days 90", SurveySyntaxErrorCode.DEADLINE_TOO_FAR),
        ("T | Q? text --until 2020-01-01", SurveySyntaxErrorCode.DEADLINE_IN_PAST),
        ("T | Q? text --days", SurveySyntaxErrorCode.MISSING_FLAG_VALUE),
        (
            "T | " + " | ".join(f"Q{i}? text" for i in range(11)),
            SurveySyntaxErrorCode.TOO_MANY_QUESTIONS,
        ),
    ],
)
def test_bad_surveys_name_their_problem(text: str, code: SurveySyntaxErrorCode) -> None:
    with pytest.raises(SurveySyntaxError) as caught:
        parse_survey_command(text, now=NOW, tz=SHANGHAI)
    assert caught.value.code is code


def test_question_without_a_question_mark_is_free_text() -> None:
    assert parse_question("Anything else") == Question(QuestionKind.TEXT, "Anything else")
    assert parse_question("满意吗？ 评分").kind is QuestionKind.RATING
    assert parse_question("哪些？（多选）停车/绿化").options == ("停车", "绿化")


def test_closing_accepts_days_or_dates() -> None:
    assert parse_closing("3", now=NOW, tz=SHANGHAI) == NOW + timedelta(days=3)
    assert parse_closing("10天", now=NOW, tz=SHANGHAI) == NOW + timedelta(days=10)
    local = parse_closing("12-01 18:00", now=NOW, tz=SHANGHAI).astimezone(SHANGHAI)
    assert (local.month, local.day, local.hour) == (12, 1, 18)
    with pytest.raises(SurveySyntaxError):
        parse_closing("soon", now=NOW, tz=SHANGHAI)


def test_answers_are_validated_against_their_question() -> None:
    single = Question(QuestionKind.SINGLE, "Q?", ("A", "B"))
    multi = Question(QuestionKind.MULTI, "Q?", ("A", "B", "C"))
    assert valid_answer(single, Answer(choices=(1,)))
    assert not valid_answer(single, Answer(choices=(2,)))
    assert not valid_answer(single, Answer(choices=(0, 1)))
    assert valid_answer(multi, Answer(choices=(0, 2)))
    assert not valid_answer(Question(QuestionKind.RATING, "R?"), Answer(rating=6))
    assert toggle((0, 2), 2) == (0,)
    assert toggle((2,), 0) == (0, 2)


def test_tally_counts_options_stars_and_texts() -> None:
    multi = Question(QuestionKind.MULTI, "Q?", ("A", "B", "C"))
    result = tally(multi, [(1, Answer(choices=(0, 1))), (2, Answer(choices=(1,))), (3, Answer())])
    assert result.answers == 2
    assert result.counts == (1, 2, 0)
    assert result.share(1) == 1
    rating = tally(
        Question(QuestionKind.RATING, "R?"), [(1, Answer(rating=5)), (2, Answer(rating=2))]
    )
    assert rating.counts == (0, 1, 0, 0, 1)
    assert rating.average == Fraction(7, 2)
    text = tally(Question(QuestionKind.TEXT, "T?"), [(7, Answer(text="more trees"))])
    assert text.texts == ((7, "more trees"),)
    assert percent(Fraction(573, 706)) == 81


def _household(
    hid: int,
    label: str,
    *,
    answered: bool = False,
    visits: int = 0,
    last: VisitOutcome | None = None,
) -> HouseholdReach:
    unit, room = label.split("-")
    return HouseholdReach(
        hid, label, unit, room, answered, visits, last, date(2026, 11, 20) if last else None
    )


def test_floor_comes_from_the_room_number() -> None:
    assert floor_of("502") == 5
    assert floor_of("1203") == 12
    assert floor_of("12") is None
    assert floor_of("502A") == 5


def test_coverage_headline_and_units() -> None:
    households = [
        _household(1, "1-101", answered=True),
        _household(2, "1-102", answered=True, visits=1, last=VisitOutcome.ANSWERED),
        _household(3, "1-201", visits=2, last=VisitOutcome.NOBODY_HOME),
        _household(4, "2-101", visits=1, last=VisitOutcome.DECLINED),
        _household(5, "2-102"),
        # Nobody was home at first, then the household answered on Telegram.
        _household(6, "2-201", answered=True, visits=1, last=VisitOutcome.NOBODY_HOME),
    ]
    report = coverage(households, declared_total=10)
    assert report.building.total == 10
    assert report.building.answered == 3
    assert report.building.visited == 4
    assert report.building.nobody_home == 1
    assert report.building.declined == 1
    assert percent(report.building.share) == 30
    unit_two = next(u for u in report.units if u.unit == "2")
    assert (unit_two.counts.total, unit_two.counts.answered) == (3, 1)
    # The roster may know more flats than were declared.
    assert coverage(households, declared_total=4).building.total == 6


def test_checklist_puts_households_not_reached_first_by_unit_and_floor() -> None:
    households = [
        _household(1, "2-1101"),
        _household(2, "1-101", answered=True),
        _household(3, "2-201", visits=1, last=VisitOutcome.NOBODY_HOME),
        _household(4, "2-301"),
        _household(5, "1-502"),
        _household(6, "1-102", visits=1, last=VisitOutcome.DECLINED),
    ]
    ordered = [h.label for h in checklist(households)]
    assert ordered == ["1-502", "2-301", "2-1101", "2-201", "1-102", "1-101"]
    assert [h.label for h in checklist(households, unit="1")] == ["1-502", "1-102", "1-101"]
    assert checklist(households)[0].reach is Reach.NOT_REACHED


def test_reminders_halfway_and_a_day_before() -> None:
    opened = NOW
    assert reminder_times(opened, opened + timedelta(days=7)) == (
        opened + timedelta(days=3.5),
        opened + timedelta(days=6),
    )
    assert reminder_times(opened, opened + timedelta(hours=20)) == ()


def test_due_actions_announce_remind_close_and_respect_quiet_hours() -> None:
    quiet = QuietHours(time(22, 0), time(7, 0))
    times = SurveyTimes(NOW, NOW + timedelta(days=7), True, NOW, 0, None)
    first = due_actions(times, NOW, SHANGHAI, quiet)
    assert first.announce
    assert not first.remind
    assert not first.close
    # The halfway reminder falls at 22:00 local: it waits for 07:00.
    halfway = NOW + timedelta(days=3.5)
    assert halfway.astimezone(SHANGHAI).hour == 22
    assert first.next_due_at == datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
    late = due_actions(first.after, NOW + timedelta(days=6, hours=1), SHANGHAI, quiet)
    assert late.remind
    assert late.after.reminders_sent == 2  # two overdue reminders → one
    closing = due_actions(late.after, NOW + timedelta(days=7), SHANGHAI, quiet)
    assert closing.close
    assert closing.close_note
    assert not closing.remind
    assert closing.next_due_at is None
    assert next_due(closing.after, SHANGHAI, quiet) is None
