"""`courtyard train` and `courtyard classify`: the learned model from the command line.

`courtyard train --corpus DIR` rebuilds the packaged model from the labelled corpus (what the
release ships, reproducible byte for byte); `courtyard train [--config PATH]` adapts this
deployment's model from its stored corrections; `--rollback` retires the latest adaptation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.domain.classifier_rules import default_rules
from bot.domain.learned_model import NONE_LABEL, PACKAGED_MODEL, SUGGESTION_LABEL
from bot.domain.model_training import Example, train
from bot.domain.understanding import Understanding
from bot.learning import adapt_from_corrections, base_understanding, with_adaptation
from storage.adaptations import AdaptationRepository
from storage.corrections import CorrectionRepository
from storage.database import Database

if TYPE_CHECKING:  # the corpus reader is imported when read: `courtyard run` never needs it
    from bot.domain.classifier_evaluation import LabelledMessage

PACKAGED_PATH = Path(__file__).resolve().parent / "domain" / PACKAGED_MODEL


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    trainer = commands.add_parser(
        "train",
        help="rebuild the packaged model from a corpus (--corpus), or adapt this deployment's "
        "model from its corrections",
    )
    trainer.add_argument("--corpus", type=Path, help="folder of labelled .tsv files")
    trainer.add_argument(
        "--output", type=Path, default=PACKAGED_PATH, help="model file to write (with --corpus)"
    )
    trainer.add_argument("--config", type=Path, help="config file (default as for run)")
    trainer.add_argument(
        "--rollback", action="store_true", help="retire the latest adaptation instead"
    )
    trainer.add_argument(
        "--min-corrections", type=int, help="override [learning] min_corrections once"
    )


def corpus_examples(messages: list[LabelledMessage]) -> list[Example]:
    """Corpus lines as training examples: a category, "suggestion" or "none"."""
    examples = []
    for message in messages:
        if message.is_request:
            label = message.category
        elif message.is_suggestion:
            label = SUGGESTION_LABEL
        else:
            label = NONE_LABEL
        examples.append(Example(message.text, label, message.urgent))
    return examples


def read_corpus(folder: Path) -> list[LabelledMessage]:
    from bot.domain.classifier_evaluation import parse_corpus

    messages: list[LabelledMessage] = []
    for path in sorted(folder.glob("*.tsv")) if folder.is_dir() else [folder]:
        messages.extend(parse_corpus(path.read_text("utf-8").splitlines()))
    return messages


def train_packaged(corpus: Path, output: Path) -> int:
    messages = read_corpus(corpus)
    if not messages:
        print(f"courtyard: no labelled messages in {corpus}", file=sys.stderr)
        return 1
    categories = [rule.key for rule in default_rules().categories]
    model = train(corpus_examples(messages), categories)
    output.write_bytes(model.to_bytes())
    print(
        f"{output}: model {model.version} from {len(messages)} messages, "
        f"{len(model.rows)} features, {output.stat().st_size // 1024} KiB"
    )
    return 0


def run_train(args: argparse.Namespace, settings: Settings) -> int:
    if args.corpus is not None:
        return train_packaged(args.corpus, args.output)
    return asyncio.run(_adapt(settings, rollback=args.rollback, minimum=args.min_corrections))


async def _adapt(settings: Settings, *, rollback: bool, minimum: int | None) -> int:
    database = Database(settings.storage.database)
    await database.open()
    try:
        from bot.clock import SystemClock

        clock = SystemClock()
        adaptations = AdaptationRepository(database, clock)
        if rollback:
            now_active = await adaptations.roll_back()
            print(
                f"rolled back; now using adaptation {now_active.id}"
                if now_active
                else "rolled back; now using the packaged model alone"
            )
            return 0
        run = await adapt_from_corrections(
            settings, CorrectionRepository(database, clock), adaptations, min_examples=minimum
        )
    finally:
        await database.close()
    outcome = run.outcome
    print(outcome.reason)
    if outcome.before and outcome.after:
        print(
            f"  newest corrections held out: right {outcome.before.right} -> "
            f"{outcome.after.right} of {outcome.after.examples}, false requests "
            f"{outcome.before.false_requests} -> {outcome.after.false_requests}"
        )
    if run.stored:
        print(f"  stored as adaptation {run.stored.id} (active); the bot picks it up on restart")
    return 0 if run.stored or outcome.delta is None else 1


async def deployed_understanding(settings: Settings) -> Understanding:
    """The classifier the bot would use now, with the active adaptation if there is a database."""
    if not settings.storage.database.exists():
        return base_understanding(settings)
    database = Database(settings.storage.database)
    await database.open()
    try:
        from bot.clock import SystemClock

        active = await AdaptationRepository(database, SystemClock()).active()
    finally:
        await database.close()
    return with_adaptation(settings, active)


def classify_lines(understanding: Understanding, *, explain: bool) -> int:
    """One JSON object per line of stdin."""
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        result = understanding.classify(text)
        record: dict[str, object] = {
            "text": text,
            "is_request": result.is_request,
            "verdict": result.verdict.name.lower(),
            "category": result.category,
            "alternative_category": result.alternative_category,
            "urgent": result.urgent,
            "suggestion": result.suggestion,
            "location": result.location.label if result.location else None,
            "confidence": round(result.confidence, 3),
            "request_probability": result.request_probability,
            "matched": list(result.matched),
        }
        if explain:
            record["explain"] = understanding.explain(text)
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0
