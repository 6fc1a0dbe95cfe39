"""Print the classifier's quality on labelled messages, per language, category and kind.

Run from the repository root:
    python bench/classifier_quality.py                      # the tuning corpus
    python bench/classifier_quality.py tests/data/blind/batch2.tsv
    python bench/classifier_quality.py --rules config.toml  # try keyword edits
    python bench/classifier_quality.py --rules-only         # the rules without the model
Arguments may be files or folders of .tsv files. `--mistakes` lists every disagreement.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script, not an installed package
    sys.path.insert(0, str(REPO_ROOT))

from bot.domain.classifier import (  # noqa: E402
    Classification,
    ClassifierRules,
    classify,
    default_rules,
    rules_from_mapping,
)
from bot.domain.classifier_evaluation import (  # noqa: E402
    LabelledMessage,
    Outcome,
    QualityReport,
    evaluate_with,
    parse_corpus,
)
from bot.domain.learned_model import LinearModel, packaged_model  # noqa: E402
from bot.domain.understanding import Understanding  # noqa: E402

TUNING_CORPUS = REPO_ROOT / "tests" / "data" / "corpus"
# The aims for messages nobody tuned on.
AIMS = {
    "precision": 0.97,
    "recall": 0.95,
    "strict_recall": 0.90,
    "category_accuracy": 0.93,
    "urgent_recall": 0.95,
    "urgent_precision": 0.90,
}
CEILINGS = {"false_borderline_rate": 0.05}
THROUGHPUT_ROUNDS = 5


def load_corpus(paths: list[Path]) -> list[LabelledMessage]:
    """Messages from .tsv files and folders of them (sorted, so runs are comparable)."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.tsv")) if path.is_dir() else [path])
    messages: list[LabelledMessage] = []
    for file in files:
        messages.extend(parse_corpus(file.read_text("utf-8").splitlines()))
    return messages


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns 1 when an aim is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[TUNING_CORPUS])
    parser.add_argument("--rules", type=Path, help="TOML file with a [classifier] table")
    parser.add_argument("--mistakes", action="store_true", help="list every disagreement")
    parser.add_argument("--rules-only", action="store_true", help="without the learned model")
    parser.add_argument("--model", type=Path, help="a model file instead of the packaged one")
    args = parser.parse_args(argv)

    rules = load_rules(args.rules)
    classifier = build_classifier(rules, args)
    messages = load_corpus(args.corpus)
    report = evaluate_with(messages, classifier)
    rate = throughput([message.text for message in messages], classifier)

    print(
        f"corpus: {', '.join(map(str, args.corpus))} ({len(messages)} messages, "
        f"{sum(m.is_request for m in messages)} requests, "
        f"{sum(m.urgent for m in messages)} urgent, "
        f"{sum(m.is_suggestion for m in messages)} suggestions)\n"
    )
    print_figures(report, rate)
    print_languages(report)
    print_confusion(report)
    print_kinds(report)
    if args.mistakes:
        print_mistakes(report.mistakes)
    else:
        print(
            f"{len(report.mistakes)} messages disagree with their labels (--mistakes lists them)"
        )
    missed = [name for name, aim in AIMS.items() if (getattr(report, name) or 0.0) < aim]
    missed += [name for name, top in CEILINGS.items() if (getattr(report, name) or 0.0) > top]
    return 1 if missed else 0


def build_classifier(
    rules: ClassifierRules, args: argparse.Namespace
) -> Callable[[str], Classification]:
    """The classifier the bot uses for these rules (rules and the learned model)."""
    if args.rules_only:
        return lambda text: classify(text, rules)
    model = LinearModel.from_bytes(args.model.read_bytes()) if args.model else packaged_model()
    return Understanding(rules, model).classify


def load_rules(path: Path | None) -> ClassifierRules:
    """Default rules, or the [classifier] table of the given TOML file."""
    if path is None:
        return default_rules()
    document = tomllib.loads(path.read_text("utf-8"))
    table = document.get("classifier")
    if not isinstance(table, dict):
        raise SystemExit(f"{path}: no [classifier] table")
    return rules_from_mapping(table)


def throughput(texts: list[str], classifier: Callable[[str], Classification]) -> float:
    """Messages classified per second (best of a few rounds, to dodge noise)."""
    best = float("inf")
    for _ in range(THROUGHPUT_ROUNDS):
        started = time.perf_counter()
        for text in texts:
            classifier(text)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best if best > 0 else float("inf")


def _shown(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def print_figures(report: QualityReport, rate: float) -> None:
    """The headline table, with each aim next to its figure."""
    rows = [
        ("precision (cards that are requests)", "precision"),
        ("recall (requests given a card or a button)", "recall"),
        ("strict recall (requests that became a card)", "strict_recall"),
        ("category accuracy (flagged requests)", "category_accuracy"),
        ("urgent precision", "urgent_precision"),
        ("urgent recall", "urgent_recall"),
        ("non-requests offered a button", "false_borderline_rate"),
        ("suggestion precision", "suggestion_precision"),
        ("suggestion recall", "suggestion_recall"),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'figure':<{width}}  {'value':>7}  aim")
    print(f"{'-' * width}  {'-' * 7}  -----")
    for label, name in rows:
        value = getattr(report, name)
        aim = ""
        if name in AIMS:
            aim = f">= {AIMS[name]:.2f}"
            if value is not None:
                aim += " ok" if value >= AIMS[name] else " MISSED"
        elif name in CEILINGS:
            aim = f"<= {CEILINGS[name]:.2f}"
            if value is not None:
                aim += " ok" if value <= CEILINGS[name] else " MISSED"
        print(f"{label:<{width}}  {_shown(value):>7}  {aim}")
    print(f"{'throughput (messages/second, one core)':<{width}}  {rate:>7.0f}\n")


def print_languages(report: QualityReport) -> None:
    """The headline figures for each script."""
    names = ("precision", "recall", "strict_recall", "category_accuracy", "urgent_recall",
             "false_borderline_rate")  # fmt: skip
    print("per language: " + " | ".join(["n", *names]))
    for language, part in report.by_language.items():
        cells = [str(len(part.outcomes)), *(_shown(getattr(part, n)) for n in names)]
        print(f"  {language:<8} " + " | ".join(cells))
    print()


def print_confusion(report: QualityReport) -> None:
    """True category (rows) against the category given (columns), flagged requests only."""
    matrix = report.confusion()
    keys = sorted({key for pair in matrix for key in pair})
    if not keys:
        return
    short = {key: key[:5] for key in keys}
    print("category confusion (rows: label, columns: given)")
    print(" " * 12 + " ".join(f"{short[k]:>5}" for k in keys))
    for truth in keys:
        cells = " ".join(f"{matrix.get((truth, given), 0) or '.':>5}" for given in keys)
        print(f"  {truth:<12}{cells}")
    print()


def print_kinds(report: QualityReport) -> None:
    """Per kind: how many became cards or buttons (hard negatives should get neither)."""
    rows = report.by_kind()
    if not rows:
        return
    print("per kind:  n | requests | cards | buttons | right category")
    for row in rows:
        print(
            f"  {row.kind:<14} {row.total:>4} | {row.requests:>4} | {row.carded:>4} | "
            f"{row.buttoned:>4} | {row.right_category:>4}"
        )
    print()


def print_mistakes(mistakes: tuple[Outcome, ...]) -> None:
    """Each disagreement with what was expected, what came out and why."""
    print(f"{len(mistakes)} messages disagree with their labels:")
    for outcome in mistakes:
        truth, result = outcome.message, outcome.result
        expected = f"request/{truth.category}" if truth.is_request else "not a request"
        expected += " urgent" if truth.urgent else ""
        expected += f" [{truth.kind}]" if truth.kind else ""
        got = f"{result.verdict.value}/{result.category}" + (" urgent" if result.urgent else "")
        print(f"  - {truth.text}")
        print(f"      expected {expected}; got {got} ({result.confidence:.2f})")
        if result.matched:
            print(f"      matched: {', '.join(result.matched)}")


if __name__ == "__main__":
    sys.exit(main())
