"""The babysitting checks: each one passes on a healthy case and flags the broken one."""

import math
import warnings

import numpy as np
import pytest

import dlcourse as dl
from dlcourse import datasets
from dlcourse.topics import babysit


def small_net(out_scale=0.01, seed=0, n_in=2, n_out=3):
    rng = np.random.default_rng(seed)
    return dl.Sequential(
        [
            dl.Dense(n_in, 16, init="he", rng=rng),
            dl.ReLU(),
            dl.Dense(16, n_out, init="random", scale=out_scale, rng=rng),
        ]
    )


@pytest.fixture(scope="module")
def blobs():
    X, y = datasets.blobs(120, noise=0.5, rng=0)
    return datasets.standardize(X)[0], y


# ------------------------------------------------------------------ loss at init
@pytest.mark.parametrize("C", [2, 3, 10, 1000])
def test_expected_initial_loss_is_log_C_and_equals_uniform_cross_entropy(C):
    logits = np.zeros((5, C))
    assert babysit.expected_initial_loss(C) == pytest.approx(math.log(C))
    assert dl.SoftmaxCrossEntropy().forward(logits, np.arange(5) % C) == pytest.approx(math.log(C))


def test_expected_initial_loss_rejects_bad_C():
    with pytest.raises(ValueError, match="n_classes must be >= 2, got 1"):
        babysit.expected_initial_loss(1)
    with pytest.raises(TypeError, match="n_classes must be an int"):
        babysit.expected_initial_loss(2.5)


def test_initial_loss_small_output_weights_passes(blobs):
    X, y = blobs
    d = babysit.check_initial_loss(small_net(), dl.SoftmaxCrossEntropy(), X, y)
    assert d.passed and d.value == pytest.approx(math.log(3), rel=0.02)
    assert str(d).startswith("[ok] loss at init: ")
    assert "log C = 1.099" in d.detail


def test_initial_loss_large_output_weights_fails_as_too_high(blobs):
    X, y = blobs
    d = babysit.check_initial_loss(small_net(out_scale=5.0), dl.SoftmaxCrossEntropy(), X, y)
    assert not d.passed and "too high" in d.detail and str(d).startswith("[!!]")


def test_initial_loss_too_low_suspects_a_label_leak():
    X = np.eye(3)[[0, 1, 2, 0, 1, 2]] * 20.0  # inputs are the labels, identity network
    model = dl.Sequential([dl.Dense(3, 3, init=lambda s, r: np.eye(3))])
    d = babysit.check_initial_loss(model, dl.SoftmaxCrossEntropy(), X, np.array([0, 1, 2] * 2))
    assert not d.passed and "leak" in d.detail


def test_initial_loss_binary_output_uses_log_2(blobs):
    X, y = blobs
    rng = np.random.default_rng(0)
    model = dl.Sequential([dl.Dense(2, 1, init="random", scale=1e-3, rng=rng)])
    d = babysit.check_initial_loss(model, dl.BinaryCrossEntropy(), X, (y == 0).astype(float))
    assert d.passed and "log C = 0.693" in d.detail


def test_initial_loss_nonfinite_is_reported_not_raised(blobs):
    X, y = blobs
    model = small_net(out_scale=1e300)
    d = babysit.check_initial_loss(model, dl.SoftmaxCrossEntropy(), X * 1e10, y)
    assert not d.passed


# ------------------------------------------------------------------ preprocessing
def test_preprocessing_raw_digits_fail_standardised_pass():
    X, _ = datasets.load_digits()
    raw = babysit.check_preprocessing(X)
    assert not raw.passed and "standardise" in raw.detail and raw.value > 5
    std = babysit.check_preprocessing(datasets.standardize(X)[0])
    assert std.passed and std.value < 1e-9


def test_preprocessing_flags_centred_but_badly_scaled():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3)) * np.array([1.0, 100.0, 1.0])
    X -= X.mean(axis=0)
    assert not babysit.check_preprocessing(X).passed
    X[:, 1] /= 100.0
    assert babysit.check_preprocessing(X).passed


def test_preprocessing_bad_input():
    with pytest.raises(ValueError, match=r"at least 2 rows, got \(1, 3\)"):
        babysit.check_preprocessing(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        babysit.check_preprocessing(np.array([[0.0], [np.nan]]))
    with pytest.raises(ValueError, match="scale_tol must be >= 1"):
        babysit.check_preprocessing(np.zeros((3, 2)), scale_tol=0.5)


# ------------------------------------------------------------------ overfit a tiny subset
def test_overfit_small_subset_reaches_100_percent_and_leaves_the_model_alone(blobs):
    X, y = blobs
    model = small_net()
    before = [p.value.copy() for p in model.parameters()]
    res = babysit.overfit_small_subset(model, dl.SoftmaxCrossEntropy(), X, y, n=20, epochs=200)
    assert res.passed and res.accuracy == 1.0 and len(res.indices) == 20
    assert len(res.losses) == 200 and res.losses[-1] < res.losses[0]
    assert res.diagnostic().passed and "100%" in res.diagnostic().detail
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.value, old)


def test_overfit_small_subset_fails_for_a_model_that_cannot_learn(blobs):
    X, y = blobs
    X_noise = np.random.default_rng(1).standard_normal((120, 2))  # features unrelated to y
    model = dl.Sequential([dl.Dense(2, 3, init="zeros")])  # linear: cannot memorise
    res = babysit.overfit_small_subset(model, dl.SoftmaxCrossEntropy(), X_noise, y, n=40, epochs=50)
    assert not res.passed and "bug" in res.diagnostic().detail


def test_overfit_small_subset_is_deterministic_and_checks_n(blobs):
    X, y = blobs
    a = babysit.overfit_small_subset(small_net(), dl.SoftmaxCrossEntropy(), X, y, epochs=5, rng=3)
    b = babysit.overfit_small_subset(small_net(), dl.SoftmaxCrossEntropy(), X, y, epochs=5, rng=3)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert a.losses == b.losses
    with pytest.raises(ValueError, match="n=500 is larger than the number of examples"):
        babysit.overfit_small_subset(small_net(), dl.SoftmaxCrossEntropy(), X, y, n=500)


# ------------------------------------------------------------------ loss curves
@pytest.mark.parametrize(
    "curve, verdict",
    [
        ([2.3, 1.2, 0.6], "ok"),
        ([2.3, 2.299, 2.298], "flat"),
        ([2.3, 5.0, math.nan], "diverged"),
        ([2.3, math.inf], "diverged"),
        ([2.3, 2.5, 2.9], "rising"),
        ([2.3026, 2.3024, 2.3027], "rising"),
        ([10.0, 9.97], "flat"),
        ([0.004, 0.002], "ok"),
    ],
)
def test_diagnose_loss_curve(curve, verdict):
    assert babysit.diagnose_loss_curve(curve) == verdict
    assert verdict in babysit.VERDICTS


@pytest.mark.parametrize(
    "curve, n_classes, verdict",
    [
        ([5.11, 3.4, 2.31, 2.30], 10, "chance"),  # fell to log 10: chance, not ok
        ([5.11, 3.4, 2.31, 2.30], None, "ok"),  # without C there is no chance rule
        ([3.1, 2.0, 0.70], 2, "chance"),  # log 2 = 0.693
        ([3.1, 2.0, 0.60], 2, "ok"),
        ([2.3026, 2.301, 2.300], 10, "flat"),  # flat comes before chance
        ([2.30, 2.6, 3.4], 10, "rising"),
        ([2.30, math.nan, 2.0], 10, "diverged"),
    ],
)
def test_diagnose_loss_curve_with_the_number_of_classes(curve, n_classes, verdict):
    assert babysit.diagnose_loss_curve(curve, n_classes) == verdict
    assert verdict in babysit.VERDICTS


def test_one_verdict_under_its_two_names():
    from dlcourse.experiments import loss_reading

    assert loss_reading.diagnose_run is babysit.diagnose_loss_curve
    assert loss_reading.update_ratios is babysit.update_ratios
    assert loss_reading.regularized_initial_loss is babysit.regularized_initial_loss
    with pytest.raises(ValueError, match="n_classes"):
        babysit.diagnose_loss_curve([1.0, 0.5], 1)
    with pytest.raises(ValueError, match="chance_tol must be > 0"):
        babysit.diagnose_loss_curve([1.0, 0.5], 10, chance_tol=0)


def test_diagnose_real_training_runs():
    X, y = datasets.standardize(datasets.load_digits()[0])[0], datasets.load_digits()[1]
    loss = dl.SoftmaxCrossEntropy()
    curves = {}
    for lr in (1e-6, 0.3, 20.0):
        rng = np.random.default_rng(0)
        model = dl.Sequential([dl.Dense(64, 32, rng=rng), dl.ReLU(), dl.Dense(32, 10, rng=rng)])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            h = dl.fit(
                model, X, y, loss, dl.optim.SGD(model.parameters(), lr), epochs=20, batch_size=128
            )
        assert any(w.category is dl.DivergenceWarning for w in caught) == (lr == 20.0)
        curves[lr] = babysit.check_loss_curve(h.loss, diverged=h.diverged is not None)
    assert "too small" in curves[1e-6].detail and not curves[1e-6].passed
    assert curves[0.3].passed
    assert "NaN/inf" in curves[20.0].detail and not curves[20.0].passed


def test_diagnose_bad_input():
    with pytest.raises(ValueError, match="at least 2 values, got 1"):
        babysit.diagnose_loss_curve([1.0])
    with pytest.raises(ValueError, match="flat_tol must be > 0"):
        babysit.diagnose_loss_curve([1.0, 0.5], flat_tol=0)


def test_check_loss_curve_with_divergence_before_any_epoch():
    d = babysit.check_loss_curve([], diverged=True)
    assert not d.passed and d.value is None and "far too large" in d.detail


# ------------------------------------------------------------------ accuracies, checklist
def test_check_accuracy():
    assert babysit.check_accuracy(0.99, 0.95, 10).passed
    chance = babysit.check_accuracy(0.4, 0.11, 10)
    assert not chance.passed and "chance" in chance.detail
    gap = babysit.check_accuracy(1.0, 0.7, 10)
    assert not gap.passed and "over-fits" in gap.detail
    with pytest.raises(ValueError, match="val_accuracy must be in"):
        babysit.check_accuracy(0.5, 1.5, 10)


def test_checklist_lines(blobs):
    X, y = blobs
    lines = babysit.checklist(small_net(), dl.SoftmaxCrossEntropy(), X, y, losses=[1.1, 0.4])
    assert [d.name for d in lines] == ["inputs normalised", "loss at init", "loss curve"]
    assert all(d.passed for d in lines)
    assert len(babysit.checklist(small_net(), dl.SoftmaxCrossEntropy(), X, y)) == 2
