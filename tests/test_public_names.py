"""Every module of the package says what it exports (``__all__``), exports what it
defines, and defines nothing that nothing uses (a dead name)."""

import ast
import importlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted((ROOT / "dlcourse").rglob("*.py"))
WORD = re.compile(r"\w+")


def _all(path: Path):
    """The module's ``__all__`` (imported: some are built from a registry), or None."""
    return getattr(importlib.import_module(_module_name(path)), "__all__", None)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _public_definitions(tree: ast.Module) -> list[str]:
    return [
        n.name
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and not n.name.startswith("_")
    ]


def _corpus() -> str:
    """Everything that may use a name: the package, tests, tools, benchmarks, notebooks."""
    parts = [
        p.read_text()
        for d in ("dlcourse", "tests", "tools", "benchmarks")
        for p in (ROOT / d).rglob("*.py")
    ]
    for nb in (ROOT / "source").glob("*.ipynb"):
        parts += ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"]]
    return "\n".join(parts)


def _tokens(text: str) -> Counter:
    """How often each identifier-like word occurs: ``\\bname\\b`` matches exactly these."""
    return Counter(WORD.findall(text))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_declares_all_and_lists_its_definitions(path):
    tree = ast.parse(path.read_text())
    names = _all(path)
    assert names is not None, f"{path.name} has no __all__"
    assert len(set(names)) == len(names), f"{path.name}: a name is listed twice"
    module = importlib.import_module(_module_name(path))
    missing = [
        n
        for n in names
        if not hasattr(module, n)  # lazy names resolve too
        and not (path.name == "__init__.py" and (path.parent / f"{n}.py").exists())
    ]
    assert not missing, f"{path.name}: listed but not defined {missing}"
    unlisted = [n for n in _public_definitions(tree) if n not in names]
    assert not unlisted, f"{path.name}: public but not in __all__: {unlisted}"


def test_no_exported_name_is_dead():
    everywhere = _tokens(_corpus())
    dead = []
    for path in MODULES:
        own = _tokens(path.read_text())
        for name in _all(path) or []:
            if everywhere[name] == own[name] <= 2:  # its definition and its __all__ entry only
                dead.append(f"{path.relative_to(ROOT)}: {name}")
    assert not dead, dead


def test_tokens_count_whole_words_only():
    counts = _tokens("fit(x); fit_one = refit + dl.fit\n# fit")
    assert counts["fit"] == 3 and counts["fit_one"] == 1 and counts["refit"] == 1
