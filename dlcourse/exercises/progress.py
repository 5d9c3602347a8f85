"""A learner's progress in one call: every exercise of the saved notebooks, checked.

    import dlcourse.exercises
    dlcourse.exercises.progress()          # reads ./NN_*.ipynb (or ./notebooks/NN_*.ipynb)

For each notebook, an exercise is a code cell that calls ``check_<name>(fn)``; the learner's
``fn`` is the latest earlier cell that defines it. That cell runs in a fresh namespace after
the notebook's imports and function definitions from earlier cells (nothing else: no
training run is repeated), then the check runs on it. Reads the *saved* file: save the
notebook first. Never raises: a notebook that cannot be read, or a cell that cannot run, is
a row of the table saying so.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .catalog import topic_checks
from .grader import CheckResult

__all__ = ["Progress", "Row", "exercises_of", "progress"]

_CALL = re.compile(r"^\s*(?:print\()?\s*(?:\w+\.)?(check_\w+)\(\s*([A-Za-z_]\w*)\s*\)", re.M)
_NOTEBOOK = re.compile(r"^\d\d_.*\.ipynb$")


@dataclass(frozen=True)
class Row:
    """One exercise: where it is, and what its check says about the saved code."""

    notebook: str
    exercise: str
    status: str  # "correct", "not written yet", "not yet", "cannot run"
    message: str


@dataclass(frozen=True)
class Progress:
    """The table ``progress()`` returns; its repr is the table."""

    rows: tuple[Row, ...]

    @property
    def done(self) -> int:
        return sum(r.status == "correct" for r in self.rows)

    def __repr__(self) -> str:
        if not self.rows:
            return "progress: no exercises found (is this the notebooks folder?)"
        width_nb = max(len(r.notebook) for r in self.rows)
        width_ex = max(len(r.exercise) for r in self.rows)
        lines = [
            f"{'notebook':<{width_nb}}  {'exercise':<{width_ex}}  status",
            f"{'-' * width_nb}  {'-' * width_ex}  {'-' * 14}",
        ]
        lines += [
            f"{r.notebook:<{width_nb}}  {r.exercise:<{width_ex}}  {r.status}" for r in self.rows
        ]
        lines.append(f"{self.done} of {len(self.rows)} exercises correct")
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(repr(self))


def _code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code"
    ]


def _python(cell: str) -> str:
    """The cell without IPython magics and shell lines (they are not Python)."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in cell.splitlines()
    )


def _definitions(cell: str) -> str:
    """The cell's imports and function/class definitions only (cheap to re-run)."""
    try:
        tree = ast.parse(_python(cell))
    except SyntaxError:
        return ""
    keep = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    return "\n".join(ast.unparse(node) for node in tree.body if isinstance(node, keep))


def _defines(cell: str, name: str) -> bool:
    return re.search(rf"^def\s+{re.escape(name)}\s*\(", cell, re.M) is not None


def exercises_of(cells: list[str]) -> list[tuple[str, str, int]]:
    """``(check_name, function_name, index of the defining cell)`` for each check call."""
    found = []
    for i, cell in enumerate(cells):
        for check, fn in _CALL.findall(cell):
            where = next((j for j in range(i, -1, -1) if _defines(cells[j], fn)), None)
            if where is not None:
                found.append((check, fn, where))
    return found


@contextlib.contextmanager
def _contained():
    """Learner code runs here: its prints and warnings stay out of the table."""
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield


def _learner_function(cells: list[str], name: str, where: int) -> Callable | str:
    """The learner's function from a fresh namespace, or why it cannot be made."""
    namespace: dict = {"__name__": "__progress__"}
    with _contained():
        for cell in cells[:where]:
            try:
                exec(compile(_definitions(cell), "<earlier cell>", "exec"), namespace)
            except Exception:  # an import that fails here: the exercise may not need it
                continue
        try:
            exec(compile(_python(cells[where]), "<exercise cell>", "exec"), namespace)
        except SyntaxError as exc:
            return f"the cell has a syntax error (line {exc.lineno}): {exc.msg}"
        except Exception as exc:
            return f"the cell raises {type(exc).__name__}: {exc}"
    fn = namespace.get(name)
    return fn if callable(fn) else f"the cell does not define a function {name}"


def _find_check(check: str, checks: dict[str, Callable]) -> Callable | None:
    return next((fn for key, fn in checks.items() if key.endswith("." + check)), None)


def _status(result: CheckResult) -> str:
    if result.passed:
        return "correct"
    return "not written yet" if "not written yet" in result.message else "not yet"


def _rows_of(path: Path, checks: dict[str, Callable]) -> list[Row]:
    stem = path.stem
    try:
        cells = _code_cells(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [Row(stem, "-", "cannot run", f"cannot read the notebook: {exc}")]
    rows = []
    for check_name, fn_name, where in exercises_of(cells):
        check = _find_check(check_name, checks)
        fn = _learner_function(cells, fn_name, where)
        if check is None:
            rows.append(Row(stem, fn_name, "cannot run", f"no check named {check_name}"))
        elif isinstance(fn, str):
            rows.append(Row(stem, fn_name, "cannot run", fn))
        else:
            with _contained():
                result = check(fn)
            rows.append(Row(stem, fn_name, _status(result), result.message))
    return rows


def _default_folder() -> Path:
    here = Path.cwd()
    for folder in (here, here / "notebooks", Path(__file__).resolve().parents[2] / "notebooks"):
        if folder.is_dir() and any(_NOTEBOOK.match(p.name) for p in folder.iterdir()):
            return folder
    return here


def progress(folder: str | Path | None = None, notebooks: Iterable[str] | None = None) -> Progress:
    """Check every exercise of the saved learner notebooks in ``folder`` (default: the
    current folder, else ``./notebooks``); ``notebooks`` keeps the names starting with one
    of these prefixes (e.g. ``["03", "05"]``). Never raises."""
    try:
        root = Path(folder) if folder is not None else _default_folder()
        paths = sorted(p for p in root.glob("*.ipynb") if _NOTEBOOK.match(p.name))
    except OSError:
        return Progress(())
    if notebooks is not None:
        prefixes = tuple(str(n) for n in notebooks)
        paths = [p for p in paths if p.name.startswith(prefixes)]
    checks = topic_checks()
    return Progress(tuple(row for path in paths for row in _rows_of(path, checks)))
