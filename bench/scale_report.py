"""How `bench/scale_jobs.py` reads a process's memory and writes its figures down."""

from __future__ import annotations

import os
import platform
import sqlite3
from pathlib import Path
from typing import Any


def rss_mb(field_name: str = "VmRSS", pid: int | str = "self") -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # the process has ended
        return 0.0
    for line in status.splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children_pids() -> list[int]:
    """This process's child processes (the export's worker)."""
    pids: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += [int(pid) for pid in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def verdict(figure: float, aim: float, unit: str) -> str:
    if figure <= aim:
        return f"met ({figure:.2f} {unit} ≤ {aim:g} {unit})"
    return f"missed by {figure - aim:.2f} {unit} ({figure:.2f} {unit} > {aim:g} {unit})"


def figures_markdown(
    figures: dict[str, Any], export: dict[str, float], path: Path, cmd: str
) -> str:
    """The Markdown section `bench/results/scale.md` holds."""
    machine = (
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.platform()}"
    )
    lines = [
        "### Scale: scheduled jobs and lists at district size",
        "",
        f"Command: `{cmd}`  ",
        f"Machine: {machine}  ",
        f"Database: `bench/scale_db.py`, {path.stat().st_size / 2**30:.2f} GB, "
        f"{figures['open requests']:,} open requests, {figures['buildings']:,} buildings.",
        "",
        "| figure | measured |",
        "| --- | --- |",
        f"| reminder tick, +1 min ({figures['due at +1 min']} due) "
        f"| {figures['tick +1 min s'] * 1000:.0f} ms |",
        f"| reminder tick, +1 h ({figures['due at +1 h']} due) "
        f"| {figures['tick +1 h s'] * 1000:.0f} ms |",
        f"| daily digest ({figures['digests claimed']:,} staff) | {figures['digest s']:.2f} s |",
        f"| auto-close ({figures['resolved due']} due) "
        f"| {figures['auto-close s'] * 1000:.0f} ms |",
        f"| weekly report ({figures['buildings']:,} buildings, charts included) "
        f"| {figures['weekly s']:.1f} s |",
        f"| /summary, one building's week with its chart "
        f"| median {figures['summary median s'] * 1000:.0f} ms, "
        f"max {figures['summary max s'] * 1000:.0f} ms |",
        f"| /export, last 30 days ({export['count']:,.0f} requests, {export['files MB']:.1f} MB "
        f"files) | {export['seconds']:.2f} s (CPU in its two child processes together: "
        f"{export['child cpu']:.2f} s) |",
        f"| /export RSS before / peak / after (the bot's process) | {export['rss before']:.0f} / "
        f"{export['rss peak']:.0f} / {export['rss after']:.0f} MB |",
        f"| /export child processes' peak RSS, together (they end with the export) "
        f"| {export['child rss peak']:.0f} MB |",
        f"| /requests reads alone | {figures['requests alone']} |",
        f"| /mine reads alone | {figures['mine alone']} |",
    ]
    for name, text in figures["during"].items():
        lines.append(f"| /requests, /mine while {name} | {text} |")
    lines += [
        "",
        "Aims:",
        "",
        f"- reminder tick < 1 s at 1M requests, 100k open: "
        f"{verdict(max(figures['tick +1 min s'], figures['tick +1 h s']), 1, 's')}",
        f"- digest, 5,000 staff < 2 s: {verdict(figures['digest s'], 2, 's')}",
        f"- /export of ~27k requests < 3 s: {verdict(export['seconds'], 3, 's')}",
        f"- /export peak RSS < 250 MB: bot {verdict(export['rss peak'], 250, 'MB')}; "
        f"children {verdict(export['child rss peak'], 250, 'MB')}",
        f"- /export RSS after < 150 MB: {verdict(export['rss after'], 150, 'MB')}",
        f"- /requests and /mine p99 < 50 ms while any job runs: "
        f"{verdict(figures['commands p99 during jobs'], 50, 'ms')}",
        "",
        "The commands' figures are their database reads (the handlers add formatting and the "
        "reply, which go through the send path measured in `bench/results/pacing_soak.md`). "
        "Jobs run without sending: the outbox keeps what they queue.",
    ]
    return "\n".join(lines) + "\n"
