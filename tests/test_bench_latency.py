"""The arithmetic of ``bench_latency.py --trace`` (no browser): the phases of one press from
the kernel's events, and the notebook the trace cell goes into."""

from __future__ import annotations

import pytest

from benchmarks import bench_latency as bench
from tools import lab_driver as ld

T0 = 1_000_000.0
#: one press as logged (ms after the press): a nested callback whose push draws and encodes
#: the frame; a later push after the pixels changed; pixels changed at 200
PRESS = [
    ("cb0", 26),
    ("cb0", 26),
    ("cb1", 40),
    ("push0", 60),
    ("png0", 110),
    ("png1", 118),
    ("push1", 120),
    ("cb1", 120),
    ("push0", 400),
    ("push1", 450),
]


def events(rows):
    return [[name, T0 + t] for name, t in rows]


def test_a_press_splits_into_phases_that_add_up():
    p = bench.phases(events([("png0", -50), ("png1", -40)] + PRESS), T0, T0 + 200)
    assert p == {
        "press->cb": 26,
        "compute": 94 - 60,
        "agg": 60 - 8,
        "png": 8,
        "send->px": 80,
        "total": 200,
    }
    assert sum(p.values()) - p["total"] == p["total"]  # nothing unaccounted


def test_a_press_without_any_kernel_event_has_only_a_total():
    p = bench.phases([], T0, T0 + 90)
    assert p["total"] == 90 and all(v is None for k, v in p.items() if k != "total")


def test_the_trace_table_counts_presses_where_a_phase_was_missing():
    rows = [dict.fromkeys(bench.PHASES, 10.0), dict.fromkeys(bench.PHASES, 30.0)]
    rows[1]["png"] = None
    line = bench.trace_table({"X": rows}).splitlines()[1].split()
    assert line[:3] == ["X", "2", "20"] and "10 (1/2)" in " ".join(line)


@pytest.mark.parametrize("trace", [False, True])
def test_the_bench_notebook_runs_the_trace_cell_before_the_dashboard(tmp_path, trace):
    log = tmp_path / "it's.jsonl" if trace else None
    cells = [c["source"] for c in bench._notebook("from m import D", "D", "lr", log)["cells"]]
    assert cells[-1].startswith("from m import D\nd = D()")
    assert len(cells) == 1 + trace
    if trace:
        compile(cells[0], "trace", "exec")
        assert repr(str(log)) in cells[0] and "push" in cells[0] and "guard" in cells[0]
    nb = ld.notebook(cells)
    assert nb["nbformat"] == 4 and [c["id"] for c in nb["cells"]] == [
        f"cell{i}" for i in range(len(cells))
    ]
