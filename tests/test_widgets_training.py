"""TrainingDashboard and InitExplorer, driven headlessly through their real ipywidgets.

Setting ``widget.value`` fires the same callbacks as a drag in the browser. Each result is
compared with a direct computation using the package, built independently here.
"""

import asyncio
import itertools
import json

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W
import numpy as np
import pytest

import dlcourse as dl
from dlcourse import datasets
from dlcourse.experiments.training_runs import epoch_seed
from dlcourse.metrics import grid_probabilities
from dlcourse.plots.display import figure_png
from dlcourse.widgets import InitExplorer, TrainingDashboard

SMALL = {"n_examples": 40, "epochs": 2}  # keeps the sweeps fast


class CoarseDashboard(TrainingDashboard):
    """The same dashboard with a coarser decision-boundary grid, for the long sweeps."""

    resolution = 24


def extremes(widget):
    """The two ends of a control's range (both options of a checkbox)."""
    if isinstance(widget, (W.FloatLogSlider,)):
        return [widget.base**widget.min, widget.base**widget.max]
    if isinstance(widget, (W.IntSlider, W.FloatSlider)):
        return [widget.min, widget.max]
    if isinstance(widget, W.Checkbox):
        return [False, True]
    return [widget.options[0], widget.options[-1]]


def every_value(widget):
    if isinstance(widget, (W.Dropdown, W.SelectionSlider)):
        return list(widget.options)
    return extremes(widget)


def artist_counts(fig):
    return (
        len(fig.axes),
        len(fig.texts),
        sum(len(ax.get_children()) for ax in fig.axes),
        sum(
            len(ax.lines) + len(ax.images) + len(ax.collections) + len(ax.patches)
            for ax in fig.axes
        ),
    )


def no_internal_error(dash):
    assert "could not" not in dash.message and "Traceback" not in dash.message, dash.message


# ====================================================================== TrainingDashboard
def direct_training(cfg, epochs, changes=None):
    """Train the network TrainingDashboard describes, written out with the package."""
    seed = cfg["seed"]
    X, y = datasets.make(cfg["dataset"], n=cfg["n_examples"], noise=cfg["noise"], rng=seed)
    X_tr, X_val, y_tr, y_val = datasets.train_val_split(X, y, cfg["val_fraction"], rng=seed + 1)
    w_rng, d_rng = np.random.default_rng(seed + 2), np.random.default_rng(seed + 3)
    C = int(y.max()) + 1
    layers, prev = [], 2
    for _ in range(cfg["hidden_layers"]):
        layers.append(
            dl.Dense(prev, cfg["width"], init=cfg["init"], bias=not cfg["batch_norm"], rng=w_rng)
        )
        if cfg["batch_norm"]:
            layers.append(dl.BatchNorm(cfg["width"]))
        layers.append(dl.get_activation(cfg["activation"]))
        if cfg["dropout"]:
            layers.append(dl.Dropout(cfg["dropout"], rng=d_rng))
        prev = cfg["width"]
    layers.append(dl.Dense(prev, 1 if C == 2 else C, init=cfg["init"], rng=w_rng))
    model = dl.Sequential(layers)
    opt = {
        "adam": lambda p: dl.optim.Adam(p, cfg["lr"], cfg["beta1"], cfg["beta2"]),
        "momentum": lambda p: dl.optim.Momentum(p, cfg["lr"], cfg["beta"]),
        "rmsprop": lambda p: dl.optim.RMSProp(p, cfg["lr"], cfg["beta"]),
        "sgd": lambda p: dl.optim.SGD(p, cfg["lr"]),
        "adagrad": lambda p: dl.optim.AdaGrad(p, cfg["lr"]),
    }[cfg["optimizer"]](model.parameters())
    loss = dl.BinaryCrossEntropy() if C == 2 else dl.SoftmaxCrossEntropy()
    batch = None if cfg["batch_size"] == "full" else cfg["batch_size"]
    train, val = [], []
    for e in range(epochs):
        for attr, value in (changes or {}).get(e, {}).items():
            setattr(opt, attr, value)  # what a slider does to the running optimizer
        h = dl.fit(
            model,
            X_tr,
            y_tr,
            loss,
            opt,
            epochs=1,
            batch_size=batch,
            l2=cfg["l2"],
            validation=(X_val, y_val),
            seed=epoch_seed(seed, e),
        )
        train += h.loss
        val += h.val_loss
    return model, np.array(train), np.array(val)


def test_epoch_seed_is_a_seed_sequence_hash():
    assert epoch_seed(3, 7) == int(np.random.SeedSequence([3, 7]).generate_state(1)[0])
    assert len({epoch_seed(0, e) for e in range(100)}) == 100


def test_training_dashboard_contract():
    d = TrainingDashboard()
    assert set(d.controls) <= set(d.config)
    assert json.loads(json.dumps(d.config)) == d.config
    assert isinstance(d.controls["lr"], W.FloatLogSlider)
    for name in ("lr", "noise", "width", "hidden_layers", "dropout", "beta", "batch_size", "l2"):
        assert d.controls[name].continuous_update is False, name
    assert d.epoch == 0 and d.message == ""
    assert d.grid_probs.shape == (d.resolution, d.resolution, 2)
    # the untrained network is drawn: grid equals the model on the grid
    ext = d._boundary.extent
    np.testing.assert_array_equal(grid_probabilities(d.model, ext, d.resolution)[2], d.grid_probs)
    assert isinstance(d.view, W.VBox)
    with pytest.raises(ValueError, match="lr must be in .* got 0"):
        TrainingDashboard(lr=0)
    with pytest.raises(ValueError, match="unknown dataset 'donut'"):
        TrainingDashboard(dataset="donut")
    with pytest.raises(ValueError, match="unknown batch_size 48; valid: 1, 2, .*, 'full'"):
        TrainingDashboard(batch_size=48)
    with pytest.raises(TypeError, match="unknown setting"):
        TrainingDashboard(learning_rate=0.1)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {
            "dataset": "spiral",
            "activation": "relu",
            "init": "he",
            "optimizer": "momentum",
            "lr": 0.1,
            "batch_size": 16,
            "dropout": 0.2,
            "l2": 0.01,
        },
        {
            "dataset": "circles",
            "batch_norm": True,
            "optimizer": "rmsprop",
            "batch_size": "full",
            "lr": 0.01,
            "hidden_layers": 3,
            "width": 6,
        },
    ],
)
def test_run_equals_fit_called_directly(overrides):
    d = TrainingDashboard(epochs=12, **overrides)
    d.run()
    model, train, val = direct_training(d.config, 12)
    np.testing.assert_array_equal(d.train_loss, train)
    np.testing.assert_array_equal(d.val_loss, val)
    assert d.epoch == 12 and len(d.step_loss) > 0
    _, _, probs = grid_probabilities(model, d._boundary.extent, d.resolution)
    np.testing.assert_array_equal(d.grid_probs, probs)


def test_controls_change_results_and_match_direct_computation():
    d = TrainingDashboard(epochs=10)
    d.run()
    before = d.train_loss.copy()
    d.controls["dataset"].value = "xor"  # structural: a new network, old run faded
    assert d.epoch == 0
    np.testing.assert_array_equal(d.previous["loss"], before)
    d.controls["width"].value = 12
    d.controls["activation"].value = "relu"
    d.controls["optimizer"].value = "sgd"
    d.controls["lr"].value = 0.3
    d.run()
    assert not np.array_equal(d.train_loss, before)
    cfg = d.config
    assert (cfg["dataset"], cfg["width"], cfg["activation"], cfg["lr"]) == ("xor", 12, "relu", 0.3)
    _, train, val = direct_training(cfg, 10)
    np.testing.assert_array_equal(d.train_loss, train)
    np.testing.assert_array_equal(d.val_loss, val)
    assert d.train_loss[-1] < d.train_loss[0]


def test_lr_change_mid_training_keeps_optimizer_state():
    d = TrainingDashboard(epochs=10, optimizer="adam")
    d.run(4)
    opt, model = d.optimizer, d.model
    state = {
        p: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
        for p, s in opt.state.items()
    }
    d.controls["lr"].value = 0.05
    d.controls["beta2"].value = 0.99
    assert d.optimizer is opt and d.model is model and d.epoch == 4
    assert opt.lr == 0.05 and opt.beta2 == 0.99
    for p, s in opt.state.items():  # untouched: velocities, squares and t carry on
        assert s["t"] == state[p]["t"] > 0
        np.testing.assert_array_equal(s["v"], state[p]["v"])
        np.testing.assert_array_equal(s["s"], state[p]["s"])
    d.run()
    assert d.epoch == 10
    np.testing.assert_array_equal(d.history.lr, [0.01] * 4 + [0.05] * 6)
    cfg = {**d.config, "lr": 0.01, "beta2": 0.999}
    _, train, val = direct_training(cfg, 10, changes={4: {"lr": 0.05, "beta2": 0.99}})
    np.testing.assert_array_equal(d.train_loss, train)
    np.testing.assert_array_equal(d.val_loss, val)


def test_beta_controls_act_on_the_running_optimizer_and_are_greyed_when_unused():
    d = TrainingDashboard(optimizer="momentum", epochs=5)
    assert not d.controls["beta"].disabled and d.controls["beta1"].disabled
    d.run(2)
    opt = d.optimizer
    d.controls["beta"].value = 0.5
    assert d.optimizer is opt and opt.beta == 0.5 and d.epoch == 2
    d.controls["optimizer"].value = "adam"
    assert d.controls["beta"].disabled and not d.controls["beta1"].disabled
    assert isinstance(d.optimizer, dl.optim.Adam) and d.epoch == 0


@pytest.mark.parametrize(
    "name,value",
    [
        ("noise", 0.4),
        ("hidden_layers", 1),
        ("width", 3),
        ("activation", "elu"),
        ("init", "random"),
        ("dropout", 0.3),
        ("batch_norm", True),
        ("optimizer", "adagrad"),
        ("dataset", "blobs"),
    ],
)
def test_structural_change_resets(name, value):
    d = TrainingDashboard(epochs=4)
    d.run()
    old_model, old_loss = d.model, d.train_loss.copy()
    d.controls[name].value = value
    assert d.epoch == 0 and d.model is not old_model and len(d.history.step_loss) == 0
    np.testing.assert_array_equal(d.previous["loss"], old_loss)
    assert len(d._curves.previous_train.get_xdata()) == 4  # drawn faded


def test_huge_learning_rate_reports_divergence():
    d = TrainingDashboard(
        optimizer="sgd", activation="relu", init="he", hidden_layers=6, width=32, epochs=30
    )
    d.controls["lr"].value = d.controls["lr"].base ** d.controls["lr"].max  # slider at the end
    assert d.config["lr"] == pytest.approx(10.0)
    assert d.message == ""
    d.run()
    div = d.history.diverged
    assert div is not None and d.epoch == div.epoch + 1 < 30  # the epoch it stopped in
    assert d.controller.diverged and d.message == (
        f"diverged at epoch {d.epoch}: the cost became NaN/inf with α = 10 (training "
        f"stopped); try: lower the learning rate (α = 3.33 is a third); or batch norm"
    )
    assert d._note.get_visible() and d._note.get_text() == d.message
    figure_png(d.figure)  # draws with NaN weights: no error
    # play after divergence starts a fresh run; a smaller lr clears the message
    d.controls["lr"].value = 0.01
    assert d.history.diverged is None and d.epoch == 0 and d.message == ""
    d.run(5)
    assert d.message == "" and not d._note.get_visible()


def test_the_run_is_fits_history_and_a_diverged_run_trains_no_more():
    d = TrainingDashboard(epochs=4)
    d.run(2)
    h = d.history
    d.run()
    assert d.history is h and h.rng is not None and (h.epochs, h.steps) == (4, 4 * 7)
    d = TrainingDashboard(
        optimizer="sgd", activation="relu", init="he", hidden_layers=6, width=32, epochs=30, lr=10.0
    )
    h = d.history
    d.run()
    div, steps, message = h.diverged, h.steps, d.message
    assert d.history is h and div is not None and (div.epoch + 1, div.step) == (d.epoch, steps)
    assert message.startswith(f"diverged at epoch {d.epoch}: the cost became NaN/inf")
    d.run(3)  # nothing to train: the record stays
    assert h.diverged == div and h.steps == steps and d.epoch == div.epoch + 1
    assert d.message == message


def test_cost_that_rises_tenfold_stops_the_run():
    """The Playground's rule: a training cost above 10 x max(starting cost, 0.5) stops."""
    d = TrainingDashboard(optimizer="adam", lr=10.0, epochs=20)
    d.run()
    bound = 10 * max(d.initial_loss, 0.5)
    assert d.history.diverged is None and d.controller.diverged and 1 < d.epoch < 20
    assert d.train_loss[-1] > bound and np.all(d.train_loss[:-1] <= bound)
    assert d.message == (
        f"diverged at epoch {d.epoch}: the cost rose to {d.train_loss[-1]:.3g} with α = 10 "
        f"(training stopped); try: lower the learning rate (α = 3.33 is a third); or batch norm"
    )
    epoch = d.epoch
    d.run(3)  # a stopped run trains no more
    assert d.epoch == epoch and d.message.startswith(f"diverged at epoch {epoch}:")


def test_config_round_trip_gives_identical_arrays_and_picture():
    d = TrainingDashboard(epochs=8)
    d.controls["dataset"].value = "spiral"
    d.controls["lr"].value = 0.05
    d.controls["dropout"].value = 0.1
    d.controls["batch_size"].value = 8
    d.controls["log_y"].value = True
    d.run()
    cfg = json.loads(json.dumps(d.config))
    fresh = TrainingDashboard()
    fresh.set_config(cfg)
    fresh.run()
    for attr in ("train_loss", "val_loss", "train_accuracy", "step_loss", "grid_probs"):
        np.testing.assert_array_equal(getattr(fresh, attr), getattr(d, attr), err_msg=attr)
    assert fresh.config == cfg
    d.set_config(cfg)  # a reset: the faded run is forgotten, so the picture is the same
    d.run()
    assert d.previous is None
    np.testing.assert_array_equal(d.train_loss, fresh.train_loss)
    assert figure_png(d.figure) == figure_png(fresh.figure)
    # an epochs value that is not on the slider gets a position
    fresh.set_config({**cfg, "epochs": 7})
    assert fresh.controls["epochs"].value == 7 and fresh.config["epochs"] == 7


def test_sweep_every_control_and_pairs_of_extremes():
    d = CoarseDashboard(**SMALL)
    base = d.config
    for name, widget in d.controls.items():
        for value in every_value(widget):
            d.set_config(base)
            widget.value = value
            d.run(SMALL["epochs"])
            no_internal_error(d)
    names = [n for n in d.controls if n not in ("epochs", "log_y")]
    for a, b in itertools.combinations(names, 2):
        for va, vb in itertools.product(extremes(d.controls[a]), extremes(d.controls[b])):
            d.set_config(base)
            d.controls[a].value = va
            d.controls[b].value = vb
            d.run(SMALL["epochs"])
            no_internal_error(d)
            if d.history.diverged is None and d.epoch:
                assert np.all(np.isfinite(d.grid_probs))
    figure_png(d.figure)


def test_artists_and_figures_stay_constant_over_100_updates():
    import matplotlib.pyplot as plt

    figs_before = len(plt.get_fignums())
    d = CoarseDashboard(**SMALL)
    d.run()
    counts = artist_counts(d.figure)
    lr = d.controls["lr"]
    for i in range(100):
        if i % 10 == 0:
            d.controls["width"].value = 2 + i % 7  # structural
        lr.value = [0.001, 0.01, 0.1][i % 3]
        if i % 25 == 0:
            d.controls["log_y"].value = not d.config["log_y"]
        d.run(1)
        assert artist_counts(d.figure) == counts
    assert len(plt.get_fignums()) == figs_before


def test_buttons_step_reset_and_play_without_event_loop():
    d = TrainingDashboard(epochs=6)
    d.buttons["step"].click()
    assert d.epoch == 1
    d.buttons["step"].click()
    assert d.epoch == 2
    first = d.train_loss.copy()
    d.buttons["reset"].click()
    assert d.epoch == 0
    np.testing.assert_array_equal(d.previous["loss"], first)
    d.buttons["play"].click()  # no running event loop: trains synchronously to the end
    assert d.epoch == 6 and not d.playing


def test_play_pause_on_an_event_loop_is_deterministic_and_really_stops():
    async def scenario():
        d = TrainingDashboard(epochs=2000, batch_size=1)
        d.redraw_seconds = 0.02
        d.play()
        assert d.playing and d.buttons["play"].description == "pause"
        task = d._player.task
        d.play()  # a second play does not start a second training
        assert d._player.task is task
        await asyncio.sleep(0.4)
        assert 0 < d.epoch < 2000
        d.pause()
        stopped = d.epoch
        assert not d.playing and d.buttons["play"].description == "play"
        await asyncio.sleep(0.3)
        assert d.epoch == stopped
        return d, stopped

    d, stopped = asyncio.run(scenario())
    ref = TrainingDashboard(epochs=2000, batch_size=1)
    ref.run(stopped)  # chunking does not matter: the same arrays
    np.testing.assert_array_equal(d.train_loss, ref.train_loss)
    np.testing.assert_array_equal(d.grid_probs, ref.grid_probs)

    async def to_the_end():
        e = TrainingDashboard(epochs=20)
        e.redraw_seconds = 0.01
        e.play()
        for _ in range(500):
            if not e.playing:
                break
            await asyncio.sleep(0.01)
        return e

    e = asyncio.run(to_the_end())
    assert e.epoch == 20 and not e.playing
    ref = TrainingDashboard(epochs=20)
    ref.run()
    np.testing.assert_array_equal(e.train_loss, ref.train_loss)


def test_snapshot_and_display(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    d = TrainingDashboard(epochs=3)
    d.run()
    d.snapshot()
    assert shown and type(shown[-1][0]).__name__ == "Image"


# ====================================================================== InitExplorer
def direct_signal(depth, width, activation, init, scale, examples=500, classes=10, seed=0):
    """Forward and backward pass written out: the activations and dJ/dA per layer."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((examples, width))
    y = rng.integers(0, classes, size=examples)
    dense = [dl.Dense(width, width, init=init, scale=scale, rng=rng) for _ in range(depth)]
    out = dl.Dense(width, classes, init=init, scale=scale, rng=rng)
    acts, a = [], X
    for layer in dense:
        a = dl.get_activation(activation).forward(layer.forward(a))
        acts.append(a)
    grads = []
    for l in range(depth):  # dJ/dA^[l]: the rest of the network applied to A^[l]
        rest = []
        for k in range(l + 1, depth):
            rest += [dense[k], dl.get_activation(activation)]
        upper = dl.Sequential(rest + [out])
        loss = dl.SoftmaxCrossEntropy()
        loss.forward(upper.forward(acts[l]), y)
        grads.append(upper.backward(loss.backward()))
    return acts, grads


def test_init_explorer_contract():
    e = InitExplorer()
    assert set(e.controls) <= set(e.config)
    assert isinstance(e.controls["scale"], W.FloatLogSlider)
    assert json.loads(json.dumps(e.config)) == e.config
    assert e.activation_std.shape == e.gradient_std.shape == (10,)
    assert e.message == ""
    with pytest.raises(ValueError, match="depth must be in .* got 11"):
        InitExplorer(depth=11)
    with pytest.raises(ValueError, match="unknown init 'orthogonal'"):
        InitExplorer(init="orthogonal")
    with pytest.raises(ValueError, match="scale must be in .* got 0"):
        InitExplorer(scale=0)


@pytest.mark.parametrize(
    "activation,init,scale",
    [("tanh", "xavier", 1.0), ("relu", "he", 1.0), ("sigmoid", "random", 0.05), ("elu", "he", 3.0)],
)
def test_init_explorer_stds_equal_a_direct_pass(activation, init, scale):
    e = InitExplorer(depth=4, width=50, activation=activation, init=init, scale=scale)
    acts, grads = direct_signal(4, 50, activation, init, scale)
    for l in range(4):
        np.testing.assert_allclose(e.activations[l], acts[l], rtol=1e-12)
        np.testing.assert_allclose(e.gradients[l], grads[l], rtol=1e-9, atol=1e-18)
    np.testing.assert_allclose(e.activation_std, [a.std() for a in acts], rtol=1e-12)
    np.testing.assert_allclose(e.gradient_std, [g.std() for g in grads], rtol=1e-9)


def test_init_explorer_teaches_the_four_lessons():
    e = InitExplorer()
    e.controls["activation"].value = "tanh"
    e.controls["init"].value = "xavier"
    rate = (e.activation_std[-1] / e.activation_std[0]) ** (1 / 9)
    assert 0.8 < rate < 1.25 and "roughly constant" in e._summary.get_text()
    e.controls["activation"].value = "relu"
    e.controls["init"].value = "he"
    assert np.all(
        (e.activation_std / e.activation_std[0] > 0.5)
        & (e.activation_std / e.activation_std[0] < 2)
    )
    assert np.all(
        (e.gradient_std / e.gradient_std[0] > 0.5) & (e.gradient_std / e.gradient_std[0] < 2)
    )
    # picking "random" moves the scale to its natural 0.01: activations collapse with depth
    e.controls["activation"].value = "tanh"
    e.controls["init"].value = "random"
    assert e.config["scale"] == 0.01 and e.controls["scale"].value == 0.01
    assert e.activation_std[-1] < 1e-6 * e.activation_std[0]
    assert np.all(np.diff(np.log(e.activation_std)) < np.log(0.2))
    assert "collapsing" in e._summary.get_text()
    # zeros: every unit of a layer is the same (here for sigmoid, whose g(0) = 0.5)
    e.controls["activation"].value = "sigmoid"
    e.controls["init"].value = "zeros"
    assert e.controls["scale"].disabled
    for a in e.activations:
        np.testing.assert_array_equal(a, a[:, :1] * np.ones_like(a))
    np.testing.assert_array_equal(e.unit_spread, 0.0)
    assert "same value" in e._summary.get_text()
    # too large: explosion
    e.controls["init"].value = "he"
    e.controls["activation"].value = "relu"
    e.controls["scale"].value = 10.0
    assert e.activation_std[-1] > 1e6 * e.activation_std[0] and "exploding" in e._summary.get_text()


def test_init_explorer_sweep_round_trip_and_constant_artists():
    e = InitExplorer(examples=60)
    base = e.config
    for name, widget in e.controls.items():
        for value in every_value(widget):
            e.set_config(base)
            widget.value = value
            no_internal_error(e)
            assert e.message == ""
    for a, b in itertools.combinations(e.controls, 2):
        for va, vb in itertools.product(extremes(e.controls[a]), extremes(e.controls[b])):
            e.set_config(base)
            e.controls[a].value = va
            e.controls[b].value = vb
            assert e.message == "", (a, va, b, vb, e.message)
            assert len(e.activation_std) == e.config["depth"]
    figure_png(e.figure)
    cfg = json.loads(json.dumps(e.config))
    fresh = InitExplorer()
    fresh.set_config(cfg)
    for attr in ("activation_std", "gradient_std", "unit_spread"):
        np.testing.assert_array_equal(getattr(fresh, attr), getattr(e, attr))
    assert figure_png(fresh.figure) == figure_png(e.figure)

    small = InitExplorer(depth=3, width=10, examples=40)
    counts = artist_counts(small.figure)
    for i in range(100):
        small.controls["depth"].value = 1 + i % 10
        small.controls["init"].value = ["zeros", "random", "xavier", "he"][i % 4]
        assert artist_counts(small.figure) == counts


def test_pause_from_another_thread_ends_the_running_chunk_after_one_epoch():
    """ipykernel may run a button's handler while a chunk of epochs trains: the chunk must
    stop after the epoch in progress, not run on for its whole time budget."""
    import threading
    import time

    paused_at = []

    async def main():
        timer = None
        start = time.perf_counter()

        def pause(d):
            paused_at.append(d.epoch)  # the epoch finished when the button was pressed
            d.pause()

        d = TrainingDashboard(epochs=2000, batch_size=1)
        d.redraw_seconds = 30.0  # one chunk could train for 30 s if pause were ignored
        timer = threading.Timer(0.3, pause, args=(d,))
        timer.start()
        d.play()
        while d.playing and time.perf_counter() - start < 60:  # a guard, not a measurement
            await asyncio.sleep(0.01)
        timer.join()
        return d

    d = asyncio.run(main())
    assert not d.playing and 0 < d.epoch < 2000
    # the epoch in progress ends (one more may have begun between the read and the pause)
    assert d.epoch <= paused_at[0] + 2, (paused_at, d.epoch)
