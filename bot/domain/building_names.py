"""Building names: what people see, and when two names are too alike to tell apart.

A resident picks their building by its name, so a name must not hide anything: it is
NFKC-normalised (full-width letters become ordinary ones), invisible and bidirectional
control characters are removed (a zero-width space or a right-to-left override changes
nothing a person can see), and spacing is collapsed. Two names are look-alikes when they
differ only in case, spacing, punctuation, traditional/simplified characters, or letters
that look the same in another script (Cyrillic "А" and Latin "A", "0" and "O", "1" and "l");
a new building may not take a look-alike of an existing one's name.
"""

from __future__ import annotations

import unicodedata

from bot.domain.hanzi import to_simplified

MAX_NAME_LENGTH = 60

# Characters that take up no visible space but are not format controls (category Cf, which
# covers zero-width spaces and joiners, bidi marks, embeddings, overrides and isolates).
_INVISIBLE = frozenset(
    "\u034f"  # combining grapheme joiner
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u17b4\u17b5"  # Khmer inherent vowels
    "\u2800"  # Braille blank
    "\u180b\u180c\u180d\u180f"  # Mongolian variation selectors
) | frozenset(chr(c) for c in range(0xFE00, 0xFE10))  # variation selectors

# Letters that look like Latin letters or digits, mapped to the one they imitate (lowercase,
# after casefolding). Latin letters that look like digits share the digit's key.
_LOOK_ALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "м": "m", "н": "h", "о": "0", "р": "p", "ԛ": "q", "ѕ": "s",
    "т": "t", "у": "y", "х": "x", "ԝ": "w", "ү": "y", "ӏ": "1", "ԁ": "d", "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
    "ο": "0", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    # Latin letters that pass for digits, and other Latin look-alikes
    "o": "0", "l": "1", "i": "1", "ı": "1", "ȷ": "j", "ß": "ss",
}  # fmt: skip


def _is_hidden(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cf", "Cc", "Co", "Cs", "Cn") or char in _INVISIBLE


def clean_name(raw: str) -> str:
    """The name as it will be shown: NFKC, nothing invisible, single spaces ("" if nothing
    visible is left)."""
    normalised = unicodedata.normalize("NFKC", raw)
    visible = "".join(
        " " if char.isspace() else char
        for char in normalised
        if not (_is_hidden(char) and not char.isspace())
    )
    return " ".join(visible.split())


def look_alike_key(name: str) -> str:
    """Equal for names a person could not tell apart (see the module's rules)."""
    folded = to_simplified(clean_name(name)).casefold()
    # Decompose so accents can be dropped ("é" and "e" look alike at a glance).
    decomposed = unicodedata.normalize("NFKD", folded)
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category.startswith(("M", "P", "Z", "S")) or char.isspace():
            continue
        kept.append(_LOOK_ALIKES.get(char, char))
    # A name of nothing but symbols still has an identity of its own.
    return "".join(kept) or folded
