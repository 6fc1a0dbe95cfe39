"""How polls look: option labels, the live poll message, errors and results in words."""

from __future__ import annotations

from datetime import tzinfo
from fractions import Fraction

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.poll_errors import PollSyntaxError, PollSyntaxErrorCode
from bot.domain.poll_rules import CountQuorum, DefaultOption, PollOption, ShareQuorum
from bot.domain.tally import PollResult, TurnoutBasis
from bot.i18n import N_, Translator
from handlers.common import escape
from storage.polls import Poll, PollStatus

DEFAULT_LABELS = {
    DefaultOption.FOR: N_("For"),
    DefaultOption.AGAINST: N_("Against"),
    DefaultOption.ABSTAIN: N_("Abstain"),
}

SYNTAX_ERRORS: dict[PollSyntaxErrorCode, str] = {
    PollSyntaxErrorCode.EMPTY_QUESTION: N_("The question is empty."),
    PollSyntaxErrorCode.QUESTION_TOO_LONG: N_(
        "The question is too long ({length} characters, at most {max})."
    ),
    PollSyntaxErrorCode.TOO_FEW_OPTIONS: N_("A poll needs at least {min} options."),
    PollSyntaxErrorCode.TOO_MANY_OPTIONS: N_("Too many options ({count}, at most {max})."),
    PollSyntaxErrorCode.OPTION_TOO_LONG: N_(
        "Option {position} is too long ({length} characters, at most {max})."
    ),
    PollSyntaxErrorCode.DUPLICATE_OPTION: N_(
        "Option {position} repeats option {first_position} (“{option}”)."
    ),
    PollSyntaxErrorCode.UNKNOWN_FLAG: N_("Unknown option {flag}."),
    PollSyntaxErrorCode.MISSING_FLAG_VALUE: N_("{flag} needs a value."),
    PollSyntaxErrorCode.UNEXPECTED_FLAG_VALUE: N_("{flag} takes no value (got “{value}”)."),
    PollSyntaxErrorCode.DUPLICATE_FLAG: N_("{flag} is given twice."),
    PollSyntaxErrorCode.CONFLICTING_FLAGS: N_("{flag} and {other} cannot be used together."),
    PollSyntaxErrorCode.INVALID_DURATION: N_("{flag} needs a positive number, not “{value}”."),
    PollSyntaxErrorCode.INVALID_DEADLINE: N_(
        "I cannot read the time “{value}”; write it like 2026-12-01 18:00."
    ),
    PollSyntaxErrorCode.DEADLINE_IN_PAST: N_("The closing time {closes_at} is in the past."),
    PollSyntaxErrorCode.DEADLINE_TOO_FAR: N_("A poll can stay open for at most {max_days} days."),
    PollSyntaxErrorCode.DEADLINE_TOO_SOON: N_(
        "A poll must stay open for at least {min_minutes} minutes."
    ),
    PollSyntaxErrorCode.INVALID_QUORUM: N_(
        "I cannot read the quorum “{value}”; use e.g. 50% or 30 (households)."
    ),
    PollSyntaxErrorCode.QUORUM_OUT_OF_RANGE: N_(
        "The quorum {value} must be above 0% and at most 100%."
    ),
    PollSyntaxErrorCode.INVALID_PASS_THRESHOLD: N_(
        "I cannot read the pass threshold “{value}”; use e.g. 60%, 2/3 or majority."
    ),
    PollSyntaxErrorCode.PASS_THRESHOLD_OUT_OF_RANGE: N_(
        "The pass threshold {value} must be above 0% and at most 100%."
    ),
    PollSyntaxErrorCode.PASS_WITHOUT_DECISION: N_(
        "--pass only applies to For/Against polls (without your own options)."
    ),
    PollSyntaxErrorCode.MULTI_WITH_DEFAULT_OPTIONS: N_(
        "--multi needs your own options; For/Against/Abstain is a single choice."
    ),
}


# Results say what the turnout was measured against.
TURNOUT_LINES: dict[TurnoutBasis, str] = {
    TurnoutBasis.MEMBERS: N_("Turnout: {voted} of {eligible} people{ratio}"),
    TurnoutBasis.HOUSEHOLD_TOTAL: N_(
        "Turnout: {voted} of {eligible} households{ratio} — all households of the building"
    ),
    TurnoutBasis.REGISTERED_AT_OPEN: N_(
        "Turnout: {voted} of {eligible} households{ratio} — those registered when the poll "
        "opened (the building's total is not set: /setup households)"
    ),
    TurnoutBasis.REGISTERED_NOW: N_(
        "Turnout: {voted} of {eligible} households{ratio} — those registered now"
    ),
}


def poll_usage(_: Translator) -> str:
    return _(
        "Usage: /poll Question? | option A | option B [options]\n"
        "Without options the choices are For / Against / Abstain.\n"
        "Options: --hours 48 or --until 2026-12-01 18:00 (default 24 hours), --secret "
        "(nobody sees who voted what), --household (one vote per registered household), "
        "--quorum 50%, --pass 60% or --pass 2/3, --multi (several choices).\n"
        "Later: /poll N (details), /poll N close, /poll N extend 24, /poll N cancel reason"
    )


def syntax_error_text(_: Translator, error: PollSyntaxError) -> str:
    detail = {key: escape(str(value)) for key, value in error.detail.items()}
    return _(SYNTAX_ERRORS[error.code]).format(**detail)


def option_label(_: Translator, option: PollOption) -> str:
    return _(DEFAULT_LABELS[option]) if isinstance(option, DefaultOption) else option


def percent(value: Fraction) -> str:
    return f"{float(value) * 100:.0f}%"


def rules_line(_: Translator, poll: Poll, tz: tzinfo) -> str:
    parts = [
        _("one vote per household") if poll.per_household else _("one vote per person"),
    ]
    if poll.secret:
        parts.append(_("secret"))
    if poll.multi:
        parts.append(_("several choices allowed"))
    match poll.quorum:
        case ShareQuorum(share=share):
            parts.append(_("quorum {value}").format(value=percent(share)))
        case CountQuorum(count=count):
            parts.append(_("quorum {value}").format(value=count))
    if any(isinstance(o, DefaultOption) for o in poll.options):
        threshold = poll.pass_threshold
        if threshold.strict and threshold.share == Fraction(1, 2):
            parts.append(_("passes with a majority of For"))
        else:
            symbol = ">" if threshold.strict else "≥"
            parts.append(
                _("passes with For {symbol} {value}").format(
                    symbol=symbol, value=percent(threshold.share)
                )
            )
    if poll.status is PollStatus.OPEN:
        parts.append(
            _("closes {time}").format(
                time=poll.closes_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            )
        )
    return " · ".join(parts)


def poll_text(_: Translator, poll: Poll, counts: tuple[int, ...], voters: int, tz: tzinfo) -> str:
    """The poll message: question, options with counts, rules."""
    lines = [f"🗳 <b>{escape(poll.question)}</b> (#P{poll.id})", ""]
    for index, option in enumerate(poll.options):
        lines.append(f"{index + 1}. {escape(option_label(_, option))} — {counts[index]}")
    lines.append("")
    lines.append(_("👥 {count} voted").format(count=voters))
    lines.append(rules_line(_, poll, tz))
    if poll.status is PollStatus.CANCELLED:
        lines.append(_("❌ Cancelled: {reason}").format(reason=escape(poll.cancel_reason or "")))
    elif poll.status is PollStatus.CLOSED:
        lines.append(_("🔒 Closed. Results below."))
    return "\n".join(lines)


def poll_keyboard(
    _: Translator, poll: Poll, counts: tuple[int, ...]
) -> InlineKeyboardMarkup | None:
    if not poll.is_open:
        return None
    rows = [
        [
            InlineKeyboardButton(
                f"{index + 1}. {option_label(_, option)[:40]} ({counts[index]})",
                callback_data=f"pv:{poll.id}:{index}",
            )
        ]
        for index, option in enumerate(poll.options)
    ]
    return InlineKeyboardMarkup(rows)


def result_text(_: Translator, poll: Poll, result: PollResult) -> str:
    """The results message posted when a poll closes."""
    lines = [
        _("📊 <b>Results of #P{number}</b>: {question}").format(
            number=poll.id, question=escape(poll.question)
        )
    ]
    total = sum(result.counts) or 1
    for index, option in enumerate(poll.options):
        share = result.counts[index] / total * 100
        lines.append(
            f"{index + 1}. {escape(option_label(_, option))}: {result.counts[index]} "
            f"({share:.0f}%)"
        )
    ratio = f" ({percent(result.turnout_ratio)})" if result.turnout_ratio is not None else ""
    lines.append(
        _(TURNOUT_LINES[result.turnout_basis]).format(
            voted=result.ballots_counted, eligible=result.turnout_denominator, ratio=ratio
        )
    )
    if result.proxy_ballots_counted:
        lines.append(
            _("including {count} recorded on behalf of residents not on Telegram").format(
                count=result.proxy_ballots_counted
            )
        )
    if result.quorum_met is not None:
        lines.append(_("Quorum reached ✅") if result.quorum_met else _("Quorum not reached ❌"))
    if result.passed is not None:
        lines.append(_("Decision: PASSED ✅") if result.passed else _("Decision: NOT PASSED ❌"))
    elif result.winners:
        names = ", ".join(escape(option_label(_, poll.options[i])) for i in result.winners)
        lines.append(_("Most votes: {options}").format(options=names))
    return "\n".join(lines)
