"""CI's second nbval pass forces an OpenBLAS kernel: prove the notebooks' kernels really use it.

Skipped unless OPENBLAS_CORETYPE is set (.ci/run sets it for the second pass only)."""

import os
import subprocess
import sys

import pytest

FORCED = os.environ.get("OPENBLAS_CORETYPE")
pytestmark = pytest.mark.skipif(not FORCED, reason="OPENBLAS_CORETYPE not set: default-kernel pass")

PROBE = (
    "import numpy, scipy.linalg, threadpoolctl\n"
    "for i in threadpoolctl.threadpool_info():\n"
    "    if i['user_api'] == 'blas':\n"
    "        print(i['internal_api'], i['architecture'], i['num_threads'])\n"
)


def test_forced_kernel_is_in_use_in_a_child_process():
    """A child process inherits the environment as the notebooks' kernels do."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    libs = [line.split() for line in out if line]
    assert libs, "threadpoolctl found no BLAS library"
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    for api, architecture, num_threads in libs:
        assert api == "openblas"
        assert architecture.lower() == FORCED.lower(), (architecture, FORCED)
        if threads:
            assert num_threads == threads, (num_threads, threads)
