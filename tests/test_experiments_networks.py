"""experiments.networks.mlp: the one builder reproduces the builders it replaced, draw for
draw, and follows dl.seed when rng=None."""

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.experiments.networks import hidden_layers, mlp


def weights(model):
    return [p.value.copy() for p in model.parameters()]


def by_hand(n_in, hidden, n_out, activation, init, scale, batch_norm, dropout, rng):
    """The loop every builder site used to write (training.build_network, bn_mlp, ...)."""
    layers, prev = [], n_in
    for width in hidden:
        layers.append(dl.Dense(prev, width, init=init, bias=not batch_norm, rng=rng, scale=scale))
        if batch_norm:
            layers.append(dl.BatchNorm(width))
        layers.append(dl.get_activation(activation))
        if dropout:
            layers.append(dl.Dropout(dropout, rng=rng))
        prev = width
    layers.append(dl.Dense(prev, n_out, init=init, rng=rng, scale=scale))
    return dl.Sequential(layers)


@pytest.mark.parametrize(
    "init,scale,bn,dropout",
    [
        ("he", None, False, 0.0),
        ("xavier", 1.5, False, 0.0),
        ("random", 0.01, False, 0.5),
        ("he", 2.0, True, 0.0),
        ("zeros", None, False, 0.0),
    ],
)
def test_mlp_draws_exactly_what_the_hand_written_loop_drew(init, scale, bn, dropout):
    got = mlp(
        3,
        [5, 4],
        2,
        "tanh",
        init,
        scale,
        batch_norm=bn,
        dropout=dropout,
        rng=np.random.default_rng(7),
    )
    want = by_hand(3, [5, 4], 2, "tanh", init, scale, bn, dropout, np.random.default_rng(7))
    assert [type(l) for l in got] == [type(l) for l in want]
    for a, b in zip(weights(got), weights(want)):
        np.testing.assert_array_equal(a, b)


def test_structure_bias_and_linear_model():
    net = mlp(2, [8], 3, batch_norm=True)
    assert [type(l).__name__ for l in net] == ["Dense", "BatchNorm", "ReLU", "Dense"]
    assert net[0].b is None and net[-1].b is not None
    assert all(l.b is None for l in mlp(2, [8, 8], 3, bias=False) if isinstance(l, dl.Dense))
    linear = mlp(4, (), 3, rng=0)
    assert [type(l) for l in linear] == [dl.Dense] and linear[0].W.shape == (3, 4)
    assert mlp(2, 6, 2, rng=0)[0].W.shape == (6, 2)
    assert mlp(2, [4], 2, dtype=np.float32, rng=0)[0].W.dtype == np.float32
    with pytest.raises(ValueError, match="hidden"):
        mlp(2, [0], 2)
    with pytest.raises(ValueError, match="activation"):
        mlp(2, [3], 2, activation="swish")


def test_rng_none_follows_dl_seed():
    dl.seed(11)
    a = weights(mlp(2, [4], 2))
    dl.seed(11)
    b = weights(mlp(2, [4], 2))
    c = weights(mlp(2, [4], 2))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])


def test_debug_network_follows_dl_seed():
    from dlcourse.experiments.debug_run import debug_network

    dl.seed(3)
    a = weights(debug_network(1.0))
    dl.seed(3)
    b = weights(debug_network(1.0))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_hidden_layers_share_the_generator_with_a_later_output_layer():
    gen = np.random.default_rng(0)
    layers = hidden_layers(3, [4], "relu", "he", rng=gen)
    out = dl.Dense(4, 2, init="xavier", rng=gen)
    ref = np.random.default_rng(0)
    np.testing.assert_array_equal(layers[0].W.value, dl.Dense(3, 4, init="he", rng=ref).W.value)
    np.testing.assert_array_equal(out.W.value, dl.Dense(4, 2, init="xavier", rng=ref).W.value)


def test_digits_split_is_cached_read_only_and_standardised():
    from dlcourse.datasets import digits_split

    X, Xv, y, _ = digits_split(0)
    assert digits_split(0)[0] is X and not X.flags.writeable
    np.testing.assert_allclose(X.mean(axis=0)[X.std(axis=0) > 0], 0.0, atol=1e-12)
    raw = digits_split(0, standardize=False)
    np.testing.assert_array_equal(raw[2], y)
    assert raw[0].max() == 16.0 and len(X) + len(Xv) == 1797
    with pytest.raises(TypeError, match="standardize"):
        digits_split(0, standardize="yes")
