"""Classifier quality on the labelled corpus, and the evaluation arithmetic behind it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from bot.domain.classifier import default_rules, rules_from_mapping
from bot.domain.classifier_evaluation import (
    CorpusError,
    LabelledMessage,
    QualityReport,
    evaluate,
    parse_corpus,
)
from bot.domain.hanzi import to_simplified

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def corpus() -> list[LabelledMessage]:
    messages: list[LabelledMessage] = []
    for path in sorted(CORPUS.glob("*.tsv")):
        messages.extend(parse_corpus(path.read_text("utf-8").splitlines()))
    return messages


@pytest.fixture(scope="module")
def report(corpus: list[LabelledMessage]) -> QualityReport:
    return evaluate(corpus, default_rules())


def test_corpus_is_large_and_mixed(corpus: list[LabelledMessage]) -> None:
    chinese = [m for m in corpus if CJK.search(m.text)]
    traditional = [
        m for m in chinese if to_simplified(m.text) != unicodedata.normalize("NFKC", m.text)
    ]
    assert len(corpus) >= 300
    assert 0.4 <= len(chinese) / len(corpus) <= 0.6
    assert len(traditional) >= 40
    assert sum(m.urgent for m in corpus) >= 20
    assert sum(not m.is_request for m in corpus) >= 100


def test_corpus_covers_every_category_and_labels_are_consistent(
    corpus: list[LabelledMessage],
) -> None:
    keys = {rule.key for rule in default_rules().categories}
    requested = {m.category for m in corpus if m.is_request}
    assert requested == keys
    for message in corpus:
        if not message.is_request:
            assert message.category == "", message.text
            assert not message.urgent, message.text
    texts = [m.text for m in corpus]
    assert len(texts) == len(set(texts)), "duplicate corpus lines"


def test_request_precision_is_at_least_95_percent(report: QualityReport) -> None:
    assert report.precision is not None
    assert report.precision >= 0.95


def test_recall_counting_borderline_buttons_is_at_least_90_percent(report: QualityReport) -> None:
    assert report.recall is not None
    assert report.recall >= 0.9


def test_category_accuracy_is_at_least_90_percent(report: QualityReport) -> None:
    assert report.category_accuracy is not None
    assert report.category_accuracy >= 0.9


def test_urgent_recall_is_at_least_90_percent(report: QualityReport) -> None:
    assert report.urgent_recall is not None
    assert report.urgent_recall >= 0.9


def test_few_non_requests_get_a_button(report: QualityReport) -> None:
    assert report.false_borderline_rate is not None
    assert report.false_borderline_rate <= 0.05


# --- the arithmetic, on a tiny rule set where every verdict is predictable ---

TINY_RULES = rules_from_mapping(
    {
        "confident": 0.75,
        "borderline": 0.45,
        "fallback_category": "other",
        "urgent": {"keywords_en": ["fire"]},
        "problem": {"keywords_en": ["broken"]},
        "categories": {
            "elevator": {"icon": "🛗", "keywords_en": ["lift"]},
            "other": {"icon": "📌"},
        },
    }
)


def labelled(
    text: str, is_request: bool, category: str = "", urgent: bool = False
) -> LabelledMessage:
    return LabelledMessage(text, is_request, category, urgent)


def test_evaluation_figures_follow_their_definitions() -> None:
    messages = [
        labelled("lift broken", True, "elevator"),  # REQUEST, right category
        labelled("lift broken again", False),  # REQUEST but not a request: hurts precision
        labelled("door broken", True, "elevator"),  # BORDERLINE in "other": recall, wrong category
        labelled("lift is slow", True, "elevator"),  # ignored: missed
        labelled("lift fire", True, "elevator", urgent=True),  # urgent REQUEST
        labelled("hello", False),  # ignored correctly
    ]
    report = evaluate(messages, TINY_RULES)
    assert report.precision == pytest.approx(2 / 3)
    assert report.recall == pytest.approx(3 / 4)
    assert report.strict_recall == pytest.approx(2 / 4)
    assert report.category_accuracy == pytest.approx(2 / 3)
    assert report.urgent_precision == pytest.approx(1.0)
    assert report.urgent_recall == pytest.approx(1.0)
    assert report.false_borderline_rate == pytest.approx(0.0)
    assert {o.message.text for o in report.mistakes} == {
        "lift broken again", "door broken", "lift is slow",
    }  # fmt: skip


def test_empty_denominators_give_none_not_a_division_error() -> None:
    report = evaluate([labelled("hello", False)], TINY_RULES)
    assert report.precision is None
    assert report.recall is None
    assert report.urgent_recall is None


def test_parse_corpus_reads_the_tsv_format() -> None:
    lines = ["text\tis_request\tcategory\turgent", "电梯坏了\t1\televator\t0", "", "hi\t0\t\t0"]
    assert parse_corpus(lines) == [
        labelled("电梯坏了", True, "elevator"),
        labelled("hi", False),
    ]


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (["text,is_request,category,urgent"], "line 1"),
        (["text\tis_request\tcategory\turgent", "only text"], "line 2"),
        (["text\tis_request\tcategory\turgent", "x\tyes\televator\t0"], "line 2"),
        (["text\tis_request\tcategory\turgent", "x\t1\televator\t"], "line 2"),
    ],
)
def test_parse_corpus_names_the_bad_line(lines: list[str], problem: str) -> None:
    with pytest.raises(CorpusError, match=problem):
        parse_corpus(lines)
