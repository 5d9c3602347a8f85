"""The arithmetic of ``bench_latency.py --trace`` (no browser): the phases of one press from
the kernel's events, and the notebook the trace cell goes into."""

from __future__ import annotations

import pytest

from benchmarks import bench_latency as bench
from tools import lab_driver as ld

T0 = 1_000_000.0
#: one EWAExplorer press as logged (ms after the press): a nested callback asking for three
#: draw_idle, one handle_draw whose draw holds the PNG and its send; pixels changed at 380
DRAW_IDLE_PRESS = [
    ("cb0", 26),
    ("cb0", 26),
    ("idle0", 27),
    ("idle1", 32),
    ("cb1", 32),
    ("idle0", 32),
    ("idle1", 32),
    ("cb1", 32),
    ("idle0", 32),
    ("idle1", 32),
    ("hd0", 80),
    ("draw0", 80),
    ("png0", 285),
    ("png1", 332),
    ("send0", 332),
    ("send1", 338),
    ("draw1", 338),
    ("hd1", 338),
]


def events(rows):
    return [[name, T0 + t] for name, t in rows]


def test_a_draw_idle_press_splits_into_phases_that_add_up():
    p = bench.phases(events([("png0", -50), ("png1", -40)] + DRAW_IDLE_PRESS), T0, T0 + 380)
    assert p == {
        "press->cb": 26,
        "compute": 6,
        "req->draw": 48,
        "agg": 258 - 47 - 6,
        "png": 47,
        "send->px": 48,
        "total": 380,
    }
    assert sum(p.values()) - p["total"] == p["total"]  # nothing unaccounted


def test_a_direct_draw_inside_the_callback_is_not_compute_and_has_no_round_trip():
    rows = [
        ("cb0", 10),
        ("draw0", 30),
        ("png0", 130),
        ("png1", 150),
        ("send0", 150),
        ("send1", 152),
        ("draw1", 152),
        ("cb1", 160),
        ("blit0", 170),
        ("blit1", 171),
        ("draw0", 400),
        ("draw1", 500),
    ]  # a later draw after the pixels changed
    p = bench.phases(events(rows), T0, T0 + 200)
    assert p["press->cb"] == 10 and p["compute"] == 150 - 122
    assert p["req->draw"] is None
    assert p["agg"] == 100 and p["png"] == 20 and p["send->px"] == 50


def test_a_press_without_any_kernel_event_has_only_a_total():
    p = bench.phases([], T0, T0 + 90)
    assert p["total"] == 90 and all(v is None for k, v in p.items() if k != "total")


def test_the_trace_table_counts_presses_where_a_phase_was_missing():
    rows = [dict.fromkeys(bench.PHASES, 10.0), dict.fromkeys(bench.PHASES, 30.0)]
    rows[1]["req->draw"] = None
    line = bench.trace_table({"X": rows}).splitlines()[1].split()
    assert line[:3] == ["X", "2", "20"] and "10 (1/2)" in " ".join(line)


@pytest.mark.parametrize("trace", [False, True])
def test_the_bench_notebook_runs_the_trace_cell_before_the_dashboard(tmp_path, trace):
    log = tmp_path / "it's.jsonl" if trace else None
    cells = [c["source"] for c in bench._notebook("from m import D", "D", "lr", log)["cells"]]
    assert cells[0] == "%matplotlib widget" and cells[-1].startswith("from m import D\nd = D()")
    assert len(cells) == 2 + trace
    if trace:
        compile(cells[1], "trace", "exec")
        assert repr(str(log)) in cells[1] and "blit" in cells[1] and "_safely" in cells[1]
    nb = ld.notebook(cells)
    assert nb["nbformat"] == 4 and [c["id"] for c in nb["cells"]] == [
        f"cell{i}" for i in range(len(cells))
    ]
