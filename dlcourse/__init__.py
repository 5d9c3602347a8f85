"""dlcourse: the numpy package behind an interactive course on making deep networks train well.

import dlcourse as dl
model = dl.Sequential([dl.Dense(2, 16), dl.ReLU(), dl.Dense(16, 2)])
history = dl.fit(model, X, y, loss=dl.SoftmaxCrossEntropy(),
                 optimizer=dl.optim.Adam(model.parameters(), lr=0.01), epochs=200)
"""

from . import autodiff, datasets, flat, init, optim, search, surfaces
from .activations import ELU, LeakyReLU, ReLU, Sigmoid, Step, Tanh, get_activation
from .gradcheck import gradcheck, gradcheck_report, numerical_gradient, relative_error
from .io import load, save
from .layers import BatchNorm, Dense, Dropout, Layer, LayerNorm, Sequential
from .losses import MSE, BinaryCrossEntropy, SoftmaxCrossEntropy, l2_penalty, softmax
from .parameter import Parameter
from .rng import seed
from .topics import second_order
from .train import Callback, DivergenceWarning, EarlyStopping, History, ProgressBar, evaluate, fit

__version__ = "0.1.0"

__all__ = [
    "ELU",
    "MSE",
    "BatchNorm",
    "BinaryCrossEntropy",
    "Callback",
    "Dense",
    "DivergenceWarning",
    "Dropout",
    "EarlyStopping",
    "History",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Parameter",
    "ProgressBar",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SoftmaxCrossEntropy",
    "Step",
    "Tanh",
    "autodiff",
    "datasets",
    "evaluate",
    "fit",
    "flat",
    "get_activation",
    "gradcheck",
    "gradcheck_report",
    "init",
    "l2_penalty",
    "load",
    "numerical_gradient",
    "optim",
    "relative_error",
    "save",
    "search",
    "second_order",
    "seed",
    "softmax",
    "surfaces",
]
