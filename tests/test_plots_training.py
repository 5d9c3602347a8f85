"""Training plots: every artist holds exactly the data it was given, updates happen in
place, and each figure renders to a PNG (saved in test-artifacts/ to be looked at)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import dlcourse as dl
from dlcourse import datasets
from dlcourse.metrics import class_probabilities, confusion_counts, grid_probabilities
from dlcourse.plots.training import readout
from dlcourse.plots import (
    CLASS_COLORS,
    activation_histograms,
    confusion_matrix,
    cost_curves,
    decision_boundary,
    probability_image,
    std_by_layer,
)
from dlcourse.plots.display import figure_png

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def _save(fig: Figure, name: str) -> bytes:
    png = figure_png(fig, dpi=70)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"plots_{name}.png").write_bytes(png)
    return png


@pytest.fixture(scope="module")
def trained():
    X, y = datasets.make("spiral", 240, 0.15, rng=3)
    X_tr, X_val, y_tr, y_val = datasets.train_val_split(X, y, 0.25, rng=4)
    model = dl.Sequential([dl.Dense(2, 24, rng=0), dl.ReLU(), dl.Dense(24, 3, rng=1)])
    hist = dl.fit(
        model,
        X_tr,
        y_tr,
        dl.SoftmaxCrossEntropy(),
        dl.optim.Adam(model.parameters(), 0.03),
        epochs=60,
        batch_size=32,
        validation=(X_val, y_val),
        seed=5,
    )
    return model, hist, X_tr, X_val, y_tr, y_val


# ---------------------------------------------------------------- cost curves
def test_cost_curves_single_run_with_previous(trained):
    _, hist, *_ = trained
    fig = Figure(figsize=(5, 3))
    ax = fig.add_subplot()
    prev = {"loss": [2.0, 1.5, 1.2], "val_loss": [2.1, 1.7, 1.4]}
    art = cost_curves(ax, hist, previous=prev)
    x, yv = art.train[""].get_data()
    np.testing.assert_array_equal(x, np.arange(1, 61))
    np.testing.assert_array_equal(yv, hist.loss)
    np.testing.assert_array_equal(art.val[""].get_ydata(), hist.val_loss)
    np.testing.assert_array_equal(art.previous_train.get_ydata(), prev["loss"])
    np.testing.assert_array_equal(art.previous_val.get_ydata(), prev["val_loss"])
    assert art.previous_train.get_alpha() < 1
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["training", "validation", "previous run", "previous validation"]
    lo, hi = ax.get_ylim()
    assert lo <= min(hist.loss) and hi >= 2.1
    _save(fig, "cost_single")

    # in place: same Line2D objects, new data, no new artists
    n_lines = len(ax.lines)
    line = art.train[""]
    art.update({"loss": [0.5, 0.4], "val_loss": [0.6, 0.55]})
    assert art.train[""] is line and len(ax.lines) == n_lines
    np.testing.assert_array_equal(line.get_ydata(), [0.5, 0.4])
    assert len(art.previous_train.get_xdata()) == 0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]


def test_cost_curves_several_runs_log_and_divergence():
    fig = Figure(figsize=(5, 3))
    ax = fig.add_subplot()
    runs = {
        "adam": {"loss": [1.0, 0.1, 0.01]},
        "sgd": {"loss": [1.0, np.inf, np.nan], "val_loss": [1.1, 0.0, 2.0]},
    }
    art = cost_curves(ax, runs, log_y=True)
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(art.train["adam"].get_ydata(), [1.0, 0.1, 0.01])
    # inf becomes a gap; 0 cannot be drawn on a log axis
    np.testing.assert_array_equal(art.train["sgd"].get_ydata(), [1.0, np.nan, np.nan])
    np.testing.assert_array_equal(art.val["sgd"].get_ydata(), [1.1, np.nan, 2.0])
    assert art.train["adam"].get_color() != art.train["sgd"].get_color()
    assert art.val["sgd"].get_linestyle() == "--"
    assert np.all(np.isfinite(ax.get_ylim()))
    _save(fig, "cost_runs_log")
    art.set_log_y(False)
    assert ax.get_yscale() == "linear"
    np.testing.assert_array_equal(art.val["sgd"].get_ydata(), [1.1, 0.0, 2.0])
    with pytest.raises(ValueError, match="'other'"):
        art.update({"other": [1.0]})
    quiet = cost_curves(fig.add_subplot(), runs, legend=False)
    assert quiet.ax.get_legend() is None


def test_cost_curves_per_step_and_plain_array(trained):
    _, hist, *_ = trained
    fig = Figure()
    art = cost_curves(fig.add_subplot(), hist, per_step=True)
    np.testing.assert_array_equal(art.train[""].get_ydata(), hist.step_loss)
    assert art.ax.get_xlabel().startswith("step")
    art2 = cost_curves(fig.add_subplot(), [3.0, 2.0, 1.0])
    np.testing.assert_array_equal(art2.train[""].get_ydata(), [3.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="'loss' key"):
        cost_curves(fig.add_subplot(), {"run a": {"val_loss": [1.0]}})
    with pytest.raises(ValueError, match="1-D"):
        cost_curves(fig.add_subplot(), np.ones((2, 2)))


# ---------------------------------------------------------------- decision boundary
def test_class_probabilities_binary_and_softmax():
    z = np.array([-2.0, 0.0, 3.0])
    P = class_probabilities(z[:, None])
    np.testing.assert_allclose(P[:, 1], 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(P.sum(1), 1)
    Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(class_probabilities(Z), np.exp(Z) / np.exp(Z).sum(1, keepdims=True))


def test_decision_boundary_multiclass(trained):
    model, _, X_tr, X_val, y_tr, y_val = trained
    fig = Figure(figsize=(4, 4))
    ax = fig.add_subplot()
    art = decision_boundary(ax, model, X_tr, y_tr, X_val=X_val, y_val=y_val, resolution=50)
    np.testing.assert_array_equal(art.points.get_offsets(), X_tr)
    np.testing.assert_array_equal(art.val_points.get_offsets(), X_val)
    from matplotlib.colors import to_rgba

    np.testing.assert_allclose(art.points.get_facecolor(), [to_rgba(CLASS_COLORS[k]) for k in y_tr])
    # the grid is the model at test time on pixel centres covering the extent
    x0, x1, y0, y1 = art.extent
    assert x0 < X_tr[:, 0].min() and x1 > X_tr[:, 0].max()
    gx, gy = np.meshgrid(art.xs, art.ys)
    direct = dl.softmax(model.forward(np.column_stack([gx.ravel(), gy.ravel()]), training=False))
    np.testing.assert_allclose(art.probs.reshape(-1, 3), direct)
    np.testing.assert_allclose(art.image.get_array(), probability_image(art.probs))
    # the trained net predicts most training labels: pixel nearest each point has its class
    ix = np.clip(np.searchsorted(art.xs, X_tr[:, 0]), 0, 49)
    iy = np.clip(np.searchsorted(art.ys, X_tr[:, 1]), 0, 49)
    assert np.mean(art.probs[iy, ix].argmax(1) == y_tr) > 0.8
    _save(fig, "boundary_spiral")

    n_children = len(ax.get_children())
    image = art.image
    art.update(dl.Sequential([dl.Dense(2, 3, init="zeros")]), X_tr[:10], y_tr[:10])
    assert art.image is image and len(ax.get_children()) == n_children
    np.testing.assert_allclose(art.probs, 1 / 3)
    np.testing.assert_allclose(art.image.get_array(), 1.0)  # unsure everywhere: white
    assert len(art.points.get_offsets()) == 10


def test_decision_boundary_binary_and_bad_input():
    X, y = datasets.make("moons", 100, 0.1, rng=0)
    w = np.array([1.0, -2.0])
    fig = Figure()
    art = decision_boundary(fig.add_subplot(), lambda G: G @ w + 0.3, X, y, resolution=30)
    gx, gy = np.meshgrid(art.xs, art.ys)
    expected = 1 / (1 + np.exp(-(gx * w[0] + gy * w[1] + 0.3)))
    np.testing.assert_allclose(art.probs[..., 1], expected)
    assert art.probs.shape == (30, 30, 2)
    _save(fig, "boundary_binary")
    with pytest.raises(ValueError, match=r"X must have shape \(m, 2\)"):
        decision_boundary(fig.add_subplot(), None, np.ones((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="y must have shape"):
        decision_boundary(fig.add_subplot(), None, X, y[:-1])
    with pytest.raises(ValueError, match="extent"):
        grid_probabilities(lambda G: G[:, 0], (1, 0, 0, 1))
    with pytest.raises(ValueError, match="resolution"):
        grid_probabilities(lambda G: G[:, 0], (0, 1, 0, 1), resolution=1)


def test_grid_probabilities_of_a_diverged_model_are_uniform():
    xs, ys, P = grid_probabilities(lambda G: np.full((len(G), 2), np.nan), (0, 1, 0, 1), 5)
    np.testing.assert_array_equal(P, 0.5)


# ---------------------------------------------------------------- histograms
def _layers(rng):
    return [rng.normal(0, s, size=(200, 30)) for s in (1.0, 0.5, 0.1)]


def test_activation_histograms_panels(rng):
    arrays = _layers(rng)
    fig = Figure(figsize=(8, 2.5))
    axes = fig.subplots(1, 4)
    art = activation_histograms(axes, arrays, bins=20)
    np.testing.assert_allclose(art.stds, [a.std() for a in arrays])
    for a, patch, counts in zip(arrays, art.patches, art.counts):
        values, edges = patch.get_data()[:2]
        direct, _ = np.histogram(np.clip(a, edges[0], edges[-1]), bins=edges)
        np.testing.assert_allclose(values, direct / a.size)
        np.testing.assert_allclose(counts.sum(), 1.0)
    assert art.edges[0] < -np.quantile(np.abs(arrays[0]), 0.999) * 1.0
    assert not axes[3].get_visible()
    assert "std 0.5" in art.texts[1].get_text().replace("0.50", "0.5")
    _save(fig, "hist_panels")
    with pytest.raises(ValueError, match="5 arrays but only 4 axes"):
        activation_histograms(fig.subplots(1, 4), arrays + arrays[:2])


def test_activation_histograms_ridges_update_in_place(rng):
    arrays = _layers(rng)
    fig = Figure(figsize=(4, 4))
    ax = fig.add_subplot()
    art = activation_histograms(ax, arrays, max_layers=6)
    n_children = len(ax.get_children())
    assert len(art.patches) == 6 and sum(p.get_visible() for p in art.patches) == 3
    # layer 1 on top: its ridge sits on baseline n - 1
    values, edges, baseline = art.patches[0].get_data()
    assert baseline == 2.0 and values.max() <= 2.95
    relu = [np.maximum(a, 0) for a in arrays] + [np.zeros((10, 4))]
    art.update(relu)
    assert len(ax.get_children()) == n_children
    assert sum(p.get_visible() for p in art.patches) == 4
    # no negative values: the range starts just below 0 instead of being symmetric
    assert -0.1 * art.edges[-1] < art.edges[0] < 0
    np.testing.assert_allclose(art.stds, [a.std() for a in relu])
    assert art.texts[3].get_text() == "0"  # the std column's heading says "std"
    assert "std" in [t.get_text() for t in ax.texts]
    _save(fig, "hist_ridges")
    with pytest.raises(ValueError, match="at most 6"):
        art.update(relu * 2)


def test_histograms_of_overflowed_values(rng):
    fig = Figure()
    art = activation_histograms(fig.add_subplot(), [np.array([1.0, np.inf, -2.0]), np.zeros(3)])
    assert art.stds[0] == np.inf and art.stds[1] == 0.0
    np.testing.assert_allclose(art.counts[0].sum(), 2 / 3)


def test_std_by_layer():
    fig = Figure()
    ax = fig.add_subplot()
    art = std_by_layer(ax, {"activations": [1.0, 0.1, 0.01], "gradients": [0.0, 1e-3, np.inf]})
    np.testing.assert_array_equal(art.lines["activations"].get_data()[1], [1.0, 0.1, 0.01])
    np.testing.assert_array_equal(art.lines["gradients"].get_data()[1], [np.nan, 1e-3, np.nan])
    lo, hi = ax.get_ylim()
    assert lo < 1e-3 and hi > 1.0
    _save(fig, "std_by_layer")


# ---------------------------------------------------------------- confusion matrix
def test_confusion_matrix_counts_and_normalised():
    y_true = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 1, 0, 1, 1, 2, 0, 2, 2])
    M = confusion_counts(y_true, y_pred)
    direct = np.zeros((3, 3), int)
    for t, p in zip(y_true, y_pred):
        direct[t, p] += 1
    np.testing.assert_array_equal(M, direct)
    fig = Figure(figsize=(6, 3))
    a1, a2 = fig.subplots(1, 2)
    art = confusion_matrix(a1, y_true, y_pred, classes=["cat", "dog", "bird"])
    np.testing.assert_array_equal(art.image.get_array(), direct)
    assert art.texts[2][0].get_text() == "1" and art.texts[2][2].get_text() == "3"
    assert [t.get_text() for t in a1.get_xticklabels()] == ["cat", "dog", "bird"]
    norm = confusion_matrix(a2, y_true, y_pred, normalize=True)
    np.testing.assert_allclose(norm.matrix, direct / direct.sum(1, keepdims=True))
    np.testing.assert_allclose(norm.matrix.sum(1), 1.0)
    assert norm.texts[0][0].get_text() == "0.67"
    _save(fig, "confusion")
    texts = art.texts[0][0]
    art.update(y_true, y_true)
    assert art.texts[0][0] is texts and art.texts[0][0].get_text() == "3"
    np.testing.assert_array_equal(art.matrix, np.diag([3, 2, 4]))


def test_confusion_matrix_bad_input():
    with pytest.raises(ValueError, match="same length"):
        confusion_counts([0, 1], [0])
    with pytest.raises(ValueError, match="y_pred must hold class labels"):
        confusion_counts([0, 1], [0, -1])
    with pytest.raises(ValueError, match="n_classes=2"):
        confusion_counts([0, 2], [0, 1], n_classes=2)


def test_cost_curves_length_spans_the_run_and_hold_only_widens():
    fig = Figure()
    ax = fig.add_subplot()
    curves = cost_curves(ax, {"loss": [], "val_loss": []}, log_y=True)
    curves.length = 40
    curves.update({"loss": [2.0, 1.0], "val_loss": [2.1, 1.1]})
    assert ax.get_xlim()[1] >= 40  # the axis is set for the whole run from its first epoch
    wide = ax.get_ylim()
    curves.hold = True
    curves.update({"loss": [0.9], "val_loss": [0.95]})  # a narrower range: kept as it was
    assert ax.get_ylim() == wide
    curves.update({"loss": [0.9, 1e-4], "val_loss": [0.95, 2e-4]})  # more: widened
    assert ax.get_ylim()[0] <= 1e-4 / 1.3 and ax.get_ylim()[1] == wide[1]
    curves.hold = False
    curves.update({"loss": [0.9], "val_loss": [0.95]})  # the data's own limits again
    assert ax.get_ylim() == (0.1, 10.0)
    curves.length = 0
    curves.update({"loss": [0.9], "val_loss": [0.95]})
    assert ax.get_xlim() == (0.0, 1.5)


@given(
    st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=300),
    st.floats(-1e3, 1e3),
    st.floats(1e-3, 1e3),
    st.integers(1, 60),
)
@settings(max_examples=200, deadline=None)
def test_uniform_counts_equal_numpy_histogram(values, lo, width, bins):
    from dlcourse.plots.training import _uniform_counts

    hi = lo + width
    edges = np.linspace(lo, hi, bins + 1)
    values = np.clip(np.array(values + list(edges)), lo, hi)  # values on every edge too
    want, _ = np.histogram(values, bins=edges)
    np.testing.assert_array_equal(_uniform_counts(values, lo, hi, bins), want)


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=400), st.sampled_from([0.5, 0.9, 0.999]))
@settings(max_examples=200, deadline=None)
def test_upper_quantile_equals_numpy_quantile(values, q):
    from dlcourse.plots.training import _upper_quantile

    values = np.array(values)
    assert _upper_quantile(values.copy(), q) == pytest.approx(np.quantile(values, q), rel=1e-12)


def test_relative_ridges_keep_their_axis_when_the_values_change_scale(rng):
    fig = Figure(figsize=(4, 4))
    ax = fig.add_subplot()
    arrays = _layers(rng)
    art = activation_histograms(ax, arrays, relative=True)
    limits, ticks = ax.get_xlim(), list(ax.get_xticks())
    assert limits == (-1.0, 1.0)
    r = art.edges[-1]
    assert [t.get_text() for t in art.tick_texts] == [f"−{readout(r)}", readout(r)]
    fig.canvas.draw()
    assert not any(t.label1.get_visible() for t in ax.xaxis.get_major_ticks())  # texts instead
    _, x, _ = art.patches[0].get_data()
    np.testing.assert_allclose(x * r, art.edges)  # drawn in units of r, edges kept in values
    plain = activation_histograms(Figure().add_subplot(), arrays)
    for a, b in zip(art.counts, plain.counts):
        np.testing.assert_array_equal(a, b)  # the same bars, only the axis's unit differs
    art.update([1e-4 * a for a in arrays])
    assert (ax.get_xlim(), list(ax.get_xticks())) == (limits, ticks)
    assert art.tick_texts[-1].get_text() == readout(art.edges[-1]) and art.edges[-1] < 1e-2 * r
    assert set(art.tick_texts) <= set(art.moving)  # a new r redraws the labels, not the axis
    art.update([np.abs(a) for a in arrays])  # values >= 0: from just below 0
    assert ax.get_xlim() == (-0.05, 1.0)
    assert [t.get_text() for t in art.tick_texts] == ["", readout(art.edges[-1])]
    with pytest.raises(ValueError, match="relative=True needs ONE Axes"):
        activation_histograms(Figure().subplots(1, 3), arrays, relative=True)


def test_histograms_take_the_stds_the_caller_has(rng):
    from dlcourse.metrics import finite_std

    arrays = _layers(rng)
    art = activation_histograms(Figure().add_subplot(), arrays)
    computed = art.stds.copy()
    art.update(arrays, [finite_std(a) for a in arrays])
    np.testing.assert_array_equal(art.stds, computed)
    assert art.texts[0].get_text() == readout(computed[0])
    with pytest.raises(ValueError, match="3 arrays but 2 stds"):
        art.update(arrays, computed[:2])


@pytest.mark.parametrize(
    "value,text",
    [
        (0.625, "0.625"),
        (0.00188, "0.00188"),
        (12.5, "12.5"),
        (9999.0, "1e4"),
        (1.88e-05, "1.88e−5"),
        (8e-4, "8e−4"),
        (3e7, "3e7"),
        (-2.5e-6, "−2.5e−6"),
        (0.0, "0"),
        (np.inf, "inf"),
    ],
)
def test_readout_is_short_and_reads_as_the_value(value, text):
    assert readout(value) == text
    assert len(readout(value)) <= 8
    if np.isfinite(value):  # the text, read back, is the value to 3 significant digits
        assert float(text.replace("−", "-")) == pytest.approx(value, rel=5e-3)


@pytest.mark.parametrize("epochs", [5, 60, 100, 500])
def test_a_finished_run_fills_its_x_axis(epochs):
    ax = Figure().add_subplot()
    cost_curves(ax, {"loss": np.linspace(1, 0.1, epochs), "val_loss": np.linspace(1, 0.2, epochs)})
    end = ax.get_xlim()[1]
    assert epochs <= end <= epochs + 0.5  # no empty part beyond the last epoch


def test_moving_decades_keep_the_window_while_the_values_shift_by_decades():
    ax = Figure().add_subplot()
    a, g = np.geomspace(0.6, 0.2, 10), np.geomspace(9e-5, 2e-4, 10)
    art = std_by_layer(ax, {"activations": a, "gradients": g}, moving_decades=True)
    window, ticks = ax.get_ylim(), list(ax.get_yticks())
    for name, values in (("activations", a), ("gradients", g)):  # log10(value) - top
        np.testing.assert_allclose(art.lines[name].get_ydata(), np.log10(values) - art.top)
    assert window == (-art.span, 0) and art.span == 8  # 3 x 0.6 .. 9e-5 / 3: 6 decades
    lo, hi = (np.log10(v) - art.top for v in (g.min(), a.max()))
    assert -art.span < lo and hi < 0  # inside, with room on both sides
    labels = {t.xy[1]: t.get_text() for t in art.decade_texts if t.get_visible()}
    assert labels == {y: readout(10.0 ** (art.top + y)) for y in ticks}
    art.update({"activations": a, "gradients": 10 * g})  # a decade up: the window stays
    assert (ax.get_ylim(), list(ax.get_yticks())) == (window, ticks)
    np.testing.assert_allclose(art.lines["gradients"].get_ydata(), np.log10(10 * g) - art.top)
    assert set(art.decade_texts) <= set(art.moving)
    art.update({"activations": a, "gradients": 1e-6 * g})  # far more decades: a new window
    assert art.span == 16 and ax.get_ylim() == (-16, 0)
