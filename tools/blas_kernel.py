"""Which BLAS kernel is in use, for CI's two nbval passes.

    python tools/blas_kernel.py            # print threadpoolctl's view (internal_api, architecture, threads)
    python tools/blas_kernel.py --second   # the OPENBLAS_CORETYPE for the second pass

The second pass forces a kernel other than the machine's default: Haswell, unless the default
already is Haswell (then SandyBridge: AVX without FMA, so sums round differently). numpy and
scipy are imported first so that threadpoolctl sees their OpenBLAS.
"""

from __future__ import annotations

import os
import sys

import numpy  # noqa: F401  (loads numpy's OpenBLAS)
import scipy.linalg  # noqa: F401  (loads scipy's OpenBLAS)
from threadpoolctl import threadpool_info


def blas_libraries() -> list[dict]:
    return [i for i in threadpool_info() if i.get("user_api") == "blas"]


def second_coretype() -> str:
    """A kernel that differs from what OpenBLAS picks here by itself."""
    default = {str(i.get("architecture", "")).lower() for i in blas_libraries()}
    return "SandyBridge" if "haswell" in default else "Haswell"


def main(argv: list[str]) -> int:
    if "--second" in argv:
        if os.environ.get("OPENBLAS_CORETYPE"):
            print("unset OPENBLAS_CORETYPE to ask for the second kernel", file=sys.stderr)
            return 2
        print(second_coretype())
        return 0
    forced = os.environ.get("OPENBLAS_CORETYPE", "(default)")
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "(default)")
    print(f"BLAS with OPENBLAS_CORETYPE={forced} OPENBLAS_NUM_THREADS={threads}:")
    for lib in blas_libraries():
        print(
            f"  {lib.get('internal_api')} {lib.get('version')} architecture="
            f"{lib.get('architecture')} num_threads={lib.get('num_threads')} "
            f"({os.path.basename(lib.get('filepath', ''))})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
