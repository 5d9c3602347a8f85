"""A training run that continues: fit(..., history=h) carries on epochs, steps and data order."""

import warnings

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.optim import schedules

CURVES = ("loss", "val_loss", "accuracy", "val_accuracy", "step_loss", "lr")


def data(m=90, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def network():
    return dl.Sequential(
        [
            dl.Dense(2, 12, rng=1),
            dl.BatchNorm(12),
            dl.Tanh(),
            dl.Dropout(0.2, rng=5),
            dl.Dense(12, 2, rng=2),
        ]
    )


def same_run(a, b, ha, hb):
    for name in CURVES:
        assert getattr(ha, name) == getattr(hb, name), name
    for (n, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        assert x.tobytes() == y.tobytes(), n


@pytest.mark.parametrize("chunks", [(3, 2), (1, 1, 1, 1, 1), (0, 5), (4, 0, 1)])
def test_continued_run_equals_one_run(chunks):
    X, y = data()
    Xv, yv = data(40, seed=1)
    loss = dl.SoftmaxCrossEntropy()
    kwargs = {
        "batch_size": 16,
        "l2": 0.01,
        "validation": (Xv, yv),
        "schedule": schedules.step_decay(0.05, drop=0.5, every=2),
    }
    one = network()
    h_one = dl.fit(
        one,
        X,
        y,
        loss,
        dl.optim.Adam(one.parameters(), lr=0.05),
        epochs=sum(chunks),
        seed=3,
        **kwargs,
    )
    parts = network()
    opt = dl.optim.Adam(parts.parameters(), lr=0.05)
    h = dl.fit(parts, X, y, loss, opt, epochs=chunks[0], seed=3, **kwargs)
    for n in chunks[1:]:
        assert dl.fit(parts, X, y, loss, opt, epochs=n, history=h, **kwargs) is h
    assert h.epochs == 5 and h.steps == 5 * 6
    same_run(one, parts, h_one, h)


def test_seed_only_starts_a_run_and_settings_may_change():
    X, y = data()
    loss = dl.SoftmaxCrossEntropy()
    a, b = network(), network()
    oa, ob = dl.optim.SGD(a.parameters(), lr=0.1), dl.optim.SGD(b.parameters(), lr=0.1)
    ha = dl.fit(a, X, y, loss, oa, epochs=2, batch_size=8, seed=7)
    hb = dl.fit(b, X, y, loss, ob, epochs=2, batch_size=8, seed=7)
    oa.lr = ob.lr = 0.03
    dl.fit(a, X, y, loss, oa, epochs=2, batch_size=32, history=ha, seed=7)
    dl.fit(b, X, y, loss, ob, epochs=2, batch_size=32, history=hb, seed=123)  # ignored
    same_run(a, b, ha, hb)
    assert ha.lr == [0.1, 0.1, 0.03, 0.03] and ha.steps == 2 * 12 + 2 * 3


def test_a_fresh_history_is_a_new_run():
    X, y = data()
    loss = dl.SoftmaxCrossEntropy()
    a, b = network(), network()
    ha = dl.fit(a, X, y, loss, dl.optim.SGD(a.parameters(), lr=0.1), epochs=2, batch_size=8, seed=2)
    hb = dl.fit(
        b,
        X,
        y,
        loss,
        dl.optim.SGD(b.parameters(), lr=0.1),
        epochs=2,
        batch_size=8,
        seed=2,
        history=dl.History(),
    )
    same_run(a, b, ha, hb)


def test_callbacks_see_positions_in_the_whole_run():
    X, y = data()
    seen, plain = [], []

    class Record(dl.Callback):
        def on_train_begin(self, ctx):
            seen.append(("begin", ctx.epoch, ctx.step, ctx.total_epochs))

        def on_epoch_end(self, ctx):
            seen.append(("epoch", ctx.epoch, ctx.step))

    model = network()
    opt = dl.optim.SGD(model.parameters(), lr=0.1)
    cbs = [Record(), lambda h: plain.append((h.last_event, h.epochs, h.steps))]
    h = dl.fit(model, X, y, dl.SoftmaxCrossEntropy(), opt, epochs=1, batch_size=45, callbacks=cbs)
    dl.fit(
        model,
        X,
        y,
        dl.SoftmaxCrossEntropy(),
        opt,
        epochs=2,
        batch_size=45,
        callbacks=cbs,
        history=h,
    )
    assert seen == [
        ("begin", 0, 0, 1),
        ("epoch", 0, 2),
        ("begin", 1, 2, 3),
        ("epoch", 1, 4),
        ("epoch", 2, 6),
    ]
    assert plain[-3:] == [("step", 2, 5), ("step", 2, 6), ("epoch", 3, 6)]


def test_divergence_step_counts_over_the_run_and_a_diverged_run_cannot_continue():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = X.sum(1, keepdims=True)
    model = dl.Dense(3, 1, rng=0)
    opt = dl.optim.SGD(model.parameters(), lr=0.01)
    h = dl.fit(model, X, y, dl.MSE(), opt, epochs=2, batch_size=10)
    opt.lr = 1e3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dl.DivergenceWarning)
        with np.errstate(all="ignore"):
            dl.fit(model, X, y, dl.MSE(), opt, epochs=50, batch_size=10, history=h)
    assert h.diverged is not None and h.diverged.epoch >= 2 and h.diverged.step >= 8
    assert h.diverged.step == h.steps
    with pytest.raises(ValueError, match="diverged at epoch .* cannot continue"):
        dl.fit(model, X, y, dl.MSE(), opt, epochs=1, history=h)


def test_early_stopping_flag_is_per_call():
    X, y = data()
    Xv, yv = data(40, seed=1)
    model = network()
    opt = dl.optim.SGD(model.parameters(), lr=0.1)
    stop = dl.EarlyStopping(patience=0, restore_best=False)
    h = dl.fit(
        model,
        X,
        y,
        dl.SoftmaxCrossEntropy(),
        opt,
        epochs=100,
        batch_size=8,
        validation=(Xv, yv),
        callbacks=[stop],
    )
    assert h.stopped_early and h.epochs < 100
    done = h.epochs
    dl.fit(
        model,
        X,
        y,
        dl.SoftmaxCrossEntropy(),
        opt,
        epochs=1,
        batch_size=8,
        validation=(Xv, yv),
        history=h,
    )
    assert not h.stopped_early and h.epochs == done + 1


def test_bad_history_is_refused():
    X, y = data()
    model = network()
    opt = dl.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="history must be a History"):
        dl.fit(model, X, y, dl.SoftmaxCrossEntropy(), opt, epochs=1, history={"loss": []})
    handmade = dl.History(loss=[1.0, 0.5])
    with pytest.raises(ValueError, match="history has 2 epochs but no data-order generator"):
        dl.fit(model, X, y, dl.SoftmaxCrossEntropy(), opt, epochs=1, history=handmade)


def test_on_epoch_begin_comes_after_the_schedule_and_may_set_the_data_order():
    X, y = data()
    loss = dl.SoftmaxCrossEntropy()
    seen = []

    class Reseed(dl.Callback):
        def on_epoch_begin(self, ctx):
            seen.append((ctx.epoch, ctx.optimizer.lr, ctx.history.epochs))
            ctx.history.rng = np.random.default_rng(100 + ctx.epoch)

    model = network()
    opt = dl.optim.SGD(model.parameters(), lr=1.0)
    h = dl.fit(
        model,
        X,
        y,
        loss,
        opt,
        epochs=2,
        batch_size=16,
        callbacks=[Reseed()],
        schedule=schedules.step_decay(0.1, drop=0.5, every=1),
    )
    dl.fit(
        model,
        X,
        y,
        loss,
        opt,
        epochs=1,
        batch_size=16,
        callbacks=[Reseed()],
        history=h,
        schedule=schedules.step_decay(0.1, drop=0.5, every=1),
    )
    assert seen == [(0, 0.1, 0), (1, 0.05, 1), (2, 0.025, 2)]
    ref = network()
    ref_opt = dl.optim.SGD(ref.parameters(), lr=1.0)
    steps = []
    for e in range(3):  # each epoch its own fit, seeded as the callback seeds it
        ref_opt.lr = 0.1 * 0.5**e
        steps += dl.fit(ref, X, y, loss, ref_opt, epochs=1, batch_size=16, seed=100 + e).step_loss
    assert h.step_loss == steps
    for (n, a), (_, b) in zip(model.state_dict().items(), ref.state_dict().items()):
        assert a.tobytes() == b.tobytes(), n


@pytest.mark.parametrize(
    "chunks", [[(5, 8)], [(2, 8), (0, 16), (3, 32)], [(1, 5), (1, 8), (1, 8), (2, 45)]]
)
def test_epoch_seeds_give_epoch_e_its_own_order_however_the_run_is_cut(chunks):
    from dlcourse.experiments.training_runs import EpochSeeds, epoch_seed

    X, y = data()
    loss = dl.SoftmaxCrossEntropy()
    model = network()
    opt = dl.optim.Adam(model.parameters(), lr=0.05)
    h = None
    for epochs, batch in chunks:  # (epochs, batch size) per fit call
        h = dl.fit(
            model,
            X,
            y,
            loss,
            opt,
            epochs=epochs,
            batch_size=batch,
            history=h,
            callbacks=[EpochSeeds(4)],
        )
    ref = network()
    ref_opt = dl.optim.Adam(ref.parameters(), lr=0.05)
    steps = []
    batches = [batch for epochs, batch in chunks for _ in range(epochs)]
    for e, batch in enumerate(batches):  # epoch e: its own fit, seeded epoch_seed(4, e)
        steps += dl.fit(
            ref, X, y, loss, ref_opt, epochs=1, batch_size=batch, seed=epoch_seed(4, e)
        ).step_loss
    assert h.epochs == 5 and h.step_loss == steps
    for (n, a), (_, b) in zip(model.state_dict().items(), ref.state_dict().items()):
        assert a.tobytes() == b.tobytes(), n
