"""Parsing `/poll` arguments into a PollSpec, and every way it can be rejected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bot.domain.poll_rules import (
    DEFAULT_OPTIONS,
    SIMPLE_MAJORITY,
    CountQuorum,
    DefaultOption,
    PassThreshold,
    ShareQuorum,
)
from bot.domain.poll_syntax import (
    MAX_OPTION_LENGTH,
    MAX_QUESTION_LENGTH,
    PollSpec,
    PollSyntaxError,
    PollSyntaxErrorCode,
    parse_poll_command,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
# Sunday 23 November 2025, 10:00 in Shanghai.
NOW = datetime(2025, 11, 23, 10, 0, tzinfo=SHANGHAI)
Code = PollSyntaxErrorCode


def parse(text: str, **overrides: object) -> PollSpec:
    arguments: dict[str, object] = {"now": NOW, "tz": SHANGHAI, **overrides}
    return parse_poll_command(text, **arguments)  # type: ignore[arg-type]


def rejection(text: str, **overrides: object) -> PollSyntaxError:
    with pytest.raises(PollSyntaxError) as caught:
        parse(text, **overrides)
    return caught.value


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# --- defaults and options -------------------------------------------------------------------


def test_question_alone_is_a_for_against_abstain_decision_with_default_settings() -> None:
    spec = parse("Convert the empty lot into a garden?")

    assert spec == PollSpec(
        question="Convert the empty lot into a garden?",
        options=DEFAULT_OPTIONS,
        closes_at=NOW + timedelta(hours=24),
    )
    assert spec.options == (DefaultOption.FOR, DefaultOption.AGAINST, DefaultOption.ABSTAIN)
    assert spec.uses_default_options
    assert not spec.secret
    assert not spec.per_household
    assert not spec.multi
    assert spec.quorum is None
    assert spec.pass_threshold == SIMPLE_MAJORITY


def test_closes_at_is_aware_utc() -> None:
    closes_at = parse("Q?").closes_at

    assert closes_at.tzinfo is UTC
    assert closes_at == datetime(2025, 11, 24, 2, 0, tzinfo=UTC)


def test_default_hours_can_be_configured() -> None:
    assert parse("Q?", default_hours=72).closes_at == NOW + timedelta(hours=72)


def test_hours_count_real_time_across_a_daylight_saving_change() -> None:
    # Berlin leaves summer time on 26 October 2025 at 03:00.
    before_change = datetime(2025, 10, 25, 12, 0, tzinfo=BERLIN)

    spec = parse("Q?", now=before_change, tz=BERLIN)

    assert spec.closes_at - before_change == timedelta(hours=24)
    assert spec.closes_at.astimezone(BERLIN).hour == 11


def test_custom_options_are_kept_in_order_and_trimmed() -> None:
    spec = parse("Which colour for the walls?  |  Cream |Light grey|  Sky blue ")

    assert spec.question == "Which colour for the walls?"
    assert spec.options == ("Cream", "Light grey", "Sky blue")
    assert not spec.uses_default_options


def test_full_width_pipe_separates_options() -> None:
    assert parse("外墙颜色？｜米色｜浅灰 | 天蓝").options == ("米色", "浅灰", "天蓝")


def test_runs_of_whitespace_collapse_to_one_space() -> None:
    assert parse("Repaint\n  the   walls?").question == "Repaint the walls?"


@pytest.mark.parametrize("text", ["Q? | A | B |", "Q? | A || B", "Q? | A | B | --secret"])
def test_empty_option_segments_are_ignored(text: str) -> None:
    assert parse(text).options == ("A", "B")


def test_a_lone_trailing_pipe_keeps_the_default_options() -> None:
    assert parse("Q? |").options == DEFAULT_OPTIONS


def test_exactly_max_options_is_accepted() -> None:
    options = [f"Flat {number}" for number in range(1, 11)]

    assert parse("Q? | " + " | ".join(options)).options == tuple(options)


def test_options_of_the_maximum_length_are_accepted() -> None:
    option = "x" * MAX_OPTION_LENGTH

    assert parse(f"Q? | {option} | other").options[0] == option


def test_a_question_of_the_maximum_length_is_accepted() -> None:
    question = "q" * MAX_QUESTION_LENGTH

    assert parse(question).question == question


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_poll_command("Q?", now=datetime(2025, 11, 23, 10, 0), tz=SHANGHAI)


# --- where flags may appear and how they may be written -------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Q? --secret | A | B",
        "Q? | A --secret | B",
        "Q? | A | B --secret",
        "--secret Q? | A | B",
        "Q? | A | B — secret trailing-text-free --secret",
    ],
)
def test_flags_are_recognised_in_any_segment(text: str) -> None:
    spec = parse(text)

    assert spec.secret
    assert spec.options[:1] == ("A",)


def test_dash_words_that_are_not_flags_stay_part_of_the_text() -> None:
    spec = parse("Paint — or —maybe not? | yes —definitely | no")

    assert spec.question == "Paint — or —maybe not?"
    assert spec.options == ("yes —definitely", "no")


@pytest.mark.parametrize(
    "text",
    [
        "Q? --hours 48",
        "Q? --hours=48",
        "Q? —hours 48",
        "Q? –hours 48",
        "Q? ——hours 48",
        "Q? －－hours 48",
        "Q? --HOURS 48",
        "Q? --hour 48",
        "Q? --小时 48",
        "Q? --小时=48",
        "Q? --hours ４８",
    ],
)
def test_hours_flag_forms(text: str) -> None:
    assert parse(text).closes_at == NOW + timedelta(hours=48)


@pytest.mark.parametrize("value", ["1.5", "1,5"])
def test_hours_may_be_fractional(value: str) -> None:
    assert parse(f"Q? --hours {value}").closes_at == NOW + timedelta(minutes=90)


@pytest.mark.parametrize("text", ["Q? --days 3", "Q? --day=3", "Q? —days 3", "Q? --天 3"])
def test_days_flag_forms(text: str) -> None:
    assert parse(text).closes_at == NOW + timedelta(days=3)


def test_exactly_ninety_days_is_accepted() -> None:
    assert parse("Q? --days 90").closes_at == NOW + timedelta(days=90)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-12-01 18:00", local(2025, 12, 1, 18, 0)),
        ("2025-12-01T18:00", local(2025, 12, 1, 18, 0)),
        ("2025/12/01 18:00", local(2025, 12, 1, 18, 0)),
        ("2025.12.01 18:00", local(2025, 12, 1, 18, 0)),
        ("2025-12-01", local(2025, 12, 1, 23, 59)),
        ("12-01 18:00", local(2025, 12, 1, 18, 0)),
        ("12/01 18:00", local(2025, 12, 1, 18, 0)),
        ("12/1 8:05", local(2025, 12, 1, 8, 5)),
        ("12-01", local(2025, 12, 1, 23, 59)),
        ("2025年12月1日 18:00", local(2025, 12, 1, 18, 0)),
        ("12月1日", local(2025, 12, 1, 23, 59)),
        ("18:00", local(2025, 11, 23, 18, 0)),
        ("18：00", local(2025, 11, 23, 18, 0)),
        ("09:00", local(2025, 11, 24, 9, 0)),
        ("10:00", local(2025, 11, 24, 10, 0)),
        ("01-05 08:00", local(2026, 1, 5, 8, 0)),
    ],
)
def test_until_forms_are_read_in_the_community_time_zone(value: str, expected: datetime) -> None:
    assert parse(f"Q? --until {value}").closes_at == expected


@pytest.mark.parametrize(
    "text",
    [
        "Q? --until=2025-12-01 18:00",
        "Q? --deadline 2025-12-01 18:00",
        "Q? --截止 2025-12-01 18:00",
        "Q? --截至 12-01 18:00",
        "Q? —until 12/01 18:00",
    ],
)
def test_until_aliases(text: str) -> None:
    assert parse(text).closes_at == local(2025, 12, 1, 18, 0)


def test_until_depends_on_the_time_zone() -> None:
    in_berlin = parse("Q? --until 2025-12-01 18:00", tz=BERLIN).closes_at

    assert in_berlin == datetime(2025, 12, 1, 17, 0, tzinfo=UTC)


def test_until_date_does_not_swallow_a_following_word() -> None:
    spec = parse("Q? --until 12-01 please | A | B")

    assert spec.question == "Q? please"
    assert spec.closes_at == local(2025, 12, 1, 23, 59)


def test_until_without_year_can_fall_in_next_year() -> None:
    late_december = local(2025, 12, 28, 12, 0)

    assert parse("Q? --until 01-03", now=late_december).closes_at == local(2026, 1, 3, 23, 59)


@pytest.mark.parametrize("text", ["Q? --secret", "Q? --匿名", "Q? —anonymous", "Q? --anon"])
def test_secret_flag_forms(text: str) -> None:
    assert parse(text).secret


@pytest.mark.parametrize(
    "text", ["Q? --household", "Q? --households", "Q? --per-household", "Q? --按户", "Q? --每户"]
)
def test_household_flag_forms(text: str) -> None:
    assert parse(text).per_household


@pytest.mark.parametrize(
    "text", ["Q? | A | B --multi", "Q? | A | B --多选", "Q? | A | B —multiple"]
)
def test_multi_flag_forms(text: str) -> None:
    assert parse(text).multi


def test_repeating_a_switch_is_harmless() -> None:
    assert parse("Q? --secret --匿名 --secret").secret


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50%", ShareQuorum(Fraction(1, 2))),
        ("50％", ShareQuorum(Fraction(1, 2))),
        ("33.5%", ShareQuorum(Fraction(67, 200))),
        ("100%", ShareQuorum(Fraction(1))),
        ("1/3", ShareQuorum(Fraction(1, 3))),
        ("30", CountQuorum(30)),
        ("1", CountQuorum(1)),
    ],
)
def test_quorum_values(value: str, expected: object) -> None:
    assert parse(f"Q? --quorum {value}").quorum == expected


@pytest.mark.parametrize("text", ["Q? --quorum=50%", "Q? --法定 50%", "Q? --法定人数 50%"])
def test_quorum_aliases(text: str) -> None:
    assert parse(text).quorum == ShareQuorum(Fraction(1, 2))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("60%", PassThreshold(Fraction(3, 5))),
        ("66.7%", PassThreshold(Fraction(667, 1000))),
        ("2/3", PassThreshold(Fraction(2, 3))),
        ("２／３", PassThreshold(Fraction(2, 3))),
        ("0.6", PassThreshold(Fraction(3, 5))),
        ("0,6", PassThreshold(Fraction(3, 5))),
        ("1", PassThreshold(Fraction(1))),
        ("100%", PassThreshold(Fraction(1))),
        ("50%", PassThreshold(Fraction(1, 2))),
        (">60%", PassThreshold(Fraction(3, 5), strict=True)),
        ("＞60%", PassThreshold(Fraction(3, 5), strict=True)),
        (">=60%", PassThreshold(Fraction(3, 5))),
        ("≥60%", PassThreshold(Fraction(3, 5))),
        ("majority", SIMPLE_MAJORITY),
        ("Majority", SIMPLE_MAJORITY),
        ("过半", SIMPLE_MAJORITY),
        ("多数", SIMPLE_MAJORITY),
    ],
)
def test_pass_threshold_values(value: str, expected: PassThreshold) -> None:
    assert parse(f"Q? --pass {value}").pass_threshold == expected


@pytest.mark.parametrize("text", ["Q? --pass=2/3", "Q? --通过 2/3", "Q? —threshold 2/3"])
def test_pass_aliases(text: str) -> None:
    assert parse(text).pass_threshold == PassThreshold(Fraction(2, 3))


def test_majority_is_strict_but_fifty_percent_is_not() -> None:
    assert not SIMPLE_MAJORITY.is_met_by(Fraction(1, 2))
    assert parse("Q? --pass 50%").pass_threshold.is_met_by(Fraction(1, 2))


def test_everything_at_once_in_chinese() -> None:
    spec = parse("对物业公司满意吗？ --匿名 --按户 --法定 50% --通过 >60% --截止 12-01 18:00")

    assert spec == PollSpec(
        question="对物业公司满意吗？",
        options=DEFAULT_OPTIONS,
        closes_at=local(2025, 12, 1, 18, 0),
        secret=True,
        per_household=True,
        quorum=ShareQuorum(Fraction(1, 2)),
        pass_threshold=PassThreshold(Fraction(3, 5), strict=True),
    )


# --- rejections -----------------------------------------------------------------------------

ELEVEN_OPTIONS = "Q? | " + " | ".join(f"option {number}" for number in range(1, 12))

REJECTIONS: list[tuple[str, Code, dict[str, str | int]]] = [
    ("", Code.EMPTY_QUESTION, {}),
    ("   ", Code.EMPTY_QUESTION, {}),
    ("--secret --hours 3", Code.EMPTY_QUESTION, {}),
    ("| A | B", Code.EMPTY_QUESTION, {}),
    ("q" * 256, Code.QUESTION_TOO_LONG, {"length": 256, "max": 255}),
    # Telegram counts UTF-16 code units: each of these emoji is two.
    ("😀" * 128, Code.QUESTION_TOO_LONG, {"length": 256, "max": 255}),
    ("Q? | Only option", Code.TOO_FEW_OPTIONS, {"count": 1, "min": 2}),
    ("Q? | A | | ", Code.TOO_FEW_OPTIONS, {"count": 1, "min": 2}),
    (ELEVEN_OPTIONS, Code.TOO_MANY_OPTIONS, {"count": 11, "max": 10}),
    ("Q? | A | " + "x" * 101, Code.OPTION_TOO_LONG, {"position": 2, "length": 101, "max": 100}),
    (
        "Q? | Cream | Grey | cream",
        Code.DUPLICATE_OPTION,
        {"option": "cream", "position": 3, "first_position": 1},
    ),
    (
        "Q? | Sky Blue | sky  blue",
        Code.DUPLICATE_OPTION,
        {"option": "sky blue", "position": 2, "first_position": 1},
    ),
    (
        "Q? | Skyblue | SKY BLUE",
        Code.DUPLICATE_OPTION,
        {"option": "SKY BLUE", "position": 2, "first_position": 1},
    ),
    (
        "Q? | ＡＢ | ab",
        Code.DUPLICATE_OPTION,
        {"option": "ab", "position": 2, "first_position": 1},
    ),
    ("Q? --foo", Code.UNKNOWN_FLAG, {"flag": "--foo"}),
    ("Q? --hourz 3", Code.UNKNOWN_FLAG, {"flag": "--hourz"}),
    ("Q? --secret=yes", Code.UNEXPECTED_FLAG_VALUE, {"flag": "--secret", "value": "yes"}),
    ("Q? --hours", Code.MISSING_FLAG_VALUE, {"flag": "--hours"}),
    ("Q? --hours= | A | B", Code.MISSING_FLAG_VALUE, {"flag": "--hours"}),
    ("Q? --hours --secret", Code.MISSING_FLAG_VALUE, {"flag": "--hours"}),
    ("Q? --quorum | A | B", Code.MISSING_FLAG_VALUE, {"flag": "--quorum"}),
    ("Q? --截止", Code.MISSING_FLAG_VALUE, {"flag": "--until"}),
    ("Q? --hours 1 --hours 2", Code.DUPLICATE_FLAG, {"flag": "--hours"}),
    ("Q? --quorum 10 --法定 20", Code.DUPLICATE_FLAG, {"flag": "--quorum"}),
    ("Q? --hours 1 --days 2", Code.CONFLICTING_FLAGS, {"flag": "--days", "other": "--hours"}),
    (
        "Q? --until 18:00 --hours 3",
        Code.CONFLICTING_FLAGS,
        {"flag": "--hours", "other": "--until"},
    ),
    ("Q? --hours 0", Code.INVALID_DURATION, {"flag": "--hours", "value": "0"}),
    ("Q? --hours -5", Code.INVALID_DURATION, {"flag": "--hours", "value": "-5"}),
    ("Q? --hours soon", Code.INVALID_DURATION, {"flag": "--hours", "value": "soon"}),
    ("Q? --hours 1e3", Code.INVALID_DURATION, {"flag": "--hours", "value": "1e3"}),
    ("Q? --days 0.0", Code.INVALID_DURATION, {"flag": "--days", "value": "0.0"}),
    ("Q? --until tomorrow", Code.INVALID_DEADLINE, {"value": "tomorrow"}),
    ("Q? --until 2025-02-30", Code.INVALID_DEADLINE, {"value": "2025-02-30"}),
    ("Q? --until 13-01", Code.INVALID_DEADLINE, {"value": "13-01"}),
    # Day-first in much of Europe: too ambiguous without a year.
    ("Q? --until 12.01", Code.INVALID_DEADLINE, {"value": "12.01"}),
    ("Q? --until 25:00", Code.INVALID_DEADLINE, {"value": "25:00"}),
    ("Q? --until 12-01 18:75", Code.INVALID_DEADLINE, {"value": "12-01 18:75"}),
    (
        "Q? --until 2025-11-20 18:00",
        Code.DEADLINE_IN_PAST,
        {"closes_at": "2025-11-20 18:00"},
    ),
    # The nearest 20 November is three days ago, not next year.
    ("Q? --until 11-20", Code.DEADLINE_IN_PAST, {"closes_at": "2025-11-20 23:59"}),
    ("Q? --until 2025-11-23 10:00", Code.DEADLINE_IN_PAST, {"closes_at": "2025-11-23 10:00"}),
    ("Q? --days 91", Code.DEADLINE_TOO_FAR, {"max_days": 90}),
    ("Q? --hours 2160.5", Code.DEADLINE_TOO_FAR, {"max_days": 90}),
    ("Q? --hours 99999999999999999999999", Code.DEADLINE_TOO_FAR, {"max_days": 90}),
    ("Q? --until 2026-03-01", Code.DEADLINE_TOO_FAR, {"max_days": 90}),
    ("Q? --hours 0.0000001", Code.DEADLINE_TOO_SOON, {"min_minutes": 5}),
    ("Q? --quorum lots", Code.INVALID_QUORUM, {"value": "lots"}),
    ("Q? --quorum 0.5", Code.INVALID_QUORUM, {"value": "0.5"}),
    ("Q? --quorum 1/0", Code.INVALID_QUORUM, {"value": "1/0"}),
    ("Q? --quorum 150%", Code.QUORUM_OUT_OF_RANGE, {"value": "150%"}),
    ("Q? --quorum 0%", Code.QUORUM_OUT_OF_RANGE, {"value": "0%"}),
    ("Q? --quorum 0", Code.QUORUM_OUT_OF_RANGE, {"value": "0"}),
    ("Q? --quorum -5%", Code.QUORUM_OUT_OF_RANGE, {"value": "-5%"}),
    ("Q? --quorum 3/2", Code.QUORUM_OUT_OF_RANGE, {"value": "3/2"}),
    ("Q? --pass most", Code.INVALID_PASS_THRESHOLD, {"value": "most"}),
    ("Q? --pass 1/0", Code.INVALID_PASS_THRESHOLD, {"value": "1/0"}),
    ("Q? --pass 2/3/4", Code.INVALID_PASS_THRESHOLD, {"value": "2/3/4"}),
    ("Q? --pass 150%", Code.PASS_THRESHOLD_OUT_OF_RANGE, {"value": "150%"}),
    ("Q? --pass 60", Code.PASS_THRESHOLD_OUT_OF_RANGE, {"value": "60"}),
    ("Q? --pass 0", Code.PASS_THRESHOLD_OUT_OF_RANGE, {"value": "0"}),
    ("Q? --pass 0%", Code.PASS_THRESHOLD_OUT_OF_RANGE, {"value": "0%"}),
    ("Q? --pass -0.5", Code.PASS_THRESHOLD_OUT_OF_RANGE, {"value": "-0.5"}),
    ("Q? --pass >100%", Code.PASS_THRESHOLD_OUT_OF_RANGE, {"value": ">100%"}),
    ("Q? | A | B --pass 60%", Code.PASS_WITHOUT_DECISION, {}),
    ("Q? --multi", Code.MULTI_WITH_DEFAULT_OPTIONS, {}),
    ("Q? --多选 --hours 2", Code.MULTI_WITH_DEFAULT_OPTIONS, {}),
]


@pytest.mark.parametrize(("text", "code", "detail"), REJECTIONS)
def test_rejections(text: str, code: Code, detail: dict[str, str | int]) -> None:
    error = rejection(text)

    assert error.code is code
    assert error.detail == detail


def test_every_error_code_has_a_rejection_test() -> None:
    assert {code for _, code, _ in REJECTIONS} == set(Code)


def test_max_options_can_be_configured() -> None:
    error = rejection("Q? | A | B | C | D", max_options=3)

    assert (error.code, error.detail) == (Code.TOO_MANY_OPTIONS, {"count": 4, "max": 3})


def test_the_first_problem_in_the_text_is_reported() -> None:
    assert rejection("Q? --hours x --quorum y").code is Code.INVALID_DURATION


def test_poll_syntax_error_is_a_value_error_carrying_code_and_detail() -> None:
    error = rejection("Q? --foo")

    assert isinstance(error, ValueError)
    assert error.args == ("unknown_flag", {"flag": "--foo"})
    assert "unknown_flag" in repr(error)
