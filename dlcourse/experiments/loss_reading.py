"""The names notebook 13 used before the loss-curve verdict and CS231n's babysitting checks
moved into :mod:`dlcourse.topics.babysit`, kept so that old imports still work:
``diagnose_run(losses, n_classes)`` is :func:`~dlcourse.topics.babysit.diagnose_loss_curve`
(one function: the rules live there), and :func:`regularized_initial_loss` and
:func:`update_ratios` are babysit's own.
"""

from __future__ import annotations

from ..topics.babysit import diagnose_loss_curve as diagnose_run
from ..topics.babysit import regularized_initial_loss, update_ratios

__all__ = ["diagnose_run", "regularized_initial_loss", "update_ratios"]
