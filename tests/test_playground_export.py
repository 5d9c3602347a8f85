"""The Playground's run exported as dlcourse code (exec'd in a fresh namespace: the same
predictions), opened from a notebook's model, and fed with points from a CSV file."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.experiments import playground_net as pn
from dlcourse.experiments.networks import mlp
from dlcourse.experiments.playground_export import export_code, save_run

CIRCLE_CSV = "x1,x2,label\n" + "\n".join(
    f"{np.cos(t) * r:.6f},{np.sin(t) * r:.6f},{int(r > 1.5)}"
    for t, r in zip(np.linspace(0, 40, 60), np.tile([1.0, 2.0], 30))
)


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"dataset": "spiral3", "hidden": [5, 3], "activation": "relu", "optimizer": "nesterov"},
        {"batch_norm": True, "dropout": 0.2, "init": "random", "init_scale": 0.5},
        {"problem": "regression", "dataset": "gaussmix", "features": ["x1", "x2", "x1x2"]},
        {"schedule": "step", "l2": 0.01, "l1": 0.001, "batch_size": "full", "hidden": []},
    ],
)
def test_exported_code_rebuilds_the_run(tmp_path, config):
    run = pn.PlaygroundRun(config)
    run.train(4)
    path = tmp_path / "weights.npz"
    code = save_run(run, path)
    namespace: dict = {}
    exec(compile(code, "exported", "exec"), namespace)
    model = namespace["model"]
    for X in (run.X_test, pn.grid_points(7)):
        F = pn.feature_matrix(X, run.config["features"])
        mine = run.model.forward(pn.feature_matrix(X, run.config["features"]), training=False)
        assert np.max(np.abs(model.forward(F, training=False) - mine)) <= 1e-12
    assert np.array_equal(namespace["X_train"], run.X_train)
    assert np.array_equal(namespace["y_test"], run.y_test)
    assert namespace["optimizer"].lr == pytest.approx(run.lr_at(0))
    assert namespace["schedule"](7) == pytest.approx(run.lr_at(7))
    history = namespace["train_more"](1)  # the exported code trains on
    assert history.epochs == 1


def test_exported_code_of_custom_points(tmp_path):
    run = pn.PlaygroundRun()
    run.load_points(CIRCLE_CSV)
    run.train(3)
    namespace: dict = {}
    exec(save_run(run, tmp_path / "w.npz"), namespace)
    assert np.array_equal(namespace["X_train"], run.X_train)
    assert np.array_equal(namespace["y_train"], run.y_train)
    assert "dl.load(model, " in export_code(run, "w.npz")


def test_a_run_opened_from_a_notebook_model():
    model = mlp(2, [6, 3], 1, "relu", "he", rng=1)
    X = pn.make_data("xor", 0.2, 0.5, 300, 0)[0]
    dl.fit(
        model,
        X,
        (X[:, 0] * X[:, 1] > 0).astype(int),
        dl.BinaryCrossEntropy(),
        dl.optim.Adam(model.parameters(), 0.01),
        epochs=5,
        batch_size=16,
    )
    run = pn.PlaygroundRun.from_model(model, {"dataset": "xor"})
    assert run.config["hidden"] == [6, 3] and run.config["activation"] == "relu"
    assert np.array_equal(run.model.forward(X, training=False), model.forward(X, training=False))
    cost = dl.evaluate(model, run.F_train, run.y_train, dl.BinaryCrossEntropy())[0]
    assert run.epoch == 0 and run.train_loss[0] == cost  # the curves start from its weights
    run.train(2)
    assert run.epoch == 2


@pytest.mark.parametrize(
    "model, config, match",
    [
        (lambda: mlp(3, [4], 1, rng=0), {}, "does not fit.*2 inputs"),
        (lambda: mlp(2, [4], 1, rng=0), {"dataset": "blobs"}, "does not fit.*3 output"),
        (lambda: mlp(2, [9], 1, rng=0), {}, "at most 8 units"),
        (lambda: mlp(2, [2] * 7, 1, rng=0), {}, "at most 6 hidden layers"),
        (lambda: dl.Dense(2, 1), {}, "must be a dl.Sequential"),
        (
            lambda: dl.Sequential(
                [dl.Dense(2, 3), dl.ReLU(), dl.Dense(3, 3), dl.Tanh(), dl.Dense(3, 1)]
            ),
            {},
            "the same activation",
        ),
    ],
)
def test_a_model_of_another_shape_is_refused(model, config, match):
    with pytest.raises(ValueError, match=match):
        pn.PlaygroundRun.from_model(model(), config)


# ------------------------------------------------------------------ CSV
def test_good_csv_with_a_header_blank_lines_and_bytes():
    X, y = pn.parse_points_csv(CIRCLE_CSV.encode() + b"\n\n")
    assert X.shape == (60, 2) and set(y) == {0.0, 1.0}
    X, y = pn.parse_points_csv("\n".join(f"{i},{-i},{7 + 2 * (i % 3)}" for i in range(12)))
    assert list(y[:3]) == [0.0, 1.0, 2.0]  # labels 7, 9, 11 keep their order as 0, 1, 2
    X, y = pn.parse_points_csv("\n".join(f"{i},{i},{i / 10}" for i in range(12)), regression=True)
    assert y[3] == 0.3


def test_custom_points_train_and_are_scaled_as_the_builtin_sets():
    run = pn.PlaygroundRun(dict(hidden=[6]))
    run.load_points(CIRCLE_CSV)
    assert run.config["dataset"] == "custom" and run.classes == 2
    assert max(np.abs(run.X_train).max(), np.abs(run.X_test).max()) == pytest.approx(2.7)
    run.train(5)
    assert run.epoch == 5
    regression = pn.PlaygroundRun(dict(problem="regression", dataset="plane"))
    regression.load_points("\n".join(f"{i},{i % 5},{i / 10}" for i in range(20)))
    assert regression.y_train.dtype == float and regression.classes == 0
    with pytest.raises(ValueError, match="needs points"):
        pn.PlaygroundRun(dict(dataset="custom"))
    before = run.config
    with pytest.raises(ValueError, match="non-integer labels"):
        run.points = regression.points
        run.set(noise=0.3)
    run.points = None
    for change in (lambda: run.set(dataset="custom"), lambda: run.set_state("d:custom")):
        with pytest.raises(ValueError, match="needs points"):
            change()
        assert run.config == before  # nothing changed


@pytest.mark.parametrize(
    "text, match",
    [
        ("1,2,0\n3,4\n" + "5,6,1\n" * 10, "line 2: a missing column"),
        ("1,2,0,9\n" + "5,6,1\n" * 10, "line 1: too many columns"),
        ("1,2,0\n" + "5,6,1\n" * 10 + "a,1,0\n", "line 12: x1 'a' is not a number"),
        ("1,2,0\n1,nan,1\n" + "5,6,1\n" * 10, "line 2: x2 is nan"),
        ("1,2,0\n1,2,0.5\n" + "5,6,1\n" * 10, "line 2: label '0.5' is not a whole number"),
        ("1,2,0\n1,2,1\n", "too few points: 2"),
        ("1,2,0\n" * 12, "one class only"),
        ("".join(f"1,2,{i % 4}\n" for i in range(12)), "4 classes"),
        ("1,2,0\n" * 2001, "too many rows: 2001"),
        (b"\xff\xfe1,2", "not UTF-8"),
    ],
)
def test_bad_csv_names_each_bad_line(text, match):
    with pytest.raises(ValueError, match=match):
        pn.parse_points_csv(text)


def test_every_bad_line_is_named():
    text = "1,2,0\nx,2,0\n3,4\n" + "5,6,1\n" * 10
    with pytest.raises(ValueError) as err:
        pn.parse_points_csv(text)
    assert "line 2:" in str(err.value) and "line 3:" in str(err.value)
