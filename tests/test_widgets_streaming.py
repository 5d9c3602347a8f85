"""Streaming retrains (dlcourse.widgets.streaming): a control moved in the browser (not by a
cell) with an event loop running draws the first part at once and finishes in chunks on the
loop, with the same final arrays as the synchronous run; elsewhere everything is computed at
once."""

import asyncio

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlcourse.experiments.debug_run import DebugChecks, DebugTraining, run_debug
from dlcourse.experiments.digits import DigitsRun, train_digits
from dlcourse.widgets.bn_explorer import BNExplorer
from dlcourse.widgets.digits_explorer import DigitsExplorer
from dlcourse.widgets.gradcheck_explorer import GradCheckExplorer
from dlcourse.widgets.schedule_explorer import ScheduleExplorer
from dlcourse.widgets.debug_dashboard import DebugDashboard
from dlcourse.widgets import streaming
from dlcourse.widgets.streaming import Stream, in_cell


async def _until_done(d, limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while d._stream.streaming:
        assert loop.time() < end, "the stream never finished"
        await asyncio.sleep(0)


def _stream_move(d, name, value, *, chunk=0.0, first=0.0, then=None):
    """Move a control inside a running event loop (outside a cell: as a browser does);
    returns what the dashboard held right after the move (before the stream went on)."""
    seen = {}

    async def main():
        d._stream.first_seconds, d._stream.chunk_seconds = first, chunk
        d.controls[name].value = value
        seen["streaming"] = d._stream.streaming
        seen["epochs"] = {k: h.epochs for k, h in getattr(d, "histories", {}).items()}
        if then is not None:
            await asyncio.sleep(0)
            then()
        await _until_done(d)

    asyncio.run(main())
    return seen


def _same_bn(a: BNExplorer, b: BNExplorer) -> None:
    for name in BNExplorer.NAMES:
        assert a.histories[name].as_dict() == b.histories[name].as_dict()
        np.testing.assert_array_equal(a.stds[name], b.stds[name])
        for (_, p), (_, q) in zip(
            a.models[name].named_parameters(), b.models[name].named_parameters()
        ):
            np.testing.assert_array_equal(p.value, q.value)
    np.testing.assert_equal(a.accuracy, b.accuracy)
    assert a.message == b.message


SMALL = dict(depth=2, width=8, epochs=10)


def test_without_a_loop_or_inside_a_cell_nothing_streams(monkeypatch):
    d = BNExplorer(**SMALL)
    assert not in_cell()  # no kernel here
    d.controls["lr"].value = 0.1  # no running loop
    assert not d.streaming and d.histories["plain"].epochs == 10
    monkeypatch.setattr(streaming, "in_cell", lambda: True)  # a cell sets the control

    async def main():
        d.controls["lr"].value = 0.2
        assert not d.streaming and d.histories["plain"].epochs == 10

    asyncio.run(main())
    plt.close(d.figure)


def test_bn_stream_ends_where_the_synchronous_run_ends():
    d = BNExplorer(**SMALL)
    seen = _stream_move(d, "lr", 1.0)
    assert seen["streaming"]  # it went on after the move
    assert seen["epochs"]["plain"] < SMALL["epochs"]  # the first picture: a few epochs
    _same_bn(d, BNExplorer(**{**SMALL, "lr": 1.0}))
    assert not d.streaming and "training" not in d._acc_text.get_text()
    plt.close("all")


def test_bn_stream_with_a_divergence_gives_the_synchronous_message():
    d = BNExplorer(**SMALL)
    _stream_move(d, "init_scale", 10**1.5)
    _stream_move(d, "lr", 10.0)
    sync = BNExplorer(**{**SMALL, "lr": 10.0, "init_scale": 10**1.5})
    assert sync.message
    _same_bn(d, sync)
    plt.close("all")


def test_a_new_move_cancels_the_running_stream():
    d = BNExplorer(**SMALL)
    _stream_move(d, "lr", 1.0, then=lambda: d.controls["optimizer"].__setattr__("value", "adam"))
    _same_bn(d, BNExplorer(**{**SMALL, "lr": 1.0, "optimizer": "adam"}))
    plt.close("all")


def test_update_from_code_never_streams_even_with_a_loop():
    d = BNExplorer(**SMALL)

    async def main():
        d.set_config({**SMALL, "lr": 1.0})
        assert not d.streaming
        d.update()
        assert not d.streaming

    asyncio.run(main())
    _same_bn(d, BNExplorer(**{**SMALL, "lr": 1.0}))
    plt.close("all")


def test_an_exception_in_a_chunk_becomes_the_message():
    d = BNExplorer(**SMALL)

    def work():
        yield
        raise RuntimeError("chunk failed")

    async def main():
        d._stream.first_seconds = d._stream.chunk_seconds = 0.0
        with d._stream.allowed():
            assert d._stream.run(work(), lambda: None) is False
        await _until_done(d)

    asyncio.run(main())
    assert d.message == "chunk failed" and not d.streaming
    plt.close("all")


@pytest.mark.parametrize("seconds", [0.0, 0.05])
def test_stream_runs_all_the_work_then_finish(seconds):
    d = BNExplorer(**SMALL)
    done = []

    async def main():
        s = Stream(d)
        s.first_seconds = s.chunk_seconds = seconds
        with s.allowed():
            s.run(iter(range(5)), lambda: done.append(True))
        while s.streaming:
            await asyncio.sleep(0)

    asyncio.run(main())
    assert done == [True]
    plt.close("all")


# ------------------------------------------------------------------ DebugDashboard
def _same_debug(a, b) -> None:
    assert a.history.as_dict() == b.history.as_dict()
    assert [(x.name, x.passed, x.value, x.detail) for x in a.diagnostics] == [
        (x.name, x.passed, x.value, x.detail) for x in b.diagnostics
    ]
    assert a.divergence == b.divergence and a.message == b.message


DEBUG = dict(epochs=12)


def test_debug_cached_checks_equal_a_fresh_dashboard():
    d = DebugDashboard(**DEBUG)
    for lr in (0.1, 5.0, 0.3):  # lr moves reuse the checks and the overfit run
        d.controls["lr"].value = lr
        _same_debug(d, DebugDashboard(**{**DEBUG, "lr": lr}))
    d.controls["normalize"].value = False  # a new key: checks recomputed
    _same_debug(d, DebugDashboard(**{**DEBUG, "normalize": False}))
    d.controls["normalize"].value = True  # back again: from the cache
    _same_debug(d, DebugDashboard(**DEBUG))
    plt.close("all")


def test_debug_training_in_pieces_equals_run_debug():
    checks = DebugChecks(True, 1.0, False, 0)
    run = DebugTraining(10.0, 1.0, 0, checks)
    for _ in range(12):  # it diverges in epoch 10: the last pieces do nothing
        run.train(1)
    pieces, whole = run.result(), run_debug(10.0, True, 1.0, False, 12)
    assert pieces["history"].as_dict() == whole["history"].as_dict()
    assert pieces["divergence"] == whole["divergence"] != ""
    assert [x.detail for x in pieces["diagnostics"]] == [x.detail for x in whole["diagnostics"]]


@pytest.mark.parametrize("name, value", [("lr", 10.0), ("epochs", 15), ("normalize", False)])
def test_debug_stream_ends_where_the_synchronous_run_ends(name, value):
    d = DebugDashboard(**DEBUG)
    seen = {}

    async def main():
        d._stream.first_seconds = d._stream.chunk_seconds = 0.0
        d.controls[name].value = value
        seen["epochs"], seen["streaming"] = d.history.epochs, d.streaming
        seen["passed"] = d.all_passed
        await _until_done(d)

    asyncio.run(main())
    assert seen["streaming"] and seen["epochs"] == 1 and not seen["passed"]
    _same_debug(d, DebugDashboard(**{**DEBUG, name: value}))
    plt.close("all")


# ------------------------------------------------------------------ DigitsExplorer
def _same_digits(a, b) -> None:
    assert a.history.as_dict() == b.history.as_dict()
    np.testing.assert_array_equal(a.predictions, b.predictions)
    np.testing.assert_array_equal(a.confusion, b.confusion)
    assert a.val_accuracy == b.val_accuracy and a.message == b.message
    np.testing.assert_array_equal(a.cm.image.get_array(), b.cm.image.get_array())


DIGITS = dict(epochs=4)


def test_digits_rows_as_fractions_redraws_without_retraining():
    d = DigitsExplorer(**DIGITS)
    model = d.model
    d.controls["normalize"].value = True
    assert d.model is model  # no new training
    _same_digits(d, DigitsExplorer(**DIGITS, normalize=True))
    d.controls["lr"].value = 0.1
    assert d.model is not model
    d.controls["normalize"].value = False
    _same_digits(d, DigitsExplorer(**{**DIGITS, "lr": 0.1}))
    plt.close("all")


def test_digits_after_a_failed_run_rows_as_fractions_recomputes():
    d = DigitsExplorer(**DIGITS)
    d._complete = False  # as after a run that raised
    model = d.model
    d.controls["normalize"].value = True
    assert d.model is not model and d._complete
    plt.close("all")


def test_digits_training_in_pieces_equals_train_digits():
    run = DigitsRun(16, 0.05, 1.0, 2)
    for _ in range(3):
        run.train(1)
    model, history = train_digits(16, 0.05, 3, 1.0, 2)
    assert run.history.as_dict() == history.as_dict()
    for p, q in zip(run.model.parameters(), model.parameters()):
        np.testing.assert_array_equal(p.value, q.value)


@pytest.mark.parametrize("name, value", [("lr", 0.1), ("hidden", 16), ("epochs", 7)])
def test_digits_stream_ends_where_the_synchronous_run_ends(name, value):
    d = DigitsExplorer(**DIGITS)
    seen = {}

    async def main():
        d._stream.first_seconds = d._stream.chunk_seconds = 0.0
        d.controls[name].value = value
        seen["epochs"], seen["streaming"] = d.history.epochs, d.streaming
        await _until_done(d)

    asyncio.run(main())
    assert seen["streaming"] and seen["epochs"] == 1
    _same_digits(d, DigitsExplorer(**{**DIGITS, name: value}))
    plt.close("all")


# ------------------------------------------------------------------ GradCheckExplorer
def _same_check(a, b) -> None:
    np.testing.assert_array_equal(a.sweep, b.sweep)
    assert a.errors == b.errors and a.overall == b.overall and a.message == b.message
    np.testing.assert_array_equal(a._sweep_line.get_ydata(), b._sweep_line.get_ydata())


def test_gradcheck_sweep_cache_equals_a_fresh_sweep(monkeypatch):
    import dlcourse.widgets.gradcheck_explorer as module

    d = GradCheckExplorer()
    d.controls["bug"].value = "missing 1/m"
    calls = []
    real = module.error_vs_eps
    monkeypatch.setattr(module, "error_vs_eps", lambda *a, **k: calls.append(1) or real(*a, **k))
    d.controls["eps"].value = 1e-4  # eps alone: the sweep is not recomputed
    assert calls == []
    _same_check(d, GradCheckExplorer(bug="missing 1/m", eps=1e-4))
    calls.clear()  # (the fresh dashboard swept)
    d.controls["bug"].value = "none"  # back to a sweep seen before: from the cache
    assert calls == []
    _same_check(d, GradCheckExplorer(eps=1e-4))
    np.testing.assert_array_equal(d.sweep, real("none", "off", 0.5, seed=0))
    plt.close("all")


@pytest.mark.parametrize(
    "name, value", [("bug", "activation derivative"), ("l2", 1.0), ("dropout", "on, mask fixed")]
)
def test_gradcheck_stream_ends_where_the_synchronous_run_ends(name, value):
    d = GradCheckExplorer()
    seen = {}

    async def main():
        d._stream.first_seconds = d._stream.chunk_seconds = 0.0
        d.controls[name].value = value
        seen["done"], seen["streaming"] = int(np.sum(np.isfinite(d.sweep))), d.streaming
        seen["drawn"] = int(np.sum(np.isfinite(d._sweep_line.get_ydata())))
        await asyncio.sleep(0)
        d.controls["eps"].value = 1e-3  # an eps move while streaming: it goes on
        await _until_done(d)

    asyncio.run(main())
    assert seen["streaming"] and seen["done"] == 0 and seen["drawn"] == 0  # the bars first
    _same_check(d, GradCheckExplorer(**{name: value, "eps": 1e-3}))
    plt.close("all")


# ------------------------------------------------------------------ ScheduleExplorer
@pytest.mark.parametrize("name, value", [("lr0", 1.0), ("epochs", 70), ("schedule", "staircase")])
def test_schedule_stream_ends_where_the_synchronous_run_ends(name, value):
    d = ScheduleExplorer(epochs=30)
    seen = {}

    async def main():
        d._stream.first_seconds = d._stream.chunk_seconds = 0.0
        d.controls[name].value = value
        seen["epochs"], seen["streaming"] = len(d.cost), d.streaming
        await _until_done(d)

    asyncio.run(main())
    assert seen["streaming"] and seen["epochs"] == 1
    fresh = ScheduleExplorer(**{"epochs": 30, name: value})
    for key in ("cost", "cost_constant", "lr", "lr_constant"):
        np.testing.assert_array_equal(getattr(d, key), getattr(fresh, key))
    assert d.history == fresh.history and d.message == fresh.message
    np.testing.assert_array_equal(d._cost_line.get_ydata(), fresh._cost_line.get_ydata())
    plt.close("all")


# ------------------------------------------------------------------ axes while streaming
def _contains(outer, inner) -> bool:
    return min(outer) <= min(inner) and max(inner) <= max(outer)


@pytest.mark.parametrize(
    "make, axes, config, lr",
    [
        (BNExplorer, "ax_cost", SMALL, 3.0),
        (DebugDashboard, "ax_loss", DEBUG, 3.0),
        (DigitsExplorer, "ax_cost", DIGITS, 0.5),
    ],
)
def test_streamed_axes_only_widen_and_end_at_the_synchronous_limits(make, axes, config, lr):
    d = make(**config)
    limits = []
    draw = d._draw

    def recorded_draw():
        draw()
        ax = getattr(d, axes)
        limits.append((ax.get_xlim(), ax.get_ylim(), d._stream.incomplete))

    d._draw = recorded_draw
    before = (getattr(d, axes).get_xlim(), getattr(d, axes).get_ylim())
    _stream_move(d, "lr", lr)
    held = [before] + [(x, y) for x, y, incomplete in limits if incomplete]
    assert len(held) >= 3  # a first picture and at least one chunk while streaming
    epochs = config.get("epochs", 30)
    assert all(max(x) >= epochs for x, _ in held[1:])  # the x axis spans the whole run
    for (x0, y0), (x1, y1) in zip(held, held[1:]):
        assert _contains(x1, x0) and _contains(y1, y0)
    assert not limits[-1][2]  # the last picture is the finished run's
    sync = getattr(make(**{**config, "lr": lr}), axes)
    assert limits[-1][:2] == (sync.get_xlim(), sync.get_ylim())
    plt.close("all")


def _private_uses_of_the_dashboard(source: str) -> list[str]:
    """``d._x`` / ``self.dashboard._x`` / ``dashboard._x`` read in ``source``."""
    import ast

    def is_dashboard(node) -> bool:
        return (isinstance(node, ast.Name) and node.id in ("d", "dashboard")) or (
            isinstance(node, ast.Attribute) and node.attr == "dashboard"
        )

    return [
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and is_dashboard(node.value)
    ]


def test_helpers_act_on_a_dashboard_through_its_public_hooks():
    """Stream and PlayLoop go through Dashboard.guard and Dashboard.draw, never a private
    method of the dashboard; the check itself sees such a call."""
    import inspect

    from dlcourse.widgets import playing

    for module in (streaming, playing):
        assert _private_uses_of_the_dashboard(inspect.getsource(module)) == [], module
    assert _private_uses_of_the_dashboard("d._safely(f)\nself.dashboard._draw()") == [
        "_safely",
        "_draw",
    ]


@pytest.mark.parametrize(
    "cls", [BNExplorer, DebugDashboard, GradCheckExplorer, DigitsExplorer, ScheduleExplorer]
)
def test_every_retraining_dashboard_streams_through_one_mixin(cls):
    assert issubclass(cls, streaming.Streamed)
    assert "_control_changed" not in vars(cls) or cls in (DebugDashboard, DigitsExplorer)
    assert "streaming" not in vars(cls)
