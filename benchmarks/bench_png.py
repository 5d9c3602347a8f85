"""PNG encoding of dashboard frames: :func:`dlcourse.widgets.png.encode_png` against Pillow.

Every dashboard's last frame (the PNG its Image holds, decoded) is encoded ``--repeats``
times by Pillow (``compress_level=1``, what the frames used before) and by ``encode_png``
(filter type 0, zlib level 1). Printed per dashboard: the median ms of each, their ratio
(Pillow / ours, measured in this process), both sizes in KB, and whether Pillow decodes our
PNG to exactly the same pixels.

    python benchmarks/bench_png.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import dlcourse.widgets as widgets  # noqa: E402
from dlcourse.widgets.png import encode_png  # noqa: E402


def _pillow(pixels: np.ndarray) -> bytes:
    with io.BytesIO() as png:
        Image.fromarray(pixels).save(png, format="png", compress_level=1)
        return png.getvalue()


def _median_ms(fn, pixels: np.ndarray, repeats: int) -> tuple[float, bytes]:
    out = fn(pixels)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn(pixels)
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    print(
        f"{'dashboard':26s} {'pixels':>10s} {'Pillow ms':>10s} {'ours ms':>8s} "
        f"{'ratio':>6s} {'Pillow KB':>10s} {'ours KB':>8s}  same pixels"
    )
    for name in widgets._DASHBOARDS:
        dashboard = getattr(widgets, name)()
        dashboard.view  # its first frame
        pixels = np.asarray(Image.open(io.BytesIO(dashboard.image.value)))  # its last frame
        slow, theirs = _median_ms(_pillow, pixels, args.repeats)
        fast, ours = _median_ms(encode_png, pixels, args.repeats)
        same = np.array_equal(np.asarray(Image.open(io.BytesIO(ours))), pixels)
        h, w = pixels.shape[:2]
        print(
            f"{name:26s} {f'{w}x{h}':>10s} {slow:10.1f} {fast:8.1f} {slow / fast:6.2f} "
            f"{len(theirs) / 1024:10.0f} {len(ours) / 1024:8.0f}  {same}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
