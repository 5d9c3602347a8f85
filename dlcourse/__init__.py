"""dlcourse: the numpy package behind an interactive course on making deep networks train well.

    import dlcourse as dl
    model = dl.Sequential([dl.Dense(2, 16), dl.ReLU(), dl.Dense(16, 2)])
    history = dl.fit(model, X, y, loss=dl.SoftmaxCrossEntropy(),
                     optimizer=dl.optim.Adam(model.parameters(), lr=0.01), epochs=200)
"""
from . import autodiff, datasets, flat, init, optim, search, surfaces
from .topics import second_order
from .activations import ELU, LeakyReLU, ReLU, Sigmoid, Step, Tanh, get_activation
from .base import Layer
from .gradcheck import gradcheck, gradcheck_report, numerical_gradient, relative_error
from .io import load, save
from .layers import BatchNorm, Dense, Dropout, Sequential
from .losses import MSE, BinaryCrossEntropy, SoftmaxCrossEntropy, l2_penalty, softmax
from .parameter import Parameter
from .rng import seed
from .train import (Callback, DivergenceWarning, EarlyStopping, History, ProgressBar,
                    evaluate, fit)

__version__ = "0.1.0"

__all__ = [
    "Parameter", "seed", "Layer", "Dense", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "ELU", "Step",
    "Dropout", "BatchNorm", "Sequential", "get_activation", "SoftmaxCrossEntropy",
    "BinaryCrossEntropy", "MSE", "softmax", "l2_penalty", "optim", "init", "fit", "evaluate",
    "autodiff", "datasets", "flat", "search", "second_order", "surfaces",
    "History", "Callback", "EarlyStopping", "ProgressBar", "DivergenceWarning", "gradcheck",
    "gradcheck_report", "numerical_gradient", "relative_error", "save", "load",
]
