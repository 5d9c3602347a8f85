import os

# Small matrix products are ~100x slower when OpenBLAS threads compete for two busy cores;
# one thread per process (tests and the notebooks' kernels, which inherit it) keeps them fast.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
