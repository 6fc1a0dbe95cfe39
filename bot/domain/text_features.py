"""Features of a message for the learned model: hashed character and word n-grams.

Chinese has no spaces, so runs of CJK characters give character 1- to 3-grams; Latin text gives
words, word pairs and character 3- and 4-grams inside words (so "leaking", "leaky" and a typo
still share evidence). Text is folded first (traditional → simplified, full-width → half-width,
lower case) and digits are collapsed, so "3栋2单元1102" and "5栋1单元601" look alike. Every
feature is hashed with CRC-32 (stable across runs and machines, unlike `hash()`) into a fixed
number of buckets, so a deployment can learn words the shipped model never saw.
"""

from __future__ import annotations

import re
import zlib
from itertools import pairwise
from typing import Final

from bot.domain.hanzi import normalize

BUCKET_BITS: Final = 20
BUCKETS: Final = 1 << BUCKET_BITS
FEATURES_VERSION: Final = 1

_DIGITS: Final = re.compile(r"\d+")
_CJK_RUN: Final = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD: Final = re.compile(r"[a-z][a-z']*")
# Emoji and other symbols carry tone ("😡", "🔥", "👍"); each is one feature.
_SYMBOL: Final = re.compile(r"[\u2600-\u27bf\U0001f300-\U0001faff]")


def fold(text: str) -> str:
    """The text as the model sees it: folded like rule matching, digits collapsed to '0'."""
    return _DIGITS.sub("0", normalize(text))


def feature_names(text: str) -> list[str]:
    """Readable features of a message (for `--explain`); may repeat."""
    folded = fold(text)
    names: list[str] = []
    for run in _CJK_RUN.findall(folded):
        padded = f"<{run}>"
        names.extend(f"c:{run[i]}" for i in range(len(run)))
        names.extend(f"c:{padded[i : i + 2]}" for i in range(len(padded) - 1))
        names.extend(f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2))
    words = _WORD.findall(folded)
    names.extend(f"w:{word}" for word in words)
    names.extend(f"w:{first} {second}" for first, second in pairwise(words))
    for word in words:
        if len(word) > 3:
            padded = f"<{word}>"
            names.extend(f"g:{padded[i : i + 3]}" for i in range(len(padded) - 2))
            names.extend(f"g:{padded[i : i + 4]}" for i in range(len(padded) - 3))
    names.extend(f"s:{symbol}" for symbol in _SYMBOL.findall(folded))
    if "0" in folded:
        names.append("n:number")
    if "@" in folded:
        names.append("n:mention")
    return names


def bucket_of(name: str) -> int:
    """The hash bucket of one feature name."""
    return zlib.crc32(name.encode("utf-8")) & (BUCKETS - 1)


def buckets(text: str) -> dict[int, int]:
    """Bucket → count for a message."""
    counts: dict[int, int] = {}
    for name in feature_names(text):
        bucket = zlib.crc32(name.encode("utf-8")) & (BUCKETS - 1)
        counts[bucket] = counts.get(bucket, 0) + 1
    return counts
