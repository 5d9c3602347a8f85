"""Layer.state_dict / load_state_dict: the arrays of a model by name, copied out and back."""

import numpy as np
import pytest

import dlcourse as dl


def mlp(seed=0):
    return dl.Sequential(
        [
            dl.Dense(3, 5, rng=seed),
            dl.BatchNorm(5),
            dl.ReLU(),
            dl.Dropout(0.2),
            dl.Dense(5, 2, rng=seed + 1),
        ]
    )


def test_names_order_and_copies():
    model = mlp()
    state = model.state_dict()
    assert list(state) == [
        "0.W",
        "0.b",
        "1.gamma",
        "1.beta",
        "4.W",
        "4.b",
        "1.running_mean",
        "1.running_var",
    ]
    assert state["0.W"] is not model[0].W.value
    np.testing.assert_array_equal(state["0.W"], model[0].W.value)
    state["0.W"][...] = 7.0  # a copy: the model is untouched
    assert not np.any(model[0].W.value == 7.0)
    assert list(dl.Dense(2, 2, bias=False).state_dict()) == ["W"]
    assert dl.ReLU().state_dict() == {}


def test_round_trip_restores_in_place_and_training_resumes():
    X = np.random.default_rng(0).standard_normal((16, 3))
    y = np.arange(16) % 2
    model, loss = mlp(), dl.SoftmaxCrossEntropy()
    opt = dl.optim.Adam(model.parameters(), lr=0.05)
    saved = model.state_dict()
    W = model[0].W.value
    dl.fit(model, X, y, loss, opt, epochs=3)
    assert not np.array_equal(model[0].W.value, saved["0.W"])
    assert not np.array_equal(model[1].running_mean, saved["1.running_mean"])
    result = model.load_state_dict(saved)
    assert result == ([], []) and result.missing == [] and result.unexpected == []
    assert model[0].W.value is W  # in place: the optimizer still holds it
    for name, array in model.state_dict().items():
        assert array.tobytes() == saved[name].tobytes(), name
    other = mlp(seed=9)
    other.load_state_dict(saved)
    assert np.array_equal(other.predict(X), model.predict(X))


def test_mismatches_are_reported_and_nothing_is_written():
    model = mlp()
    before = model.state_dict()
    state = dict(before)
    state.pop("4.b")
    state["9.W"] = np.zeros(1)
    with pytest.raises(ValueError, match=r"missing \['4.b'\], unexpected \['9.W'\]"):
        model.load_state_dict(state)
    bad = {**before, "0.W": np.zeros((5, 4)), "1.gamma": np.full(5, 3.0)}
    with pytest.raises(
        ValueError,
        match=r"'0.W' is float64\[5, 4\] in the state but "
        r"float64\[5, 3\] in the model",
    ):
        model.load_state_dict(bad)
    assert np.all(model[1].gamma.value == 1.0)  # nothing half-loaded
    partial = {"0.W": np.ones((5, 3)), "extra": np.zeros(2)}
    result = model.load_state_dict(partial, strict=False)
    assert result.unexpected == ["extra"] and "4.W" in result.missing
    assert np.all(model[0].W.value == 1.0)
    with pytest.raises(ValueError, match="'0.W'"):
        model.load_state_dict({"0.W": np.ones(3)}, strict=False)  # shapes are always checked


def test_layernorm_round_trip(tmp_path):
    X = np.random.default_rng(1).standard_normal((12, 3))
    y = np.arange(12) % 2

    def net(seed):
        return dl.Sequential([dl.Dense(3, 4, rng=seed), dl.LayerNorm(4), dl.Dense(4, 2, rng=seed)])

    model = net(0)
    opt = dl.optim.Adam(model.parameters(), lr=0.05)
    dl.fit(model, X, y, dl.SoftmaxCrossEntropy(), opt, epochs=3)
    assert not np.all(model[1].gamma.value == 1.0)  # training moved gamma
    assert list(model.state_dict()) == ["0.W", "0.b", "1.gamma", "1.beta", "2.W", "2.b"]
    path = tmp_path / "ln.npz"
    dl.save(model, path)
    other = net(5)
    dl.load(other, path)
    for name, array in other.state_dict().items():
        assert array.tobytes() == model.state_dict()[name].tobytes(), name
    assert np.array_equal(other.predict(X), model.predict(X))


def test_values_are_cast_to_the_model_dtype():
    model = dl.Dense(2, 2, dtype=np.float32)
    model.load_state_dict({"W": np.full((2, 2), 0.5), "b": np.zeros(2)})
    assert model.W.value.dtype == np.float32 and np.all(model.W.value == 0.5)


def test_a_custom_layer_takes_part():
    class Scale(dl.Layer):
        _params = ("a",)
        _buffers = ("calls",)

        def __init__(self):
            self.a = dl.Parameter(np.ones(2))
            self.calls = np.zeros(1)

    layer = Scale()
    layer.load_state_dict({"a": np.array([2.0, 3.0]), "calls": np.array([4.0])})
    assert layer.state_dict()["a"].tolist() == [2.0, 3.0] and layer.calls[0] == 4.0


def test_saved_file_keeps_the_state_dict_names(tmp_path):
    model = mlp()
    path = tmp_path / "m.npz"
    dl.save(model, path)
    with np.load(path) as data:
        assert sorted(data.files) == sorted(model.state_dict())
    np.savez(path, **{k: v.astype(np.float32) for k, v in model.state_dict().items()})
    with pytest.raises(
        ValueError,
        match=r"'0.W' is float32\[5, 3\] in the file but "
        r"float64\[5, 3\] in the model",
    ):
        dl.load(model, path)  # a file must match exactly
