"""The README's usage examples run as written, in order, and succeed."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphthb.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _usage_lines() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    usage = text[text.index("## Usage") :]
    block = re.search(r"```sh\n(.*?)```", usage, re.DOTALL).group(1)
    return [
        line.split("  #")[0].strip() for line in block.splitlines() if line.startswith("graphthb ")
    ]


@pytest.mark.slow
def test_readme_usage_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for folder in ("sample_data", "cypher"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    lines = _usage_lines()
    assert len(lines) >= 15
    runner = CliRunner()
    for line in lines:
        args = shlex.split(line)[1:]
        redirect = None
        if ">" in args:
            redirect = args[args.index(">") + 1]
            args = args[: args.index(">")]
        result = runner.invoke(main, args, env={"GRAPHTHB_DB": None})
        assert result.exit_code == 0, f"{line}\n{result.output}"
        if redirect:
            Path(redirect).write_text(result.stdout)
    assert Path("graphthb.lbug").exists()
    for made in (
        "groups.json",
        "group.html",
        "phone.html",
        "overview.html",
        "case.gexf",
        "world/records.csv",
    ):
        assert Path(made).stat().st_size > 0, made


@pytest.mark.slow
def test_setup_command_demo_then_a_cypher_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    demo = runner.invoke(main, ["demo"], env={"GRAPHTHB_DB": None})
    assert demo.exit_code == 0, demo.output
    assert "G-225b5685" in demo.stdout and "personas_per_phone" in demo.stdout
    assert (tmp_path / "graphthb-views" / "overview.html").exists()
    answer = runner.invoke(
        main, ["query", "-f", "personas_per_phone", "--format", "csv"], env={"GRAPHTHB_DB": None}
    )
    assert answer.exit_code == 0 and answer.stdout.splitlines()[0] == "phone,personas,ads"
