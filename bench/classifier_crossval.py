"""Cross-validated quality on the tuning corpus: the model retrained without the part it scores.

Run from the repository root:
    python bench/classifier_crossval.py                 # 5 folds over tests/data/corpus
    python bench/classifier_crossval.py --folds 10 --mistakes
Message i (in the sorted corpus order of `classifier_quality.py`) is scored by a model trained on
every message not in fold i mod k. Only the model is held out: the rules were tuned on all of
the corpus, so these figures flatter the rules (blind batches are what the README reports).
Prints the same tables as `classifier_quality.py`. Takes about 12 s of training per fold.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script, not an installed package
    sys.path.insert(0, str(REPO_ROOT))

from bench.classifier_quality import (  # noqa: E402
    TUNING_CORPUS,
    load_corpus,
    load_rules,
    print_confusion,
    print_figures,
    print_kinds,
    print_languages,
    print_mistakes,
)
from bot.cli_learning import corpus_examples  # noqa: E402
from bot.domain.classifier import Classification  # noqa: E402
from bot.domain.classifier_evaluation import evaluate_with  # noqa: E402
from bot.domain.model_training import train  # noqa: E402
from bot.domain.understanding import Understanding  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[TUNING_CORPUS])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--rules", type=Path, help="TOML file with a [classifier] table")
    parser.add_argument("--mistakes", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)

    rules = load_rules(args.rules)
    messages = load_corpus(args.corpus)
    examples = corpus_examples(messages)
    categories = [rule.key for rule in rules.categories]
    fold_of = {message.text: index % args.folds for index, message in enumerate(messages)}
    understandings: list[Understanding] = []
    for fold in range(args.folds):
        kept = [e for i, e in enumerate(examples) if i % args.folds != fold]
        understandings.append(Understanding(rules, train(kept, categories)))
        print(f"fold {fold + 1}/{args.folds} trained on {len(kept)} messages", file=sys.stderr)

    def classifier(text: str) -> Classification:
        return understandings[fold_of[text]].classify(text)

    report = evaluate_with(messages, classifier)
    print(
        f"corpus: {', '.join(map(str, args.corpus))} ({len(messages)} messages), "
        f"{args.folds}-fold cross-validated model, rules as they are\n"
    )
    print_figures(report, float("nan"))
    print_languages(report)
    print_confusion(report)
    print_kinds(report)
    if args.mistakes:
        print_mistakes(report.mistakes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
