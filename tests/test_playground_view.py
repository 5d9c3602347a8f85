"""The Playground's view, headless: the problem switch and regression heat map, L1, the linear
activation, the stop epoch, "show test data" and "discretize output", a hidden unit shown
large, the readouts, controls hidden by the state string, own points from a CSV upload, the
challenges, the export, and every frame the same picture as a full redraw.

Setting ``widget.value`` fires the same callbacks as a change in the browser."""

from __future__ import annotations

import datetime
import io

import numpy as np
import pytest
from PIL import Image

import dlcourse as dl
from dlcourse.experiments import playground_challenges as pc
from dlcourse.experiments import playground_net as pn
from dlcourse.plots.playground import TILE_CMAP, link_geometry, tile_mosaic, value_image
from dlcourse.widgets.playground import Playground

GOOD_CSV = "x1,x2,label\n" + "\n".join(
    f"{x:.2f},{y:.2f},{int(x * y > 0)}" for x, y in np.random.default_rng(0).uniform(-1, 1, (40, 2))
)


@pytest.fixture
def pg():
    pg = Playground()
    pg.view  # frames are pushed from the time the view exists
    return pg


def _decoded(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _same_as_full_draw(pg: Playground, what: str) -> None:
    """The frame the Image holds is, pixel for pixel, a full redraw of the same state."""
    got = _decoded(pg.image.value)
    pg.view_agg.full_draw()
    want = pg.view_agg.pixels()
    bad = (got != want).any(axis=2)
    assert not bad.any(), f"{what}: {bad.mean():.2%} of pixels differ"


def _upload(pg: Playground, text: str) -> None:
    data = text.encode()
    pg.upload.value = (
        {
            "name": "points.csv",
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime.datetime.now(datetime.timezone.utc),
        },
    )


# ------------------------------------------------------------------ regression
def test_the_regression_state_opens_trains_and_draws_its_value():
    pg = Playground(state="d:gaussmix,p:regression,h:4,e:5")
    pg.view
    assert pg.message == "" and pg.run.epoch == 5 and pg.grid_probs.shape == (60, 60, 1)
    assert pg.controls["problem"].value == "regression"
    assert [v for _, v in pg.controls["dataset"].options] == list(pn.REGRESSION_SETS)
    scale = pg._key.key[1]
    assert pg._key.key == ("value", scale, "prediction") and scale >= np.abs(pg.run.y_train).max()
    np.testing.assert_array_equal(pg._image.get_array(), value_image(pg.grid_probs[..., 0], scale))
    assert "mean squared error" in pg.readout_label.value
    _same_as_full_draw(pg, "regression")


def test_the_problem_switch_takes_the_data_sets_of_the_problem(pg):
    before = pg.image.value
    pg.controls["problem"].value = "regression"
    assert pg.config["problem"] == "regression" and pg.config["dataset"] == "plane"
    assert pg.controls["dataset"].value == "plane" and pg.message == ""
    pg.controls["dataset"].value = "gaussmix"
    pg.train(3)
    assert pg.message == "" and pg.run.epoch == 3 and pg.image.value != before
    pg.controls["problem"].value = "classification"
    assert pg.config["dataset"] == pn.DATASETS[0] and pg._key.key == ("class", 2)
    assert [v for _, v in pg.controls["dataset"].options] == list(pn.DATASETS)


# ------------------------------------------------------------------ settings
def test_l1_is_live_and_shown_in_the_settings_strip(pg):
    pg.train(2)
    model = pg.run.model
    pg.controls["l1"].value = 0.01
    assert pg.run.setting("l1") == 0.01 and pg.run.model is model and pg.run.epoch == 2
    assert "L1 λ 0.01" in pg._cost_title.get_text()
    assert "l1:0.01" in pg.state


def test_the_strip_shows_lambda_unclipped_for_the_longest_settings(pg):
    """λ = 0.01 reads 0.01 (it read "λ 0"), and the longest strip fits inside its axes."""
    pg.controls["optimizer"].value = "adam"
    pg.controls["schedule"].value = "inverse_time"
    pg.controls["l2"].value = 0.0003
    pg.controls["l1"].value = 0.0001
    pg.controls["batch_size"].value = "full"
    text = pg._cost_title.get_text()
    assert "L2 λ 0.0003" in text and "L1 λ 0.0001" in text and "β₂ 0.999" in text
    pg.controls["l2"].value = 0.01
    assert "L2 λ 0.01" in pg._cost_title.get_text()
    renderer = pg.view_agg.canvas.get_renderer()
    box, strip = pg._cost_title.get_window_extent(renderer), pg._ax_info.bbox
    assert strip.x0 <= box.x0 and box.x1 <= strip.x1 and strip.y0 <= box.y0 and box.y1 <= strip.y1


def test_the_linear_activation_and_a_stop_epoch(pg):
    pg.controls["activation"].value = "linear"
    assert pg.config["activation"] == "linear" and pg.message == ""
    pg.controls["stop_epoch"].value = 4
    pg.train(10)
    assert pg.run.epoch == 4 and not pg._keep_playing()
    assert "stopped at epoch 4" in pg.message and not pg._note.get_visible()
    pg.controls["stop_epoch"].value = 6
    assert pg._keep_playing()


def test_batch_norm_with_a_batch_of_one_says_why(pg):
    pg.controls["batch_norm"].value = True
    pg.controls["batch_size"].value = 1  # a live setting
    assert "batch size 1" in pg.message and "is 0" in pg.message
    pg.controls["batch_size"].value = 10
    assert pg.message == ""


# ------------------------------------------------------------------ view switches
def test_show_test_data_hides_the_test_points(pg):
    shown = pg.image.value
    pg.show_test.value = False
    assert not any(line.get_visible() for line in pg._test_pts) and pg.image.value != shown
    _same_as_full_draw(pg, "test data hidden")
    pg.show_test.value = True
    assert pg.image.value == shown


@pytest.mark.parametrize("state, colours", [("d:spiral3,e:3", 3), ("d:plane,p:regression,e:3", 2)])
def test_discretize_output_shows_only_the_class_colours_or_the_sign(state, colours):
    pg = Playground(state=state)
    pg.view
    pg.discretize.value = True
    image = pg._image.get_array().reshape(-1, 3)
    assert len(np.unique(image.round(6), axis=0)) == colours
    _same_as_full_draw(pg, f"discretized {state}")


def test_a_hidden_unit_shown_large_with_its_weights(pg):
    pg.train(3)
    options = [v for _, v in pg.unit_choice.options]
    assert options == ["", "0.0", "0.1", "0.2", "0.3", "1.0", "1.1"]
    pg.unit_choice.value = "0.2"
    values = pg.run.unit_output(pn.grid_points(60), 0, 2).reshape(60, 60)
    kind, scale, name = pg._key.key
    assert (kind, name) == ("value", "layer 1, unit 3") and scale >= np.abs(values).max()
    np.testing.assert_array_equal(pg._image.get_array(), value_image(values, scale))
    W1, W2 = pg.run.model[0].W.value, pg.run.model[2].W.value
    text = pg.weights_label.value
    assert f"x₁ {W1[2, 0]:+.3g}" in text and f"{W2[0, 2]:+.3g}" in text and "bias" in text
    _same_as_full_draw(pg, "unit view")
    pg.controls["hidden"].value = [2]  # the unit is gone: the output is shown again
    assert pg.unit_choice.value == "" and pg._key.key == ("class", 2)
    assert pg.weights_label.value == ""


def test_tiles_have_a_frame_and_a_dead_unit_is_grey_not_white():
    maps = [np.zeros((1, 4, 4)), np.ones((1, 4, 4))]
    rgba = tile_mosaic(maps, (20, 40), tile=4, row=8, pitch=12)
    dead, live = rgba[5:9, 9:13], rgba[5:9, 21:25]
    assert np.allclose(dead, TILE_CMAP(0.5)) and not np.allclose(dead[..., :3], 1.0)
    assert np.allclose(live, TILE_CMAP(1.0))
    frame = rgba[4, 8:14]
    assert np.all(frame[:, 3] == 1) and np.all(frame[:, :3] < 0.7)  # a grey frame
    assert rgba[0, 0, 3] == 0  # outside the tiles: transparent


def test_weight_lines_one_per_weight_by_sign_and_size():
    W1 = np.array([[1.0, -2.0], [0.5, 0.0], [-4.0, 1.0]])  # 2 inputs -> 3 units
    W2 = np.array([[1.0, -1.0, 2.0]])  # 3 units -> the output
    segs, colors, widths = link_geometry([W1, W2], tile=30, row=40, pitch=50, end=(400, 160))
    assert len(segs) == 6 + 3 and all(s[1] == (400, 160) for s in segs[6:])
    assert segs[0] == [(39, 20), (59, 20)] and segs[1] == [(39, 60), (59, 20)]  # W1[0, 1]
    orange, blue = colors[0], colors[1]
    assert colors[:6] == [orange, blue, orange, blue, blue, orange]  # 0 counts as negative
    np.testing.assert_allclose(widths[:6], 0.3 + 2.7 * np.abs(W1).ravel() / 4.0)
    assert colors[6:] == [orange, blue, orange]


def test_the_readouts_count_the_test_points(pg):
    pg.controls["dataset"].value = "spiral3"
    pg.train(5)
    counts = pg.run.confusion_matrix()
    assert counts.shape == (3, 3)
    train, test = pg.run.accuracy()
    assert f"test <b>{test:.1%}</b>" in pg.readout_label.value
    assert all(f">{n}</td>" in pg.readout_label.value for n in counts.ravel())


# ------------------------------------------------------------------ a classroom link
def test_controls_named_in_the_hide_list_are_not_shown():
    pg = Playground(state="d:xor,hide:dataset.lr.data_seed")
    pg.view
    hidden = {n for n, w in pg.controls.items() if w.layout.display == "none"}
    assert hidden == {"dataset", "lr"} and pg.buttons["regenerate"].layout.display == "none"
    pg.set_state("d:xor,hide:features.hidden")
    assert pg._headings["features"].layout.display == "none" == pg.controls["hidden"].layout.display
    pg.set_state("d:xor")
    assert all(w.layout.display == "" for w in pg.controls.values())
    assert all(h.layout.display == "" for h in pg._headings.values())


# ------------------------------------------------------------------ own data
def test_a_good_csv_upload_becomes_the_data_set(pg):
    _upload(pg, GOOD_CSV)
    assert pg.message == "" and pg.config["dataset"] == "custom"
    assert len(pg.run.X_train) + len(pg.run.X_test) == 40
    assert "custom" in [v for _, v in pg.controls["dataset"].options]
    assert pg.controls["dataset"].value == "custom" and pg.upload.value == ()
    pg.train(2)
    assert pg.message == "" and pg.run.epoch == 2
    _same_as_full_draw(pg, "own points")


def test_a_regression_csv_upload_takes_values(pg):
    pg.controls["problem"].value = "regression"
    rows = np.random.default_rng(1).uniform(-1, 1, (30, 2))
    _upload(pg, "\n".join(f"{a:.3f},{b:.3f},{a - 0.5 * b:.3f}" for a, b in rows))
    assert pg.message == "" and pg.config["dataset"] == "custom"
    assert pg.run.y_train.dtype == float and pg._key.key[0] == "value"
    pg.train(3)
    assert pg.message == "" and "mean squared error" in pg.readout_label.value


def test_a_bad_csv_upload_names_each_bad_line_and_changes_nothing(pg):
    run = pg.run
    _upload(pg, "x1,x2,label\n0,0,1\n1,abc,0\n2,2\n" + "0.5,0.5,0\n" * 10)
    assert pg.run is run and pg.config["dataset"] == "circle"
    assert "line 3: x2 'abc' is not a number" in pg.message
    assert "line 4: a missing column" in pg.message
    assert "Traceback" not in pg._message_label.value and "line 3" in pg._message_label.value


# ------------------------------------------------------------------ challenges
def test_a_challenge_from_its_chooser_says_what_is_missing_then_done(pg):
    pg.challenge_choice.value = "features"
    c = pc.CHALLENGES["features"]
    assert pg.current_challenge is c and pg.state == c.start
    assert "not yet" in pg.challenge_verdict.value and "train the network" in str(pg.check())
    assert c.text[:30] in pg.challenge_text.value
    pg.feature_toggles["x1sq"].value = True
    pg.feature_toggles["x2sq"].value = True
    pg.train(500)  # the start state stops at the budget
    assert pg.run.epoch == 100 and pg.check().done and ">done<" in pg.challenge_verdict.value
    pg.controls["stop_epoch"].value = 0  # no stop: one epoch over the budget
    pg.train(1)
    assert "within 100" in pg.challenge_verdict.value


def test_a_challenge_link_opens_the_challenge_and_its_state(monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "challenge=zeros")
    pg = Playground()
    assert pg.current_challenge.name == "zeros" and pg.state == pc.CHALLENGES["zeros"].start
    monkeypatch.setenv("QUERY_STRING", "challenge=zeros&state=d:circle,h:4.4,e:100")
    pg = Playground()
    assert pg.run.epoch == 100 and pg.check().done and pg.challenge_choice.value == "zeros"
    monkeypatch.setenv("QUERY_STRING", "challenge=nothing")
    pg = Playground()
    assert "unknown challenge" in pg.message and pg.current_challenge is None


def test_challenge_from_a_notebook(pg):
    text = pg.challenge("regression")
    assert text == pc.CHALLENGES["regression"].text and pg.config["problem"] == "regression"
    assert not pg.check().done
    with pytest.raises(ValueError, match="unknown challenge"):
        pg.challenge("nothing")


# ------------------------------------------------------------------ export
@pytest.mark.parametrize("state", ["d:spiral3,h:3.2,e:4", "d:gaussmix,p:regression,h:5,e:4"])
def test_the_exported_code_gives_the_same_predictions(tmp_path, state):
    pg = Playground(state=state)
    pg.export_path = tmp_path / "weights.npz"
    pg.buttons["export"].click()
    code = pg.export_box.value
    assert pg.message == "" and pg.export_box.layout.display == "" and "dl.load" in code
    assert "weights.npz" in pg._export_note.value
    namespace: dict = {}
    exec(compile(code, "exported", "exec"), namespace)
    grid = pn.grid_points(9)
    F = pn.feature_matrix(grid, pg.config["features"])
    np.testing.assert_array_equal(
        namespace["model"].forward(F, training=False),
        pg.run.model.forward(F, training=False),
    )


def test_a_playground_opened_from_a_notebook_model():
    rng = np.random.default_rng(3)
    model = dl.Sequential([dl.Dense(2, 3, rng=rng), dl.ReLU(), dl.Dense(3, 1, rng=rng)])
    pg = Playground.from_model(model, dataset="xor")
    assert pg.config["hidden"] == [3] and pg.config["activation"] == "relu"
    assert list(pg.controls["hidden"].value) == [3] and pg.controls["dataset"].value == "xor"
    np.testing.assert_array_equal(pg.run.model[0].W.value, model[0].W.value)


# ------------------------------------------------------------------ never a traceback
def test_new_settings_in_combination_never_raise(pg):
    for i, (problem, act, l1) in enumerate(
        [(p, a, v) for p in pn.PROBLEMS for a in ("linear", "relu") for v in (0.0, 0.1)]
    ):
        pg.controls["problem"].value = problem
        pg.controls["activation"].value = act
        pg.controls["l1"].value = l1
        pg.unit_choice.value = "0.1" if i % 2 else ""
        pg.discretize.value = bool(i % 3)
        pg.train(2)
        assert "cannot" not in pg.message, (problem, act, l1, pg.message)
        assert np.all(np.isfinite(pg._image.get_array()))
    _same_as_full_draw(pg, "after the combinations")


# ------------------------------------------------------------------ frames while playing
def test_a_frame_is_pushed_once(pg):
    views = pg.view_agg
    before = views.blits + views.full_draws
    for _ in range(4):
        pg.guard(pg._frame_and_draw)  # as the play loop runs a frame
    assert views.blits + views.full_draws - before == 4 and pg.frames == 4


def test_the_network_panel_is_drawn_at_most_so_often_and_catches_up_on_pause(pg):
    pg.network_seconds = 1e9  # after the first frame, never while playing
    pg.guard(pg._frame_and_draw)
    tiles = pg._mosaic.get_array().copy()
    for _ in range(3):
        pg.guard(pg._frame_and_draw)
    assert np.array_equal(pg._mosaic.get_array(), tiles) and pg._network_stale
    _same_as_full_draw(pg, "a frame without the network panel")
    pg._show_playing()  # paused: the network panel shows the run's weights again
    assert not pg._network_stale and not np.array_equal(pg._mosaic.get_array(), tiles)
    _same_as_full_draw(pg, "paused")


def test_the_view_switches_travel_in_the_state_string_and_leave_the_run_alone(pg):
    pg.train(3)
    model = pg.run.model
    before = pg.png()
    pg.discretize.value = True
    assert pg.png() != before  # the heat map is redrawn in classes
    pg.show_test.value = False
    assert pg.run.model is model and pg.run.epoch == 3 and pg.message == ""
    assert pg.state == "d:circle,st:0,dz:1,e:3"  # still clean: the epoch is carried
    pg.set_state("d:xor,dz:1,hide:show_test")
    assert pg.discretize.value is True and pg.show_test.value is True
    assert pg.show_test.layout.display == "none" and pg.discretize.layout.display == ""
    assert pg.config["discretize"] is True and pg.config["hide"] == ["show_test"]
    with pytest.raises(TypeError, match="discretize must be True or False, got 'yes'"):
        Playground(discretize="yes")
