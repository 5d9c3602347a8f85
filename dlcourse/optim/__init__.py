"""Optimizers (SGD, Momentum, AdaGrad, RMSProp, Adam) and learning-rate schedules."""
from . import schedules
from .optimizers import SGD, AdaGrad, Adam, Momentum, Optimizer, RMSProp

OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adagrad": AdaGrad, "rmsprop": RMSProp,
              "adam": Adam}

__all__ = ["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "Optimizer", "schedules",
           "OPTIMIZERS"]
