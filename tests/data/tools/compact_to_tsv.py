"""Turn the compact writing format into corpus TSV (a helper for writing batches by hand).

Each input line: `<is_request> <category|-> <urgent> <kind|-> | <text>`, e.g.
    1 water 1 - | 5号楼地下室水管爆了，水漫到楼道了
    0 - 0 news | 听说对面小区昨晚着火了
Blank lines and lines starting with # are skipped. Usage: compact_to_tsv.py IN OUT
"""

from __future__ import annotations

import sys
from pathlib import Path


def convert(lines: list[str]) -> list[str]:
    rows = ["text\tis_request\tcategory\turgent\tkind"]
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        head, sep, text = line.partition(" | ")
        fields = head.split()
        if not sep or len(fields) != 4 or not text.strip():
            raise SystemExit(f"line {number}: {line!r}")
        is_request, category, urgent, kind = fields
        text = " ".join(text.split("\t")).strip()
        if text in seen:
            raise SystemExit(f"line {number}: duplicate {text!r}")
        seen.add(text)
        category = "" if category == "-" else category
        kind = "" if kind == "-" else kind
        rows.append("\t".join((text, is_request, category, urgent, kind)))
    return rows


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.write_text("\n".join(convert(source.read_text("utf-8").splitlines())) + "\n", "utf-8")
