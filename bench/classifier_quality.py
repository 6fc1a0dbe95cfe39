"""Print the classifier's quality on the labelled corpus, its speed, and its mistakes.

Run from the repository root:  python bench/classifier_quality.py [corpus.tsv] [--rules FILE]
`--rules` takes a config.toml (or any TOML file with a [classifier] table) to try edits
before deploying them.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script, not an installed package
    sys.path.insert(0, str(REPO_ROOT))

from bot.domain.classifier import ClassifierRules, classify, default_rules, rules_from_mapping  # noqa: E402
from bot.domain.classifier_evaluation import (  # noqa: E402
    Outcome,
    QualityReport,
    evaluate,
    parse_corpus,
)

DEFAULT_CORPUS = REPO_ROOT / "tests" / "data" / "classifier_corpus.tsv"
AIMS = {
    "precision": 0.95,
    "recall": 0.9,
    "category_accuracy": 0.9,
    "urgent_recall": 0.9,
}
THROUGHPUT_ROUNDS = 20


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns 1 when an aim is missed so CI can use it too."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rules", type=Path, help="TOML file with a [classifier] table")
    args = parser.parse_args(argv)

    rules = load_rules(args.rules)
    messages = parse_corpus(args.corpus.read_text("utf-8").splitlines())
    report = evaluate(messages, rules)
    rate = throughput([message.text for message in messages], rules)

    print(
        f"corpus: {args.corpus} ({len(messages)} messages, "
        f"{sum(m.is_request for m in messages)} requests, "
        f"{sum(m.urgent for m in messages)} urgent)\n"
    )
    print_figures(report, rate)
    print_mistakes(report.mistakes)
    missed = [name for name, aim in AIMS.items() if (getattr(report, name) or 0.0) < aim]
    return 1 if missed else 0


def load_rules(path: Path | None) -> ClassifierRules:
    """Default rules, or the [classifier] table of the given TOML file."""
    if path is None:
        return default_rules()
    document = tomllib.loads(path.read_text("utf-8"))
    table = document.get("classifier")
    if not isinstance(table, dict):
        raise SystemExit(f"{path}: no [classifier] table")
    return rules_from_mapping(table)


def throughput(texts: list[str], rules: ClassifierRules) -> float:
    """Messages classified per second (best of a few rounds, to dodge noise)."""
    best = float("inf")
    for _ in range(THROUGHPUT_ROUNDS):
        started = time.perf_counter()
        for text in texts:
            classify(text, rules)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best if best > 0 else float("inf")


def print_figures(report: QualityReport, rate: float) -> None:
    """The headline table, with each aim next to its figure."""
    rows = [
        ("precision (REQUEST verdicts that are requests)", report.precision, "precision"),
        ("recall (requests flagged: REQUEST or BORDERLINE)", report.recall, "recall"),
        ("strict recall (requests that became REQUEST)", report.strict_recall, None),
        ("category accuracy (flagged requests)", report.category_accuracy, "category_accuracy"),
        ("urgent precision", report.urgent_precision, None),
        ("urgent recall", report.urgent_recall, "urgent_recall"),
        ("non-requests offered a button", report.false_borderline_rate, None),
    ]
    width = max(len(label) for label, _, _ in rows)
    print(f"{'figure':<{width}}  {'value':>7}  aim")
    print(f"{'-' * width}  {'-' * 7}  -----")
    for label, value, aim_name in rows:
        shown = "n/a" if value is None else f"{value:.3f}"
        aim = f">= {AIMS[aim_name]:.2f}" if aim_name else ""
        verdict = ""
        if aim_name and value is not None:
            verdict = " ok" if value >= AIMS[aim_name] else " MISSED"
        print(f"{label:<{width}}  {shown:>7}  {aim}{verdict}")
    print(f"{'throughput (messages/second)':<{width}}  {rate:>7.0f}\n")


def print_mistakes(mistakes: tuple[Outcome, ...]) -> None:
    """Each disagreement with what was expected, what came out and why."""
    print(f"{len(mistakes)} messages disagree with their labels:")
    for outcome in mistakes:
        truth, result = outcome.message, outcome.result
        expected = f"request/{truth.category}" if truth.is_request else "not a request"
        expected += " urgent" if truth.urgent else ""
        got = f"{result.verdict.value}/{result.category}" + (" urgent" if result.urgent else "")
        print(f"  - {truth.text}")
        print(f"      expected {expected}; got {got} ({result.confidence:.2f})")
        if result.matched:
            print(f"      matched: {', '.join(result.matched)}")


if __name__ == "__main__":
    sys.exit(main())
