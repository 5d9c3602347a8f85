"""fit, History, callbacks, schedules, save/load."""

import math
import warnings

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.optim import schedules


def separable(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    return X, y


def mlp(seed=0, dropout=0.0, bn=False):
    layers = (
        [dl.Dense(2, 16, rng=seed)]
        + ([dl.BatchNorm(16)] if bn else [])
        + [dl.ReLU(), dl.Dropout(dropout, rng=seed + 1), dl.Dense(16, 2, rng=seed + 2)]
    )
    return dl.Sequential(layers)


def test_fit_reaches_high_accuracy_on_separable_data():
    X, y = separable()
    model = mlp()
    h = dl.fit(
        model,
        X,
        y,
        loss=dl.SoftmaxCrossEntropy(),
        optimizer=dl.optim.SGD(model.parameters(), lr=0.5),
        epochs=100,
        batch_size=32,
    )
    assert h.accuracy[-1] > 0.95
    assert np.mean(model.predict(X).argmax(1) == y) > 0.95
    assert h.loss[-1] < h.loss[0] / 5
    assert len(h.loss) == 100 and len(h.step_loss) == 100 * math.ceil(400 / 32)


def test_full_batch_loss_is_the_cost_before_each_step():
    X, y = separable(50)
    model = mlp()
    h = dl.fit(
        model,
        X,
        y,
        loss=dl.SoftmaxCrossEntropy(),
        l2=0.1,
        optimizer=dl.optim.SGD(model.parameters(), lr=0.1),
        epochs=3,
    )
    assert h.step_loss == h.loss and len(h.loss) == 3
    cost, _ = dl.evaluate(model, X, y, dl.SoftmaxCrossEntropy(), l2=0.1)
    assert cost < h.loss[-1]


def test_last_partial_batch_is_kept():
    X, y = separable(10)
    sizes = []

    class Record(dl.Callback):
        def on_step_end(self, ctx):
            sizes.append(len(ctx.model[0]._cache[0]))

    model = mlp()
    dl.fit(
        model,
        X,
        y,
        loss=dl.SoftmaxCrossEntropy(),
        optimizer=dl.optim.SGD(model.parameters(), lr=0.1),
        epochs=2,
        batch_size=4,
        callbacks=[Record()],
    )
    assert sizes == [4, 4, 2, 4, 4, 2]


def test_same_seed_same_history_and_different_seed_differs():
    X, y = separable()
    runs = []
    for seed in (0, 0, 1):
        model = mlp(dropout=0.2)
        runs.append(
            dl.fit(
                model,
                X,
                y,
                loss=dl.SoftmaxCrossEntropy(),
                optimizer=dl.optim.Adam(model.parameters(), lr=0.01),
                epochs=5,
                batch_size=50,
                seed=seed,
            ).as_dict()
        )
    assert runs[0] == runs[1]
    assert runs[0]["step_loss"] != runs[2]["step_loss"]


def test_large_learning_rate_diverges_and_is_reported():
    X, y = separable()
    X = X * 100
    model = mlp()
    with pytest.warns(dl.DivergenceWarning, match=r"learning rate 1e\+06"):
        h = dl.fit(
            model,
            X,
            y,
            loss=dl.SoftmaxCrossEntropy(),
            optimizer=dl.optim.SGD(model.parameters(), lr=1e6),
            epochs=50,
        )
    assert h.diverged and h.diverged.lr == 1e6
    assert h.epochs == h.diverged.epoch < 50
    assert all(np.isfinite(h.loss))


def test_history_not_diverged_is_falsy():
    X, y = separable(50)
    model = mlp()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = dl.fit(
            model,
            X,
            y,
            loss=dl.SoftmaxCrossEntropy(),
            optimizer=dl.optim.SGD(model.parameters(), lr=0.1),
            epochs=2,
        )
    assert not h.diverged


def test_validation_metrics_and_schedule():
    X, y = separable()
    model = mlp()
    sched = schedules.step_decay(0.4, drop=0.5, every=2)
    h = dl.fit(
        model,
        X[:300],
        y[:300],
        loss=dl.SoftmaxCrossEntropy(),
        validation=(X[300:], y[300:]),
        optimizer=dl.optim.SGD(model.parameters(), lr=1.0),
        epochs=6,
        schedule=sched,
    )
    assert h.lr == [0.4, 0.4, 0.2, 0.2, 0.1, 0.1]
    assert len(h.val_loss) == len(h.val_accuracy) == 6
    assert h.val_accuracy[-1] > 0.9


def test_early_stopping_restores_best_weights():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2))
    y = rng.integers(0, 2, 40)  # pure noise: validation loss soon rises
    Xv, yv = rng.standard_normal((40, 2)), rng.integers(0, 2, 40)
    model = dl.Sequential([dl.Dense(2, 64, rng=1), dl.ReLU(), dl.Dense(64, 2, rng=2)])
    stop = dl.EarlyStopping(patience=5)
    h = dl.fit(
        model,
        X,
        y,
        loss=dl.SoftmaxCrossEntropy(),
        validation=(Xv, yv),
        epochs=500,
        optimizer=dl.optim.Adam(model.parameters(), lr=0.05),
        callbacks=[stop],
    )
    assert h.stopped_early and h.epochs < 500
    assert h.epochs - 1 - stop.best_epoch == 5
    best, _ = dl.evaluate(model, Xv, yv, dl.SoftmaxCrossEntropy())
    assert best == pytest.approx(min(h.val_loss), rel=1e-12)


def test_plain_callable_called_after_every_step_and_epoch():
    X, y = separable(20)
    events = []
    model = mlp()
    dl.fit(
        model,
        X,
        y,
        loss=dl.SoftmaxCrossEntropy(),
        optimizer=dl.optim.SGD(model.parameters(), lr=0.1),
        epochs=2,
        batch_size=10,
        callbacks=[lambda h: events.append(h.last_event)],
    )
    assert events == ["step", "step", "epoch"] * 2


def test_progress_bar_runs():
    X, y = separable(20)
    model = mlp()
    bar = dl.ProgressBar(disable=False, leave=False)
    dl.fit(
        model,
        X,
        y,
        loss=dl.SoftmaxCrossEntropy(),
        optimizer=dl.optim.SGD(model.parameters(), lr=0.1),
        epochs=3,
        callbacks=[bar],
    )
    assert bar.bar.n == 3


def test_binary_and_mse_losses_train():
    X, y = separable()
    model = dl.Sequential([dl.Dense(2, 8, rng=0), dl.Tanh(), dl.Dense(8, 1, rng=1)])
    h = dl.fit(
        model,
        X,
        y.reshape(-1, 1),
        loss=dl.BinaryCrossEntropy(),
        optimizer=dl.optim.Adam(model.parameters(), lr=0.05),
        epochs=100,
    )
    assert h.accuracy[-1] > 0.95
    reg = dl.Sequential([dl.Dense(2, 1, rng=0)])
    target = X @ np.array([2.0, -1.0]) + 0.5
    h = dl.fit(
        reg,
        X,
        target.reshape(-1, 1),
        loss=dl.MSE(),
        optimizer=dl.optim.SGD(reg.parameters(), lr=0.1),
        epochs=200,
    )
    assert h.loss[-1] < 1e-10 and not h.accuracy
    np.testing.assert_allclose(reg[0].W.value, [[2.0, -1.0]], atol=1e-5)


@pytest.mark.parametrize(
    "sched,expected",
    [
        (schedules.step_decay(0.1, drop=0.5, every=10), lambda e: 0.1 * 0.5 ** (e // 10)),
        (schedules.exponential_decay(0.1, k=0.05), lambda e: 0.1 * math.exp(-0.05 * e)),
        (schedules.exponential_decay(0.1, base=0.95), lambda e: 0.1 * 0.95**e),
        (schedules.inverse_time_decay(0.2, decay_rate=1.0), lambda e: 0.2 / (1 + e)),
        (
            schedules.inverse_time_decay(0.2, decay_rate=0.5, every=5),
            lambda e: 0.2 / (1 + 0.5 * (e // 5)),
        ),
        (schedules.staircase(0.2, decay_rate=0.5, every=5), lambda e: 0.2 / (1 + 0.5 * (e // 5))),
        (schedules.constant(0.3), lambda e: 0.3),
    ],
)
def test_schedules_follow_their_formulas(sched, expected):
    for epoch in range(60):
        assert sched(epoch) == pytest.approx(expected(epoch), rel=1e-15)


def test_save_load_round_trip_is_bit_exact(tmp_path):
    X, y = separable()
    model = mlp(bn=True)
    dl.fit(
        model,
        X,
        y,
        loss=dl.SoftmaxCrossEntropy(),
        optimizer=dl.optim.Adam(model.parameters(), lr=0.01),
        epochs=3,
        batch_size=64,
    )
    path = tmp_path / "model.npz"
    dl.save(model, path)
    other = mlp(seed=5, bn=True)
    dl.load(other, path)
    for (n1, a), (n2, b) in zip(model.named_parameters(), other.named_parameters()):
        assert n1 == n2 and a.value.tobytes() == b.value.tobytes()
    assert other[1].running_var.tobytes() == model[1].running_var.tobytes()
    assert np.array_equal(model.predict(X), other.predict(X))


def test_load_rejects_truncated_and_mismatched_files(tmp_path):
    model = mlp()
    path = tmp_path / "m.npz"
    dl.save(model, path)
    data = path.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated"):
        dl.load(model, tmp_path / "cut.npz")
    with pytest.raises(ValueError, match="missing"):
        dl.load(mlp(bn=True), path)
    wide = dl.Sequential([dl.Dense(2, 17), dl.ReLU(), dl.Dropout(0.0), dl.Dense(17, 2)])
    with pytest.raises(ValueError, match=r"'0.W'.*\[16, 2\].*\[17, 2\]"):
        dl.load(wide, path)


def test_fit_step_equals_manual_step_with_tied_and_unused_parameters():
    """fit skips zero-filling gradients; shared and unused parameters must still be right."""
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((12, 3)), rng.integers(0, 3, 12)

    def build():
        a, b = dl.Dense(3, 3, rng=1), dl.Dense(3, 3, rng=2)
        b.W = a.W  # tied weights: the gradient is the sum over both uses
        return dl.Sequential([a, dl.Tanh(), b])

    manual, fitted = build(), build()
    unused = dl.Parameter(np.ones(2))
    loss = dl.SoftmaxCrossEntropy()
    for _ in range(3):
        manual.zero_grad()
        loss.forward(manual.forward(X), y)
        manual.backward(loss.backward())
        for p in {id(p): p for p in manual.parameters()}.values():
            p.value -= 0.1 * p.grad
    params = list({id(p): p for p in fitted.parameters()}.values())
    opt = dl.optim.SGD(params + [unused], lr=0.1)
    unused.grad[...] = 5.0  # a stale value from elsewhere must not leak into the update
    unused.grad_stale = True
    dl.fit(fitted, X, y, loss=loss, optimizer=opt, epochs=3)
    for (_, p), (_, q) in zip(manual.named_parameters(), fitted.named_parameters()):
        np.testing.assert_allclose(p.value, q.value, rtol=1e-13)
    np.testing.assert_array_equal(unused.value, np.ones(2))


def test_softmax_labels_as_indices_column_or_one_hot_agree():
    rng = np.random.default_rng(0)
    z, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    losses, grads = [], []
    for target in (y, y.reshape(-1, 1), np.eye(4)[y]):
        loss = dl.SoftmaxCrossEntropy()
        losses.append(loss.forward(z, target))
        grads.append(loss.backward())
    np.testing.assert_allclose(losses, losses[0], rtol=1e-15)
    for g in grads:
        np.testing.assert_allclose(g, grads[0], rtol=1e-15, atol=1e-17)


def test_each_step_reads_like_the_lecture():
    """zero_grad -> forward -> cost -> backward -> step, once per mini-batch."""
    calls = []

    class Net(dl.Sequential):
        def forward(self, x, training=True):
            calls.append("forward")
            return super().forward(x, training)

        def backward(self, dout, input_grad=True):
            calls.append("backward")
            return super().backward(dout, input_grad)

    class Loss(dl.SoftmaxCrossEntropy):
        def forward(self, logits, y):
            calls.append("cost")
            return super().forward(logits, y)

    class SGD(dl.optim.SGD):
        def zero_grad(self):
            calls.append("zero_grad")
            super().zero_grad()

        def step(self):
            calls.append("step")
            super().step()

    X, y = separable(30)
    model = Net([dl.Dense(2, 3, rng=0), dl.Tanh(), dl.Dense(3, 2, rng=1)])
    dl.fit(model, X, y, Loss(), SGD(model.parameters(), lr=0.1), epochs=2, batch_size=10)
    assert calls == ["zero_grad", "forward", "cost", "backward", "step"] * 6
