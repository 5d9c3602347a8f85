"""Build the two editions of every notebook from the instructor source.

    python tools/build_editions.py              # execute source/*.ipynb, regenerate + execute notebooks/
    python tools/build_editions.py 03 05        # only the notebooks whose names start with 03 or 05
    python tools/build_editions.py --check      # drift check: does notebooks/ match what source/ generates?

``source/NN_topic.ipynb`` is what instructors edit: each exercise's solution sits between
``### BEGIN SOLUTION`` and ``### END SOLUTION``. The learner edition ``notebooks/NN_topic.ipynb``
is generated from it by nbgrader's own ``ClearSolutions`` preprocessor (the solution becomes
``raise NotImplementedError()``), then executed, so it is committed with its outputs.
The drift check compares the cells' sources and metadata only: nbval checks the outputs.
"""

from __future__ import annotations

import argparse
import copy
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader.preprocessors import ClearSolutions

ROOT = Path(__file__).resolve().parents[1]
SOURCE, LEARNER = ROOT / "source", ROOT / "notebooks"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def learner_edition(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without its solutions (nbgrader's ClearSolutions), outputs cleared."""
    nb = copy.deepcopy(nb)
    clear = ClearSolutions(enforce_metadata=False, code_stub={"python": STUB})
    nb, _ = clear.preprocess(nb, {"language": "python"})
    for cell in nb.cells:
        cell.metadata.get("jupyter", {}).pop("source_hidden", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


def _strip_timing(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def build(path: Path, execute_source: bool = True) -> str:
    nb = nbformat.read(path, as_version=4)
    if execute_source:
        execute(nb, SOURCE)
        _strip_timing(nb)
        nbformat.write(nb, path)
    learner = execute(learner_edition(nb), LEARNER)
    _strip_timing(learner)
    nbformat.write(learner, LEARNER / path.name)
    return path.name


def _signature(nb: nbformat.NotebookNode) -> list:
    return [
        (c.cell_type, c.source, {k: v for k, v in c.metadata.items() if k != "execution"})
        for c in nb.cells
    ]


def drift(paths: list[Path]) -> list[str]:
    """Names of learner notebooks whose cells differ from what their source generates."""
    stale = []
    for path in paths:
        committed = LEARNER / path.name
        expected = learner_edition(nbformat.read(path, as_version=4))
        if not committed.exists() or _signature(
            nbformat.read(committed, as_version=4)
        ) != _signature(expected):
            stale.append(path.name)
    extra = {p.name for p in LEARNER.glob("*.ipynb")} - {p.name for p in SOURCE.glob("*.ipynb")}
    return stale + sorted(extra)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("prefixes", nargs="*", help="notebook name prefixes (default: all)")
    parser.add_argument(
        "--check", action="store_true", help="only check notebooks/ against source/"
    )
    parser.add_argument(
        "--no-execute-source",
        action="store_true",
        help="keep source/ outputs as they are; regenerate notebooks/ only",
    )
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    paths = sorted(
        p
        for p in SOURCE.glob("*.ipynb")
        if not args.prefixes or any(p.name.startswith(x) for x in args.prefixes)
    )
    if args.check:
        stale = drift(paths)
        for name in stale:
            print(
                f"notebooks/{name} differs from what source/{name} generates: "
                f"run python tools/build_editions.py {name[:2]}"
            )
        return 1 if stale else 0
    with ProcessPoolExecutor(args.jobs) as pool:
        for name in pool.map(build, paths, [not args.no_execute_source] * len(paths)):
            print(f"built source/{name} and notebooks/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
