"""What Dashboard.guard makes of warnings: the learner's message, except deprecations."""

from __future__ import annotations

import warnings

import pytest

from dlcourse.widgets import EWAExplorer


@pytest.mark.parametrize(
    "category, shown",
    [
        (RuntimeWarning, True),
        (UserWarning, True),
        (DeprecationWarning, False),
        (PendingDeprecationWarning, False),
    ],
)
def test_a_warning_is_the_message_unless_it_is_a_deprecation(category, shown):
    dash = EWAExplorer()

    def compute():
        warnings.warn("overflow in exp", category, stacklevel=1)

    dash._compute = compute  # update() runs it through guard, as after a control move
    dash.update()
    assert (dash.message == "overflow in exp") is shown, dash.message
