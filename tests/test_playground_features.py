"""The Playground's controller: regression, L1 and the linear activation, own data (CSV),
classroom links that hide controls, readouts and messages."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import activations, train
from dlcourse.experiments import playground_net as pn

SEEDS = range(5)


# ------------------------------------------------------------------ core: L1 and linear
def _small_net(seed):
    rng = np.random.default_rng(seed)
    model = dl.Sequential([dl.Dense(3, 4, rng=rng), dl.Tanh(), dl.Dense(4, 2, rng=rng)])
    X, y = rng.standard_normal((7, 3)), rng.integers(0, 2, 7)
    return model, X, y


@pytest.mark.parametrize("seed", SEEDS)
def test_l1_gradient_matches_finite_differences(seed):
    """d/dW of lambda_1/m sum |W| is lambda_1/m sign(W) (no weight is near 0 here)."""
    model, X, y = _small_net(seed)
    loss, lam = dl.SoftmaxCrossEntropy(), 0.3
    cost = lambda: loss.forward(model.forward(X), y) + train.l1_penalty(model, lam, len(X))
    for p in model.parameters():
        p.grad = np.zeros_like(p.value)
    cost()
    model.backward(loss.backward())
    train.add_l1_grad(model, lam, len(X))
    W, h = model[0].W, 1e-6
    assert np.abs(W.value).min() > 10 * h
    numeric = np.zeros_like(W.value)
    for i in np.ndindex(W.value.shape):
        old = W.value[i]
        W.value[i] = old + h
        up = cost()
        W.value[i] = old - h
        down = cost()
        W.value[i] = old
        numeric[i] = (up - down) / (2 * h)
    assert np.max(np.abs(numeric - W.grad)) < 1e-7


def test_fit_with_l1_zero_is_fit_without_it_and_l1_shrinks_weights():
    runs = {}
    for l1 in (None, 0.0, 1.0):
        model, X, y = _small_net(0)
        kw = {} if l1 is None else {"l1": l1}
        dl.fit(
            model,
            X,
            y,
            dl.SoftmaxCrossEntropy(),
            dl.optim.SGD(model.parameters(), 0.1),
            epochs=30,
            **kw,
        )
        runs[l1] = np.concatenate([p.value.ravel() for p in model.parameters()])
    assert np.array_equal(runs[None], runs[0.0])
    dense_w = lambda v: np.abs(v).sum()
    assert dense_w(runs[1.0]) < dense_w(runs[0.0])
    with pytest.raises(ValueError, match="l1"):
        dl.fit(*_small_net(0), dl.SoftmaxCrossEntropy(), None, l1=-1.0)


def test_linear_activation_is_the_identity_and_a_linear_net_draws_a_straight_boundary():
    z = np.linspace(-3, 3, 7)
    layer = activations.get_activation("linear")
    assert np.array_equal(layer.forward(z), z) and np.array_equal(layer.backward(z * 2), z * 2)
    assert "linear" in pn.ACTIVATIONS
    # on the circle a linear network is no better than a line: test accuracy stays low
    for seed in SEEDS:
        run = pn.PlaygroundRun(dict(activation="linear", hidden=[8, 8], seed=seed))
        run.train(60)
        lin = run.accuracy()[1]
        run.set(activation="tanh")
        run.train(60)
        assert lin < 0.75 < run.accuracy()[1], (seed, lin, run.accuracy())


# ------------------------------------------------------------------ settings and state
def test_new_settings_leave_the_old_config_and_state_strings_unchanged():
    assert pn.validate({}) == pn.DEFAULTS
    run = pn.PlaygroundRun()
    assert run.config == pn.DEFAULTS and run.problem == "classification" and run.hidden == []
    assert pn.encode_state(dict(pn.DEFAULTS, l1=0.0, stop_epoch=0, hide=[])) == "d:circle"


def test_new_settings_round_trip_through_the_state_string():
    cfg = dict(
        problem="regression",
        dataset="gaussmix",
        l1=0.003,
        stop_epoch=40,
        hide=["optimizer", "lr", "dataset"],
    )
    text = pn.encode_state(cfg)
    config, epoch = pn.decode_state(text)
    assert config == pn.validate(cfg) and epoch == 0
    assert config["hide"] == ["dataset", "optimizer", "lr"]  # canonical order
    assert "hide:dataset.optimizer.lr" in text and "p:regression" in text


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"hide": ["lr", "colour"]}, "hide: unknown setting name.*colour"),
        ({"hide": ["lr", "lr"]}, "distinct"),
        ({"l1": 0.002}, "l1 must be one of"),
        ({"problem": "ranking"}, "problem must be one of"),
        ({"problem": "regression"}, "dataset must be one of plane, gaussmix"),
        ({"dataset": "plane"}, "for classification"),
        ({"stop_epoch": -1}, "stop_epoch"),
    ],
)
def test_bad_new_settings_are_refused_with_a_clear_message(bad, match):
    with pytest.raises(ValueError, match=match):
        pn.validate(bad)


def test_hidden_controls_from_a_classroom_link():
    run = pn.PlaygroundRun()
    run.set_state("d:xor,hide:dataset.lr")
    assert run.hidden == ["dataset", "lr"] and run.state == "d:xor,hide:dataset.lr"
    with pytest.raises(ValueError, match="unknown setting name"):
        pn.decode_state("d:xor,hide:lr.nothing")


# ------------------------------------------------------------------ regression
@pytest.mark.parametrize("dataset", pn.REGRESSION_SETS)
def test_regression_learns_its_sets(dataset):
    """On every seed the trained net's test MSE is under half the targets' variance (a
    constant prediction's MSE; measured after 150 epochs: plane 0.06-0.08, gaussmix
    0.29-0.37 of it), and outputs() gives one value per point."""
    for seed in SEEDS:
        run = pn.PlaygroundRun(
            dict(problem="regression", dataset=dataset, hidden=[8, 8], seed=seed, data_seed=seed)
        )
        assert isinstance(run.loss_fn, dl.MSE) and run.y_train.dtype == float
        run.train(150)
        out = run.readout()
        assert set(out) == {"epoch", "train_loss", "test_loss"}
        assert out["test_loss"] < 0.5 * float(np.var(run.y_test)), (seed, out)
        values, acts = run.outputs(pn.grid_points(9))
        assert values.shape == (81, 1) and len(acts) == 2
        with pytest.raises(ValueError, match="no accuracy"):
            run.accuracy()


def test_regression_noise_is_target_noise():
    _, _, y0, _ = pn.make_data("plane", 0.0, 0.5, 200, 0)
    _, _, y1, _ = pn.make_data("plane", 1.0, 0.5, 200, 0)
    assert np.abs(y0).max() <= 1.2 and 0.3 < np.std(y1 - y0) < 0.7


# ------------------------------------------------------------------ readouts and messages
def test_confusion_matrix_counts_the_test_points():
    run = pn.PlaygroundRun(dict(dataset="spiral3"))
    run.train(5)
    counts = run.confusion_matrix()
    assert counts.shape == (3, 3) and counts.sum() == len(run.y_test)
    assert np.trace(counts) / counts.sum() == pytest.approx(run.accuracy()[1])
    assert np.array_equal(counts.sum(axis=1), np.bincount(run.y_test, minlength=3))


def test_stop_condition():
    run = pn.PlaygroundRun(dict(stop_epoch=7))
    assert run.train(20) == 7 and run.epoch == 7 and "stopped at epoch 7" in run.message
    assert run.train(5) == 0
    assert run.set(stop_epoch=9) == "live" and run.train(5) == 2 and run.epoch == 9


def test_divergence_message_says_what_to_try():
    run = pn.PlaygroundRun(dict(optimizer="sgd", lr=10.0, hidden=[8, 8]))
    run.train(50)
    assert run.diverged
    assert "lower the learning rate" in run.message and "schedule" in run.message
    assert "batch norm" in run.message


def test_batch_norm_with_batch_size_one_says_why_it_cannot_learn():
    run = pn.PlaygroundRun(dict(batch_norm=True, batch_size=1))
    assert "batch size 1" in run.message and "is 0" in run.message
    # the reason: in training, a batch of one normalises every activation to 0, so the
    # output is the same for any input
    a, b = run.F_train[:1], run.F_train[1:2]
    assert np.array_equal(run.model.forward(a), run.model.forward(b))
    run.set(batch_size=10)
    assert run.message == ""


@pytest.mark.parametrize("k", [0.003, 0.01, 0.05, 0.1, 0.3, 1.0])
def test_where_each_schedule_halves_alpha(k):
    """The notebook's sentence: step and exponential halve alpha near epoch ln 2 / k, the
    1/t schedule alpha_0 / (1 + k t) at epoch 1 / k."""
    lr = 0.1
    run = lambda kind: pn.PlaygroundRun(dict(schedule=kind, decay=k, lr=lr, hidden=[]))
    every = max(1, round(np.log(2) / k))
    assert run("step").lr_at(every) == lr / 2 and run("step").lr_at(every - 1) == lr
    assert run("exponential").lr_at(np.log(2) / k) == pytest.approx(lr / 2, rel=1e-12)
    if 1 / k == round(1 / k):
        assert run("inverse_time").lr_at(round(1 / k)) == pytest.approx(lr / 2, rel=1e-12)
    assert run("inverse_time").lr_at(np.log(2) / k) > 0.55 * lr  # ln 2 / k is too early


def test_a_unit_shown_large_and_the_discretized_output():
    run = pn.PlaygroundRun(dict(dataset="blobs", hidden=[3, 2]))
    run.train(3)
    grid = pn.grid_points(6)
    probs, acts = run.outputs(grid)
    assert np.array_equal(run.unit_output(grid, 1, 1), acts[1][:, 1])
    with pytest.raises(ValueError, match=r"no hidden unit \(1, 2\).*\[3, 2\]"):
        run.unit_output(grid, 1, 2)
    hard = run.discretized(grid)
    assert np.array_equal(hard.sum(axis=1), np.ones(36))
    assert np.array_equal(hard.argmax(axis=1), probs.argmax(axis=1))
    regression = pn.PlaygroundRun(dict(problem="regression", dataset="plane"))
    assert set(np.unique(regression.discretized(grid))) <= {-1.0, 0.0, 1.0}
