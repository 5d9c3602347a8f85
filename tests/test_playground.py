"""The Playground, headless: its controller (experiments.playground_net) and its widgets.

Setting ``widget.value`` fires the same callbacks as a drag in the browser.
"""

from __future__ import annotations

import itertools

import ipywidgets as W
import numpy as np
import pytest

import dlcourse as dl
from dlcourse.experiments import playground_net as pn
from dlcourse.experiments.training_runs import epoch_seed
from dlcourse.widgets.playground import Playground
from dlcourse.widgets.settings import GridSlider


@pytest.fixture
def pg():
    return Playground()


# ------------------------------------------------------------------ controller
def test_default_run_learns_the_circle():
    run = pn.PlaygroundRun()
    assert run.epoch == 0 and len(run.train_loss) == 1
    assert run.train(40) == 40
    assert run.train_loss[-1] < 0.25 * run.train_loss[0]
    assert run.accuracy()[1] > 0.9
    assert run.message == ""


def test_same_config_same_numbers():
    a, b = (
        pn.PlaygroundRun({"dataset": "xor", "dropout": 0.2}),
        pn.PlaygroundRun({"dataset": "xor", "dropout": 0.2}),
    )
    a.train(5)
    b.train(2)
    b.train(3)  # cut into chunks: the same run
    np.testing.assert_array_equal(a.train_loss, b.train_loss)
    np.testing.assert_array_equal(a.test_loss, b.test_loss)


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"dataset": "xor", "dropout": 0.2, "batch_size": 5, "schedule": "step", "decay": 0.1},
        {
            "dataset": "spiral3",
            "batch_norm": True,
            "optimizer": "nesterov",
            "batch_size": "full",
            "schedule": "exponential",
            "l2": 0.01,
            "seed": 3,
        },
    ],
)
def test_training_equals_fit_called_epoch_by_epoch(config):
    """The run trains with one fit(..., history=run.history) per call; written out here as
    one fit per epoch e, with lr = schedule(e) and the shuffle seed epoch_seed(seed, e)."""
    run = pn.PlaygroundRun(config)
    assert run.train(4) == 4 and run.train(3, seconds=0.0) == 1 and run.train(5) == 5
    ref = pn.PlaygroundRun(config)  # the same data, network and optimizer, untrained
    cfg = ref.config
    batch = None if cfg["batch_size"] == "full" else cfg["batch_size"]
    train, test, steps = [ref.train_loss[0]], [ref.test_loss[0]], []
    for e in range(10):
        ref.optimizer.lr = ref.lr_at(e)
        steps += dl.fit(
            ref.model,
            ref.F_train,
            ref.y_train,
            ref.loss_fn,
            ref.optimizer,
            epochs=1,
            batch_size=batch,
            l2=cfg["l2"],
            seed=epoch_seed(cfg["seed"], e),
        ).step_loss
        train.append(dl.evaluate(ref.model, ref.F_train, ref.y_train, ref.loss_fn)[0])
        test.append(dl.evaluate(ref.model, ref.F_test, ref.y_test, ref.loss_fn)[0])
    np.testing.assert_array_equal(run.train_loss, train)
    np.testing.assert_array_equal(run.test_loss, test)
    assert run.history.step_loss == steps and run.history.epochs == run.epoch == 10


def test_a_nan_cost_stops_the_run_at_its_epoch_and_step():
    run = pn.PlaygroundRun()
    run.train(2)
    for p in run.model.parameters():
        p.value[...] = np.inf  # the next step's cost is not finite
    assert run.train(5) == 0 and run.diverged and run.epoch == 3
    d = run.history.diverged
    assert (d.epoch, d.step) == (2, run.history.steps) and run.history.epochs == 2
    assert run.message.startswith("diverged at epoch 3: the cost became NaN/inf with α = 0.03")


@pytest.mark.parametrize("dataset", pn.DATASETS)
def test_every_dataset_trains(dataset):
    run = pn.PlaygroundRun({"dataset": dataset})
    assert run.train(3) == 3
    assert np.all(np.isfinite(run.train_loss))
    assert np.abs(np.vstack([run.X_train, run.X_test])).max() == pytest.approx(2.7)
    assert len(run.X_train) == round(0.5 * run.config["n_points"])


def test_noise_zero_gives_exact_shape():
    run = pn.PlaygroundRun({"dataset": "circle", "noise": 0.0})
    radii = np.hypot(*np.vstack([run.X_train, run.X_test]).T)
    np.testing.assert_allclose(np.unique(radii.round(9)), [1.35, 2.7])


def test_features_are_the_columns_asked_for():
    X = np.array([[0.5, -2.0]])
    F = pn.feature_matrix(X, list(pn.FEATURES))
    np.testing.assert_allclose(F[0], [0.5, -2.0, 0.25, 4.0, -1.0, np.sin(0.5), np.sin(-2.0)])
    run = pn.PlaygroundRun({"features": ["x1sq", "x2sq"], "hidden": []})
    assert run.model[0].W.value.shape == (1, 2)
    run.train(30)
    assert run.accuracy()[0] > 0.95  # a circle is linear in x1^2, x2^2


def test_zero_hidden_layers_is_logistic_regression():
    run = pn.PlaygroundRun({"hidden": []})
    assert len(run.model) == 1
    probs, acts = run.outputs(pn.grid_points(5))
    assert acts == [] and probs.shape == (25, 2)
    run.train(2)
    assert run.epoch == 2


def test_live_settings_keep_the_running_network():
    run = pn.PlaygroundRun({"optimizer": "adam"})
    run.train(3)
    model, opt = run.model, run.optimizer
    moments = [dict(v) for v in opt.state.values()]
    for key, value in (
        ("lr", 0.1),
        ("beta1", 0.8),
        ("beta2", 0.99),
        ("l2", 0.01),
        ("batch_size", 32),
        ("schedule", "exponential"),
        ("decay", 0.1),
    ):
        assert run.set(**{key: value}) == "live", key
        assert run.model is model and run.optimizer is opt and run.epoch == 3
    assert all(
        a.keys() == b.keys() and all(a[k] is b[k] or np.array_equal(a[k], b[k]) for k in a)
        for a, b in zip(moments, opt.state.values())
    )  # Adam's moments are kept
    assert opt.beta1 == 0.8 and opt.beta2 == 0.99
    assert opt.lr == pytest.approx(0.1 * np.exp(-0.1 * 3))
    assert not run.clean and "e:" not in run.state
    run.train(1)
    assert run.epoch == 4


def test_nesterov_live_beta_and_lr():
    run = pn.PlaygroundRun({"optimizer": "nesterov", "beta": 0.9, "lr": 0.1})
    assert run.optimizer.lr == pytest.approx(0.1 * (1 - 0.9))
    run.set(beta=0.99)
    assert run.optimizer.momentum == 0.99
    assert run.optimizer.lr == pytest.approx(0.1 * (1 - 0.99))


@pytest.mark.parametrize(
    "key, value",
    [
        ("dataset", "spiral"),
        ("noise", 0.5),
        ("train_ratio", 0.3),
        ("data_seed", 3),
        ("features", ["x1", "x2", "x1x2"]),
        ("hidden", [3]),
        ("activation", "relu"),
        ("init", "he"),
        ("init_scale", 0.5),
        ("batch_norm", True),
        ("dropout", 0.3),
        ("optimizer", "rmsprop"),
        ("seed", 7),
    ],
)
def test_structural_settings_start_a_new_network(key, value):
    run = pn.PlaygroundRun()
    run.train(4)
    model = run.model
    assert run.set(**{key: value}) == "structural"
    assert run.model is not model and run.epoch == 0
    assert len(run.previous["train"]) == 5  # the run so far, kept to draw faded
    assert run.config[key] == value


def test_divergence_stops_and_says_so():
    run = pn.PlaygroundRun({"optimizer": "sgd", "lr": 10.0, "hidden": [8, 8]})
    done = run.train(50)
    assert run.diverged and done < 50
    assert "diverged at epoch" in run.message and "learning rate" in run.message
    assert run.train(5) == 0
    # a live change after divergence starts a new network
    assert run.set(lr=0.01) == "structural" and not run.diverged and run.message == ""


def test_state_string_round_trips():
    configs = [
        pn.DEFAULTS,
        {
            "dataset": "spiral3",
            "noise": 0.35,
            "features": ["x1", "sinx2"],
            "hidden": [],
            "activation": "leaky_relu",
            "init": "random",
            "init_scale": 0.0501187,
            "batch_norm": True,
            "dropout": 0.15,
            "l2": 0.003,
            "optimizer": "nesterov",
            "lr": 10**-1.3,
            "beta": 1 - 10**-2.2,
            "batch_size": "full",
            "schedule": "step",
            "decay": 0.0316,
            "seed": 12,
            "data_seed": 4,
            "train_ratio": 0.7,
            "n_points": 150,
            "beta1": 0.5,
            "beta2": 0.9999,
        },
    ]
    for config in configs:
        full = pn.validate(config)
        text = pn.encode_state(full, epoch=17)
        assert pn.decode_state(text) == (full, 17)
        assert all(ch.isalnum() or ch in ":,.-_" for ch in text), text
    assert pn.encode_state(pn.DEFAULTS) == "d:circle"
    assert len(pn.encode_state(configs[1])) < 260


def test_state_reproduces_the_run_exactly():
    run = pn.PlaygroundRun({"dataset": "moons", "hidden": [5, 3], "dropout": 0.1})
    run.train(12)
    copy = pn.PlaygroundRun()
    assert copy.set_state(run.state) == 12
    np.testing.assert_array_equal(copy.train_loss, run.train_loss)
    grid = pn.grid_points(7)
    np.testing.assert_array_equal(copy.outputs(grid)[0], run.outputs(grid)[0])


@pytest.mark.parametrize(
    "text, word",
    [
        ("d:nowhere", "dataset"),
        ("zz:1", "unknown key"),
        ("h:9", "hidden"),
        ("lr:abc", "lr"),
        ("lr", "key:value"),
        ("f:-", "features"),
        ("bn:2", "bn"),
    ],
)
def test_bad_state_strings_name_the_problem(text, word):
    with pytest.raises((ValueError, TypeError), match=word):
        pn.decode_state(text)


def test_state_from_the_query_string():
    assert pn.state_from_query("state=d:xor,h:3&x=1") == "d:xor,h:3"
    assert pn.state_from_query("") is None and pn.state_from_query(None) is None
    assert pn.decode_state("d%3Axor%2Ch%3A3")[0]["hidden"] == [3]


def test_bad_settings_name_the_argument():
    for bad, word in (
        ({"lr": 0.0}, "lr"),
        ({"hidden": [9]}, "hidden"),
        ({"beta": 1.0}, "beta"),
        ({"features": []}, "features"),
        ({"batch_size": 3}, "batch_size"),
        ({"dataset": "x"}, "dataset"),
        ({"nope": 1}, "nope"),
    ):
        with pytest.raises((ValueError, TypeError), match=word):
            pn.validate(bad)


# ------------------------------------------------------------------ the dashboard
def test_dashboard_contract(pg):
    assert pg.message == "" and pg.config == {**pn.DEFAULTS, **pn.EXTRA_DEFAULTS}
    assert isinstance(pg.controls["lr"], W.FloatLogSlider)
    assert pg.figure is not None and pg.state == "d:circle"
    assert pg.grid_probs.shape[-1] == 2 and len(pg.unit_maps) == 2
    cfg = dict(pg.config, dataset="xor", hidden=[3])
    pg.set_config(cfg)
    assert (
        pg.config == {**pn.EXTRA_DEFAULTS, **pn.validate(cfg)}
        and pg.controls["dataset"].value == "xor"
    )


def test_every_control_moves_its_setting(pg):
    moves = {
        "dataset": "moons",
        "noise": 0.4,
        "train_ratio": 0.7,
        "activation": "relu",
        "init": "random",
        "init_scale": 0.1,
        "batch_norm": True,
        "dropout": 0.2,
        "l2": 0.01,
        "optimizer": "momentum",
        "lr": 0.1,
        "batch_size": 32,
        "schedule": "step",
        "decay": 0.1,
    }
    for key, value in moves.items():
        pg.controls[key].value = value
        assert pg.config[key] == value, key
        assert pg.message == "", (key, pg.message)
    beta = pg.controls["beta"]  # a log scale of 1 - beta whose value (and readout) is beta
    assert isinstance(beta, GridSlider) and beta.value == 0.9 and beta.label == "0.9"
    beta.index += 10  # one decade of 1 - beta to the right
    assert beta.value == pg.config["beta"] == 0.99 and pg.run.optimizer.beta == 0.99
    assert pg.message == "" and pg.run.epoch == 0


def test_live_control_keeps_training_state(pg):
    pg.train(5)
    model = pg.run.model
    pg.controls["lr"].value = 0.1
    assert pg.run.model is model and pg.run.epoch == 5
    pg.controls["noise"].value = 0.5
    assert pg.run.model is not model and pg.run.epoch == 0 and pg.run.previous is not None


def test_buttons(pg):
    pg.buttons["step"].click()
    assert pg.run.epoch == 1
    pg.buttons["step"].click()
    pg.buttons["reset"].click()
    assert pg.run.epoch == 0 and len(pg.run.previous["train"]) == 3
    data = pg.run.X_train.copy()
    pg.buttons["regenerate"].click()
    assert pg.config["data_seed"] == 1 and not np.array_equal(data, pg.run.X_train)
    pg.buttons["play"].click()  # no event loop here: one frame, synchronously
    assert pg.run.epoch >= 1 and not pg.playing


def test_layer_and_unit_buttons(pg):
    for _ in range(8):
        pg.buttons["layer_plus"].click()
    assert len(pg.config["hidden"]) == pn.MAX_LAYERS and pg.buttons["layer_plus"].disabled
    for _ in range(8):
        pg.buttons["layer_minus"].click()
    assert pg.config["hidden"] == [] and pg.message == ""
    assert pg.unit_maps == [] and pg.units_box.children == ()
    pg.buttons["layer_plus"].click()
    minus, _, plus = pg._unit_buttons[0]
    for _ in range(10):
        plus.click()
    assert pg.config["hidden"] == [pn.MAX_UNITS]
    for _ in range(10):
        minus.click()
    assert pg.config["hidden"] == [1] and minus.disabled


def test_feature_toggles_keep_at_least_one(pg):
    pg.feature_toggles["x1sq"].value = True
    assert pg.config["features"] == ["x1", "x2", "x1sq"]
    pg.feature_toggles["x1"].value = False
    pg.feature_toggles["x2"].value = False
    pg.feature_toggles["x1sq"].value = False
    assert pg.config["features"] == ["x1sq"] and pg.feature_toggles["x1sq"].value
    assert "at least one" in pg.message


def test_diverged_dashboard_shows_a_message(pg):
    pg.set_config(dict(pn.DEFAULTS, optimizer="sgd", lr=10.0, hidden=[8, 8]))
    pg.train(40)
    assert "diverged" in pg.message and pg.run.diverged
    epoch = pg.run.epoch
    pg.train(5)
    assert pg.run.epoch == epoch


def test_state_box_restores_the_same_picture(pg):
    pg.controls["dataset"].value = "spiral"
    pg.train(8)
    text, probs = pg.state, pg.grid_probs.copy()
    pg.controls["dataset"].value = "xor"
    pg.state_box.value = text  # typed / pasted into the box
    assert pg.state == text and pg.run.epoch == 8
    np.testing.assert_array_equal(pg.grid_probs, probs)
    pg.state_box.value = "d:mars"
    assert "dataset" in pg.message and pg.state == text


def test_state_and_query_string_at_construction(monkeypatch):
    assert Playground(state="d:xor,h:3,e:4").run.epoch == 4
    monkeypatch.setenv("QUERY_STRING", "state=d:moons,h:2.2")
    pg = Playground()
    assert pg.config["dataset"] == "moons" and pg.config["hidden"] == [2, 2]
    monkeypatch.setenv("QUERY_STRING", "state=d:nowhere")
    pg = Playground()
    assert "dataset" in pg.message and pg.config == {**pn.DEFAULTS, **pn.EXTRA_DEFAULTS}


def test_combinations_never_raise():
    pg = Playground()
    combos = itertools.product(pn.OPTIMIZERS, pn.INITS, (False, True))
    for i, (opt, init, bn) in enumerate(combos):
        act = pn.ACTIVATIONS[i % len(pn.ACTIVATIONS)]
        pg.set_config(
            dict(
                pn.DEFAULTS,
                optimizer=opt,
                init=init,
                batch_norm=bn,
                activation=act,
                batch_size=pn.BATCH_SIZES[i % len(pn.BATCH_SIZES)],
                hidden=[1 + i % 8] * (i % 4),
                dropout=0.5 if i % 3 == 0 else 0.0,
                dataset=pn.DATASETS[i % len(pn.DATASETS)],
            )
        )
        pg.train(2)
        assert "cannot" not in pg.message, (opt, init, bn, pg.message)
        assert np.all(np.isfinite(pg.grid_probs))
