"""Why a `/poll` command was rejected: a code plus parameters, translated by the handlers."""

from __future__ import annotations

import enum


class PollSyntaxErrorCode(enum.StrEnum):
    """Every way a `/poll` command can be wrong; the comment lists each code's detail keys."""

    EMPTY_QUESTION = "empty_question"  # -
    QUESTION_TOO_LONG = "question_too_long"  # length, max
    TOO_FEW_OPTIONS = "too_few_options"  # count, min
    TOO_MANY_OPTIONS = "too_many_options"  # count, max
    OPTION_TOO_LONG = "option_too_long"  # position (1-based), length, max
    DUPLICATE_OPTION = "duplicate_option"  # option, position, first_position
    UNKNOWN_FLAG = "unknown_flag"  # flag (as typed)
    MISSING_FLAG_VALUE = "missing_flag_value"  # flag
    UNEXPECTED_FLAG_VALUE = "unexpected_flag_value"  # flag, value
    DUPLICATE_FLAG = "duplicate_flag"  # flag
    CONFLICTING_FLAGS = "conflicting_flags"  # flag, other
    INVALID_DURATION = "invalid_duration"  # flag, value
    INVALID_DEADLINE = "invalid_deadline"  # value
    DEADLINE_IN_PAST = "deadline_in_past"  # closes_at (local "YYYY-MM-DD HH:MM")
    DEADLINE_TOO_FAR = "deadline_too_far"  # max_days
    DEADLINE_TOO_SOON = "deadline_too_soon"  # min_minutes
    INVALID_QUORUM = "invalid_quorum"  # value
    QUORUM_OUT_OF_RANGE = "quorum_out_of_range"  # value
    INVALID_PASS_THRESHOLD = "invalid_pass_threshold"  # value
    PASS_THRESHOLD_OUT_OF_RANGE = "pass_threshold_out_of_range"  # value
    PASS_WITHOUT_DECISION = "pass_without_decision"  # -
    MULTI_WITH_DEFAULT_OPTIONS = "multi_with_default_options"  # -


class PollSyntaxError(ValueError):
    """A `/poll` command the bot cannot accept; `detail` fills the translated message."""

    def __init__(self, code: PollSyntaxErrorCode, detail: dict[str, str | int] | None = None):
        super().__init__(code.value, detail or {})
        self.code = code
        self.detail: dict[str, str | int] = detail or {}

    def __repr__(self) -> str:
        return f"PollSyntaxError({self.code!s}, {self.detail!r})"
