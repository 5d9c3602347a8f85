r"""Transfer learning: pre-train a network on one task, then fine-tune it on another.

A classifier is a *body* (every layer but the last: it turns an input into features) and a
*head* (the last Dense layer: features -> C logits). To reuse a network trained on task A
for a task B with C_B classes:

1. copy it, and replace its head by a new Dense(n_features, C_B) with fresh weights
   (:func:`replace_head`);
2. train on B's examples, either only the head (*frozen body*: pass only the head's
   parameters to the optimizer, :func:`head_parameters`, so the body's weights never
   change although their gradients are computed) or every layer from the pre-trained
   weights (*fine-tuning*: all parameters, usually with a smaller learning rate);
   :func:`trainable_parameters` gives the parameters of the layers from a chosen index on.

:func:`transfer_recipe` is the whole recipe: replace the head (``Dense(n_features, C_B,
"xavier", rng=seed)``), train it alone on a frozen body with Adam(``lr``) for
``head_epochs`` full-batch epochs, then fine-tune a copy of that network, every layer, with
Adam(``lr / 10``) for ``tune_epochs`` epochs; it returns both networks and changes neither
the pre-trained network nor each other.

Data helpers for such experiments: :func:`select_classes` keeps the examples of some
classes and renumbers them 0..k-1; :func:`few_per_class` draws k examples of each class.
"""

from __future__ import annotations

import copy
from typing import Sequence

import numpy as np

from .._checks import check_finite, check_int
from ..layers import Dense, Sequential
from ..parameter import Parameter
from ..rng import as_generator

__all__ = [
    "clone",
    "replace_head",
    "head_parameters",
    "body_parameters",
    "trainable_parameters",
    "select_classes",
    "few_per_class",
    "transfer_recipe",
]


def _check_sequential(model) -> Sequential:
    if not isinstance(model, Sequential) or len(model) == 0:
        raise TypeError(f"model must be a non-empty dl.Sequential, got {model!r}")
    if not isinstance(model[-1], Dense):
        raise TypeError(f"model's last layer must be a Dense head, got {model[-1]!r}")
    return model


def clone(model):
    """An independent copy: same weights and buffers, its own arrays (training the copy
    leaves the original unchanged)."""
    return copy.deepcopy(model)


def replace_head(model, n_out: int, init="xavier", rng=None) -> Sequential:
    """A new network: copies of every layer of ``model`` but the last, then a fresh
    ``Dense(n_features, n_out, init, rng)`` head, where n_features is the old head's
    ``in_features``. ``model`` itself is not changed."""
    model = _check_sequential(model)
    n_out = check_int("n_out", n_out, minimum=1)
    old_head = model[-1]
    body = [copy.deepcopy(layer) for layer in model.layers_list[:-1]]
    head = Dense(
        old_head.in_features,
        n_out,
        init=init,
        bias=old_head.b is not None,
        dtype=old_head.W.dtype,
        rng=rng,
    )
    return Sequential(body + [head])


def head_parameters(model) -> list[Parameter]:
    """The parameters of the last layer only: give these to the optimizer to train the
    head on a frozen body."""
    return _check_sequential(model)[-1].parameters()


def body_parameters(model) -> list[Parameter]:
    """The parameters of every layer but the last."""
    model = _check_sequential(model)
    return [p for layer in model.layers_list[:-1] for p in layer.parameters()]


def trainable_parameters(model, frozen_layers: int = 0) -> list[Parameter]:
    """The parameters of ``model[frozen_layers:]``: the first ``frozen_layers`` layers
    (activations count as layers) stay as they are when only these go to the optimizer.
    ``frozen_layers = 0`` gives every parameter."""
    model = _check_sequential(model)
    frozen_layers = check_int("frozen_layers", frozen_layers, minimum=0)
    if frozen_layers >= len(model):
        raise ValueError(
            f"frozen_layers must be < the number of layers ({len(model)}) so "
            f"that something is trained, got {frozen_layers}"
        )
    return [p for layer in model.layers_list[frozen_layers:] for p in layer.parameters()]


def select_classes(X, y, classes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The examples whose label is in ``classes``, relabelled by position:
    label ``classes[k]`` becomes k. Returns (X_sub, y_sub) in the original order."""
    X = check_finite("X", X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}")
    classes = [int(c) for c in classes]
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f"classes must be a non-empty list of distinct labels, got {classes}")
    missing = [c for c in classes if not np.any(y == c)]
    if missing:
        raise ValueError(f"classes {missing} have no example in y")
    keep = np.isin(y, classes)
    relabel = {c: k for k, c in enumerate(classes)}
    return X[keep], np.array([relabel[int(v)] for v in y[keep]], dtype=np.int64)


def few_per_class(y, k: int, rng=None) -> np.ndarray:
    """Indices of ``k`` examples of each class present in ``y``, drawn without replacement
    (``rng``: None, an int seed or a Generator), sorted by class then drawn order."""
    y = np.asarray(y)
    k = check_int("k", k, minimum=1)
    gen = as_generator(rng)
    out = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        if len(members) < k:
            raise ValueError(f"class {c} has only {len(members)} examples, fewer than k={k}")
        out.append(gen.choice(members, size=k, replace=False))
    return np.concatenate(out)


def transfer_recipe(
    pretrained,
    X,
    y,
    n_classes: int,
    lr: float,
    head_epochs: int,
    tune_epochs: int,
    seed: int,
) -> tuple[Sequential, Sequential]:
    """(head only, fine-tuned): the recipe of the module docstring, on (X, y) full batch."""
    from ..losses import SoftmaxCrossEntropy
    from ..optim import Adam
    from ..train import fit

    head_only = replace_head(pretrained, n_classes, rng=seed)
    fit(head_only, X, y, SoftmaxCrossEntropy(), Adam(head_parameters(head_only), lr), head_epochs)
    tuned = clone(head_only)
    fit(tuned, X, y, SoftmaxCrossEntropy(), Adam(tuned.parameters(), lr / 10), tune_epochs)
    return head_only, tuned
