"""DigitsExplorer, driven headlessly through its real ipywidgets."""

import json
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pytest

import dlcourse as dl
from dlcourse.datasets import digits_split
from dlcourse.experiments.digits import digits_model, train_digits
from dlcourse.metrics import confusion_counts
from dlcourse.plots.display import figure_png
from dlcourse.widgets.digits_explorer import DigitsExplorer

FAST = {"epochs": 2}


def test_split_is_standardised_and_read_only():
    X, Xv, y, yv = digits_split(0)
    assert X.shape == (1348, 64) and Xv.shape == (449, 64)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    with pytest.raises(ValueError):
        X[0, 0] = 1.0


def test_models():
    assert [type(l) for l in digits_model(0)] == [dl.Dense]
    assert [type(l) for l in digits_model(16)] == [dl.Dense, dl.ReLU, dl.Dense]
    assert digits_model(16)[0].out_features == 16


def test_softmax_regression_beats_90_percent_and_matches_a_direct_computation():
    dash = DigitsExplorer(epochs=10)
    assert dash.message == "" and dash.val_accuracy > 0.9
    X, Xv, y, yv = digits_split(0)
    model = dl.Sequential([dl.Dense(64, 10, init="xavier", rng=np.random.default_rng(0))])
    h = dl.fit(
        model,
        X,
        y,
        dl.SoftmaxCrossEntropy(),
        dl.optim.Adam(model.parameters(), 0.01),
        epochs=10,
        batch_size=64,
        validation=(Xv, yv),
        seed=0,
    )
    np.testing.assert_array_equal(dash.history.loss, h.loss)
    pred = model.forward(Xv, training=False).argmax(axis=1)
    np.testing.assert_array_equal(dash.predictions, pred)
    np.testing.assert_array_equal(dash.confusion, confusion_counts(yv, pred, 10))
    assert dash.confusion.sum() == len(yv)
    assert dash.val_accuracy == pytest.approx(np.trace(dash.confusion) / len(yv))
    assert "softmax regression" in dash.cm_title.get_text()
    plt.close(dash.figure)


def test_controls_retrain_and_normalize_shows_fractions():
    dash = DigitsExplorer(**FAST)
    dash.controls["hidden"].value = 16
    assert len(dash.model) == 3
    dash.controls["normalize"].value = True
    np.testing.assert_allclose(dash.cm.matrix.sum(axis=1), 1.0)
    assert dash.cm.texts[0][0].get_text().startswith(("0.", "1."))
    plt.close(dash.figure)


def test_extremes_give_a_plot_or_a_message():
    dash = DigitsExplorer(**FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # but not a library's own deprecations (matplotlib 3.8.0 parsing math text with
        # a newer pyparsing): a learner never sees those (Dashboard.guard drops them)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(?!dlcourse)")
        for name, widget in dash.controls.items():
            if name == "epochs":
                continue
            values = (
                [widget.base**widget.min, widget.base**widget.max]
                if isinstance(widget, W.FloatLogSlider)
                else [True, False]
                if isinstance(widget, W.Checkbox)
                else [widget.options[0], widget.options[-1]]
            )
            for value in values:
                widget.value = value
                figure_png(dash.figure, dpi=30)
                assert isinstance(dash.message, str)
    plt.close(dash.figure)


def test_bad_keywords():
    with pytest.raises(ValueError, match="unknown hidden 7; valid: 0, 8, 16, 32, 64"):
        DigitsExplorer(hidden=7)
    with pytest.raises(ValueError, match=r"lr must be in \[0.0001, 1\], got 5.0"):
        DigitsExplorer(lr=5.0)
    with pytest.raises(ValueError, match=r"epochs must be in \[1, 60\], got 100"):
        DigitsExplorer(epochs=100)


def test_config_round_trip():
    a = DigitsExplorer(hidden=8, epochs=3, l2=1.0)
    cfg = a.config
    assert json.loads(json.dumps(cfg)) == cfg
    b = DigitsExplorer(**FAST)
    b.set_config(cfg)
    np.testing.assert_array_equal(a.history.loss, b.history.loss)
    np.testing.assert_array_equal(a.confusion, b.confusion)
    plt.close(a.figure)
    plt.close(b.figure)


def test_train_digits_and_no_figure_leak():
    model, h = train_digits(0, 0.01, 2)
    assert len(h.loss) == 2
    before = plt.get_fignums()
    dash = DigitsExplorer(**FAST)
    dash.update()
    assert len(plt.get_fignums()) <= len(before) + 1
    plt.close(dash.figure)
