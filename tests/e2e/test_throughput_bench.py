"""The throughput bench (`bench/throughput.py`) in miniature, so it cannot rot.

Correctness only, never timings: both bots (separate processes) take every update of the
same streams, the echo bot answers all of them, Courtyard answers every request and press,
and the report renders every figure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.load_stream import StreamMix, generate
from bench.throughput import Plan, render, run

pytestmark = pytest.mark.slow

ANSWERED_BY_COURTYARD = ("request", "metoo", "staff", "vote")


async def test_the_bench_drives_both_bots_through_the_same_streams(tmp_path: Path) -> None:
    plan = Plan(
        buildings=2,
        residents=6,
        updates=40,
        latency_rate=20.0,
        latency_seconds=1.0,
        seed=3,
        startup_requests=0,
    )
    report = await run(plan, tmp_path)

    mixed = generate(40, buildings=2, residents=6, mix=StreamMix(), seed=3)
    assert {e.kind for e in mixed} >= {"chat", "request"}
    for figures in (report.backlog, report.requests_only, report.latency):
        ours = figures["courtyard"]
        echoes = [figures[bot] for bot in figures if bot.startswith("echo")]
        assert len(echoes) == (2 if plan.echo_on_uvloop else 1)
        # Courtyard marked every update of the stream handled; each echo bot answered each.
        assert ours.handled == ours.updates > 0
        for echo in echoes:
            assert echo.handled == echo.replies == echo.updates == ours.updates
        assert ours.cpu_seconds > 0
        assert ours.peak_rss_mb > 0
    assert (
        len(report.requests_only["courtyard"].latencies)
        == report.requests_only["courtyard"].updates
    )
    answered = report.backlog["courtyard"].latencies
    expected = {i for i, e in enumerate(mixed) if e.kind in ANSWERED_BY_COURTYARD}
    assert expected <= answered.keys()
    assert report.shared_latencies()["courtyard"]

    text = render(report, "python bench/throughput.py (test)", "test machine")
    for figure in ("updates/s", "CPU per update", "p50 / p95 / p99", "peak RSS", "startup"):
        assert figure in text
    assert text.count("- met:") + text.count("- MISSED:") == 4
    # The echo bot on uvloop is an extra line, never what the aims compare with.
    assert ("echo on uvloop" in text) == plan.echo_on_uvloop
