"""Optimizers (SGD, Momentum, AdaGrad, RMSProp, Adam) and learning-rate schedules."""

from .._checks import check_choice
from . import schedules
from .optimizers import SGD, AdaGrad, Adam, Momentum, Optimizer, RMSProp

#: the names :func:`create` accepts, in the order dashboards list them
NAMES = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam")


def create(
    name: str, params, lr: float, beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999
) -> Optimizer:
    """The optimizer called ``name`` with the course's hyperparameters:

    sgd (plain), momentum (EWA form, beta), nesterov (Nesterov momentum with the step of the
    EWA form: ``SGD(lr * (1 - beta), momentum=beta, nesterov=True)``; plain SGD when
    beta = 0), rmsprop (beta), adagrad, adam (beta1, beta2).
    """
    check_choice("optimizer", name, NAMES)
    if name == "sgd" or (name == "nesterov" and beta == 0):
        return SGD(params, lr)
    if name == "momentum":
        return Momentum(params, lr, beta=beta)
    if name == "nesterov":
        return SGD(params, lr * (1.0 - beta), momentum=beta, nesterov=True)
    if name == "rmsprop":
        return RMSProp(params, lr, beta=beta)
    if name == "adagrad":
        return AdaGrad(params, lr)
    return Adam(params, lr, beta1=beta1, beta2=beta2)


__all__ = [
    "NAMES",
    "SGD",
    "AdaGrad",
    "Adam",
    "Momentum",
    "Optimizer",
    "RMSProp",
    "create",
    "schedules",
]
