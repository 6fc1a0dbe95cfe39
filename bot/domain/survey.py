"""Surveys: questions, answers and per-question results (pure; no Telegram, no database)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

MAX_QUESTIONS = 10
MAX_OPTIONS = 8
MAX_TITLE = 100
MAX_QUESTION_TEXT = 200
MAX_OPTION_TEXT = 40
MAX_TEXT_ANSWER = 1000
RATINGS = (1, 2, 3, 4, 5)


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTI = "multi"
    RATING = "rating"
    TEXT = "text"

    @property
    def has_options(self) -> bool:
        return self in (QuestionKind.SINGLE, QuestionKind.MULTI)


@dataclass(frozen=True)
class Question:
    """One question of a survey; `options` only for single and multiple choice."""

    kind: QuestionKind
    text: str
    options: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "text": self.text, "options": list(self.options)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Question:
        return cls(QuestionKind(data["kind"]), str(data["text"]), tuple(data.get("options", ())))


def dump_questions(questions: Sequence[Question]) -> str:
    return json.dumps([q.to_json() for q in questions], ensure_ascii=False)


def load_questions(text: str) -> tuple[Question, ...]:
    return tuple(Question.from_json(item) for item in json.loads(text))


@dataclass(frozen=True)
class Answer:
    """What one respondent answered to one question (choices are option indexes)."""

    choices: tuple[int, ...] = ()
    rating: int | None = None
    text: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.choices and self.rating is None and not self.text


def valid_answer(question: Question, answer: Answer) -> bool:
    """Whether an answer fits its question (buttons can be stale or forged)."""
    if question.kind is QuestionKind.SINGLE:
        return len(answer.choices) == 1 and 0 <= answer.choices[0] < len(question.options)
    if question.kind is QuestionKind.MULTI:
        return len(set(answer.choices)) == len(answer.choices) and all(
            0 <= c < len(question.options) for c in answer.choices
        )
    if question.kind is QuestionKind.RATING:
        return answer.rating in RATINGS and not answer.choices
    return answer.text is not None and 0 < len(answer.text) <= MAX_TEXT_ANSWER


def toggle(choices: tuple[int, ...], option: int) -> tuple[int, ...]:
    """Multiple choice: add or remove one option, keeping option order."""
    chosen = set(choices) ^ {option}
    return tuple(sorted(chosen))


@dataclass(frozen=True)
class QuestionResult:
    """Counts for one question: per option (choice), per star (rating), or the texts."""

    question: Question
    answers: int
    counts: tuple[int, ...]
    average: Fraction | None = None
    texts: tuple[tuple[int, str], ...] = ()  # (answer id, text) for free-text questions

    def share(self, index: int) -> Fraction:
        """The share of respondents who chose an option (multi: may sum to over 1)."""
        return Fraction(self.counts[index], self.answers) if self.answers else Fraction(0)


def tally(question: Question, answers: Sequence[tuple[int, Answer]]) -> QuestionResult:
    """Results of one question from (answer id, answer) pairs; invalid answers are ignored."""
    usable = [(aid, a) for aid, a in answers if not a.is_empty and valid_answer(question, a)]
    if question.kind.has_options:
        counts = [0] * len(question.options)
        for _aid, answer in usable:
            for choice in answer.choices:
                counts[choice] += 1
        return QuestionResult(question, len(usable), tuple(counts))
    if question.kind is QuestionKind.RATING:
        stars = [0] * len(RATINGS)
        for _aid, answer in usable:
            assert answer.rating is not None
            stars[answer.rating - 1] += 1
        total = sum((i + 1) * n for i, n in enumerate(stars))
        average = Fraction(total, len(usable)) if usable else None
        return QuestionResult(question, len(usable), tuple(stars), average)
    texts = tuple((aid, a.text or "") for aid, a in usable)
    return QuestionResult(question, len(usable), (), texts=texts)


def percent(share: Fraction) -> int:
    """A share as a whole percentage, rounded half up (81.5 → 82)."""
    return int(share * 100 + Fraction(1, 2))
