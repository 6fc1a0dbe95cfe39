"""The systemd unit and the container image run the installed `courtyard run` with the paths the
README documents, as an unprivileged user, stopped by SIGTERM and restarted on failure."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.config import default_config_path, load_settings, parse_settings

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "courtyard.service"
CONTAINERFILE = ROOT / "deploy" / "Containerfile"
INSTALLED = Path(sys.executable).parent / "courtyard"


def _production_readme() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Running in production")
    return text[start : text.index("\n## ", start + 1)]


def _unit() -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in UNIT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            current.setdefault(key, []).append(value)
    return sections


def _containerfile() -> list[tuple[str, str]]:
    text = CONTAINERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _installed_entry_point() -> str:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(pyproject["project"]["scripts"]["courtyard"])


def _run_command(argv: list[str]) -> Path:
    """`courtyard run --config PATH` exactly: returns PATH."""
    assert Path(argv[0]).name == "courtyard"
    assert _installed_entry_point() == "bot.cli:main"
    args = build_parser().parse_args(argv[1:])
    assert args.command == "run"
    assert args.config is not None
    return Path(args.config)


def test_systemd_unit_runs_the_installed_courtyard_with_the_documented_paths() -> None:
    service = _unit()["Service"]
    (exec_start,) = service["ExecStart"]
    argv = shlex.split(exec_start)
    config = _run_command(argv)
    readme = _production_readme()
    assert f"`{argv[0]}`" in readme
    assert f"`{config}`" in readme
    assert f"COURTYARD_CONFIG={config}" in service["Environment"]
    # The database path the README tells the config to use lies in the state directory.
    toml_blocks = re.findall(r"```toml\n(.*?)```", readme, re.DOTALL)
    settings = parse_settings(tomllib.loads(toml_blocks[0]), source=config, environ={})
    state = Path("/var/lib") / service["StateDirectory"][0]
    assert settings.storage.database.parent == state
    assert settings.backup.directory.parent == state
    assert f"`{settings.storage.database}`" in readme
    assert service["WorkingDirectory"] == [str(state)]
    # Unprivileged, stopped by SIGTERM with time to drain, restarted on failure.
    assert service["User"] not in (["root"], ["0"])
    assert service["KillSignal"] == ["SIGTERM"]
    assert int(service["TimeoutStopSec"][0]) >= 30
    assert service["Restart"] == ["on-failure"]
    assert service["RestartPreventExitStatus"] == ["2"]  # config errors: see bot/cli.py
    assert _unit()["Install"]["WantedBy"] == ["multi-user.target"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_unit_with_the_installed_command(tmp_path: Path) -> None:
    exec_start = _unit()["Service"]["ExecStart"][0]
    installed_path = shlex.split(exec_start)[0]
    assert INSTALLED.exists(), "the courtyard console script is not installed in this venv"
    unit = tmp_path / "courtyard.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace(installed_path, str(INSTALLED)),
        encoding="utf-8",
    )
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    problems = [line for line in result.stderr.splitlines() if "courtyard.service" in line]
    assert result.returncode == 0, result.stderr
    assert problems == []


def test_the_installed_command_accepts_what_the_units_run() -> None:
    assert INSTALLED.exists()
    result = subprocess.run(
        [str(INSTALLED), "run", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--config" in result.stdout


def test_container_image_runs_the_installed_courtyard_on_its_volume() -> None:
    instructions = _containerfile()
    values = dict(instructions)  # the last of each keyword
    entrypoint = json.loads(values["ENTRYPOINT"])
    command = json.loads(values["CMD"])
    config = _run_command([*entrypoint, *command])
    unit_exec = shlex.split(_unit()["Service"]["ExecStart"][0])
    assert entrypoint == [unit_exec[0]]  # the same virtualenv layout as with systemd
    (volume,) = json.loads(values["VOLUME"])
    assert config.parent == Path(volume)
    assert values["WORKDIR"] == volume
    assert f"COURTYARD_CONFIG={config}" in values["ENV"]
    assert values["USER"] not in ("root", "0", "")
    assert values["STOPSIGNAL"] == "SIGTERM"
    assert "pip install" in values["RUN"]
    assert f"venv {Path(entrypoint[0]).parents[1]}" in values["RUN"]
    # Every source the image copies exists, and .dockerignore lets it through.
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8")
    for keyword, rest in instructions:
        if keyword == "COPY":
            *sources, _ = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert f"!{source}" in ignored.splitlines(), source
    # The example config, copied into the volume as documented, keeps everything on it.
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    settings = parse_settings(example, source=config, environ={})
    assert settings.storage.database.parent == Path(volume)
    assert settings.backup.directory.parent == Path(volume)
    assert default_config_path({"COURTYARD_CONFIG": str(config)}) == config
    readme = _production_readme()
    assert f"`{' '.join([*entrypoint, *command])}`" in readme
    run_line = next(line for line in readme.splitlines() if line.startswith("podman run"))
    assert "--restart=on-failure" in run_line
    assert f":{volume} " in run_line


def test_readme_documents_the_operations_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("courtyard backup", "courtyard restore FILE", "courtyard status"):
        assert f"`{command}" in readme
    for command in ("backup", "restore", "status"):
        assert command in build_parser().format_help()
    assert load_settings(ROOT / "config.example.toml", environ={}).backup.at is not None
