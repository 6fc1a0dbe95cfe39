"""A seeded, realistic stream of updates for the throughput benchmark (`bench/throughput.py`).

Many buildings, each a group with a head, one staff member and hundreds of residents. Most
messages are chit-chat; a share are requests, in Chinese and English (texts from the labelled
corpus in `tests/data/corpus`); some are photos; the rest are button presses: residents'
"me too", staff taking or moving a request on, votes. A press names what it wants to press
(its callback-data prefix); it is resolved against the bot's messages when it is sent, so
the same stream drives Courtyard and the echo bot (whose every reply carries one button).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus"

# What each kind of event presses first, by callback-data prefix (Courtyard's cards and polls).
PRESS_PREFIXES = {
    "metoo": ("rq:metoo:",),
    "staff": ("rq:take:", "rq:start:", "rq:resolve:"),
    "vote": ("pv:",),
}


@dataclass(frozen=True)
class StreamMix:
    """Shares of the stream by kind of event (they need not add up to 1: normalised)."""

    chat: float = 0.78
    request: float = 0.10
    photo: float = 0.04
    metoo: float = 0.04
    staff: float = 0.02
    vote: float = 0.02

    @classmethod
    def requests_only(cls) -> StreamMix:
        return cls(chat=0, request=1, photo=0, metoo=0, staff=0, vote=0)

    def kinds(self) -> tuple[list[str], list[float]]:
        kinds = ["chat", "request", "photo", "metoo", "staff", "vote"]
        return kinds, [float(getattr(self, kind)) for kind in kinds]


@dataclass(frozen=True)
class StreamEvent:
    """One thing a user does: `kind` is chat, request, photo, metoo, staff or vote."""

    kind: str
    building: int
    resident: int  # index of the resident (ignored for staff events)
    text: str = ""


def _texts(name: str, *, requests: bool) -> list[str]:
    with (CORPUS / name).open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [r["text"] for r in rows if (r["is_request"] == "1") == requests and r["text"]]


@dataclass(frozen=True)
class Corpus:
    chat_zh: list[str]
    chat_en: list[str]
    request_zh: list[str]
    request_en: list[str]

    @classmethod
    def load(cls) -> Corpus:
        return cls(
            chat_zh=_texts("zh_hans_other.tsv", requests=False),
            chat_en=_texts("en_other.tsv", requests=False),
            request_zh=_texts("zh_hans_requests.tsv", requests=True),
            request_en=_texts("en_requests.tsv", requests=True),
        )


def generate(
    count: int,
    *,
    buildings: int,
    residents: int,
    mix: StreamMix,
    seed: int,
    english_share: float = 0.3,
) -> list[StreamEvent]:
    """`count` events, the same for the same arguments."""
    rng = random.Random(seed)
    corpus = Corpus.load()
    kinds, weights = mix.kinds()
    events: list[StreamEvent] = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        building = rng.randrange(buildings)
        resident = rng.randrange(residents)
        english = rng.random() < english_share
        text = ""
        if kind == "chat":
            text = rng.choice(corpus.chat_en if english else corpus.chat_zh)
        elif kind == "request":
            text = rng.choice(corpus.request_en if english else corpus.request_zh)
        elif kind == "photo":
            # A photo of a problem (captioned like a request) or of something nice.
            is_request = rng.random() < 0.5
            pool = (
                (corpus.request_en if english else corpus.request_zh)
                if is_request
                else (corpus.chat_en if english else corpus.chat_zh)
            )
            text = rng.choice(pool)
        events.append(StreamEvent(kind, building, resident, text))
    return events
