"""Notebook 09's noise-floor claims: floor ~ alpha with replacement, ~ alpha^2 with
reshuffling measured at epoch ends, over seeds."""

import numpy as np
import pytest

from dlcourse.experiments.noise_floor import floors
from dlcourse.exercises.schedules import Q_FLOOR

LRS = np.array([0.0025, 0.005, 0.01, 0.02, 0.04])


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_with_replacement_the_floor_is_proportional_to_alpha(seed):
    ratio = floors(LRS, "replacement", seeds=(seed,)) / LRS
    assert ratio.max() / ratio.min() < 1.6


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_with_reshuffling_the_floor_grows_much_faster(seed):
    f = floors(LRS, "reshuffle", seeds=(seed,))
    assert f[-1] / f[1] > 30  # 8 x alpha: tens of times the floor
    assert np.all(np.diff(f) > 0)
    assert Q_FLOOR.answer == "b"


def test_notebook_numbers_over_three_seeds():
    rep = floors(LRS, "replacement", seeds=(0, 1, 2))
    resh = floors(LRS, "reshuffle", seeds=(0, 1, 2))
    assert 6 < rep[-1] / rep[1] < 12 and 40 < resh[-1] / resh[1] < 80
