"""The learner edition is what source/ generates, and it holds no solution."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_learner_edition_matches_source():
    pytest.importorskip("nbgrader", reason="the drift check needs nbgrader (the instructor extra)")
    run = subprocess.run(
        [sys.executable, "tools/build_editions.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_source_has_a_learner_edition_without_solutions():
    sources = sorted(p.name for p in (ROOT / "source").glob("*.ipynb"))
    learners = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sources and sources == learners
    for name in learners:
        text = (ROOT / "notebooks" / name).read_text()
        assert "BEGIN SOLUTION" not in text and "source_hidden" not in text, name


def test_learner_checks_say_not_written_yet():
    nb = json.loads((ROOT / "notebooks" / "02_activation_functions.ipynb").read_text())
    outputs = "".join(
        o.get("text", "") if isinstance(o.get("text"), str) else "".join(o.get("text", []))
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c["outputs"]
    )
    plain = "".join(
        "".join(o.get("data", {}).get("text/plain", ""))
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c["outputs"]
    )
    assert "not written yet" in outputs + plain
