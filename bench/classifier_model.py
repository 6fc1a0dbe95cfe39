"""Cost of the learned model: load time, throughput on one core, extra memory, file size.

Run from the repository root:  python bench/classifier_model.py
Each measurement runs in a fresh interpreter (so imports and caches do not flatter it); the
figures are the best of a few runs because the machine may be shared.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT / "tests" / "data" / "corpus"
RUNS = 3

_PROBE = r"""
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}})  # one core
def rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
from bot.domain.classifier import classify, default_rules
from bot.domain.classifier_evaluation import parse_corpus
from pathlib import Path
texts = []
for path in sorted(Path({corpus!r}).glob("*.tsv")):
    texts += [m.text for m in parse_corpus(path.read_text("utf-8").splitlines())]
rules = default_rules()
classify(texts[0], rules)
before = rss_kib()
started = time.perf_counter()
from bot.domain.learned_model import packaged_model
from bot.domain.understanding import Understanding
model = packaged_model()
understanding = Understanding(rules, model)
understanding.classify(texts[0])
load = time.perf_counter() - started
after = rss_kib()
def rate(fn):
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            fn(text)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best
print(json.dumps({{
    "load_seconds": load,
    "extra_rss_mib": (after - before) / 1024,
    "rules_per_second": rate(lambda t: classify(t, rules)),
    "model_per_second": rate(model.predict),
    "combined_per_second": rate(understanding.classify),
    "messages": len(texts),
}}))
"""


def measure() -> dict[str, float]:
    probe = _PROBE.format(root=str(REPO_ROOT), corpus=str(CORPUS))
    output = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> int:
    runs = [measure() for _ in range(RUNS)]
    best = {
        "load_seconds": min(r["load_seconds"] for r in runs),
        "extra_rss_mib": min(r["extra_rss_mib"] for r in runs),
        "rules_per_second": max(r["rules_per_second"] for r in runs),
        "model_per_second": max(r["model_per_second"] for r in runs),
        "combined_per_second": max(r["combined_per_second"] for r in runs),
    }
    model_file = REPO_ROOT / "bot" / "domain" / "classifier_model.zip"
    print(f"messages classified per run: {int(runs[0]['messages'])} (the tuning corpus)")
    print(f"model file:          {model_file.stat().st_size / 1024:.0f} KiB")
    print(f"load (import+read):  {best['load_seconds'] * 1000:.0f} ms     aim < 1000 ms")
    print(f"extra RSS:           {best['extra_rss_mib']:.1f} MiB     aim < 80 MiB")
    print(f"rules alone:         {best['rules_per_second']:.0f} messages/s")
    print(f"model alone:         {best['model_per_second']:.0f} messages/s")
    combined = best["combined_per_second"]
    print(f"rules + model:       {combined:.0f} messages/s   aim >= 1000 (one core)")
    ok = (
        best["load_seconds"] < 1
        and best["extra_rss_mib"] < 80
        and best["combined_per_second"] >= 1000
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
