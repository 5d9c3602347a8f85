import os

# Small matrix products are ~100x slower when OpenBLAS threads compete for two busy cores;
# one thread per process (tests and the notebooks' kernels, which inherit it) keeps them fast.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pytest


@pytest.fixture(autouse=True, scope="session")
def one_blas_thread():
    """The same limit for this process, where numpy may have been imported before the
    variable was set (threadpoolctl changes it at run time)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the environment variable alone then
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
