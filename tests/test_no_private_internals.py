"""No private internals of matplotlib, ipywidgets or ipympl anywhere in the package, read from
every module's source with ast.

A library's names that start with one underscore are its own business: they change without
notice, and a change would reach a learner as a traceback. Flagged:

- ``x._name`` (read, written, deleted, or through ``getattr``/``setattr``/``hasattr`` with a
  constant name) where ``_name`` is a private attribute of a library object: one found on an
  instance or a class of matplotlib, ipywidgets or ipympl (an instance's own attributes are
  collected from real objects: a figure, axes, artists, an Agg renderer, a webagg canvas,
  every widget);
- inside a class that subclasses a library class: any ``self._name`` / ``cls._name`` /
  ``super()._name`` and any method named ``_name``: the subclass's instance shares the
  library's namespace of private names;
- a monkeypatch: assigning (or deleting) an attribute of a library object or class that is a
  method of a library class (``figure.draw = ...``, ``canvas.get_diff_image = ...``,
  ``Text._get_layout = ...``), or its ``stale_callback``.

The package's own objects (a Dashboard's ``self._config``, a helper's ``d._safely``) are not
flagged: ``_config`` and ``_safely`` are no library's names.
"""

from __future__ import annotations

import ast
import inspect
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "dlcourse"
LIBRARIES = ("matplotlib", "ipywidgets", "ipympl", "mpl_toolkits")
MODULES = sorted(ROOT.rglob("*.py"))


#: documented names that start with one underscore: namedtuple's API
PUBLIC = {"_asdict", "_replace", "_fields", "_make", "_field_defaults"}


def _private(name: str) -> bool:
    """One leading underscore; not a dunder, not IPython's display protocol
    (``_repr_png_``, ``_ipython_display_``: one underscore at each end), not namedtuple's."""
    return (
        name.startswith("_")
        and not name.startswith("__")
        and not name.endswith("_")
        and name not in PUBLIC
    )


def _library_objects() -> list:
    """Real objects of the libraries, so that attributes set in ``__init__`` are seen."""
    import ipywidgets as W
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore
    from matplotlib.figure import Figure

    fig = Figure()
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1], label="a")
    objects = [
        fig,
        canvas,
        canvas.get_renderer(),
        ax,
        ax.xaxis,
        ax.spines["left"],
        line,
        ax.text(0, 0, "t"),
        ax.legend(),
        ax.imshow([[0, 1]]),
        ax.scatter([0], [0]),
        ax.stairs([1], [0, 1]),
        ax.bar([0], [1]).patches[0],
        ax.annotate("a", (0, 0)),
        fig.colorbar(ax.images[0], ax=ax),
        FigureCanvasWebAggCore(Figure()),
        W.SelectionSlider(options=[1, 2]),
        W.Dropdown(options=[1, 2]),
        W.Image(),
    ]
    for cls in vars(W).values():
        if inspect.isclass(cls) and issubclass(cls, W.Widget):
            try:
                objects.append(cls())
            except Exception:  # needs arguments: its class's names are collected below
                pass
    return objects


def _library_classes() -> list[type]:
    import ipywidgets  # noqa: F401
    import matplotlib.pyplot  # noqa: F401  (loads most of matplotlib's modules)

    try:
        import ipympl.backend_nbagg  # noqa: F401
    except ImportError:
        pass
    return [
        cls
        for name, module in list(sys.modules.items())
        if name.split(".")[0] in LIBRARIES and module is not None
        for cls in vars(module).values()
        if inspect.isclass(cls) and cls.__module__.split(".")[0] in LIBRARIES
    ]


def _methods(cls: type) -> set[str]:
    names = set()
    for name in dir(cls):
        try:
            value = inspect.getattr_static(cls, name)
        except AttributeError:
            continue
        if inspect.isfunction(value) or isinstance(value, (staticmethod, classmethod)):
            names.add(name)
    return names


@cache
def library_names() -> tuple[frozenset, frozenset]:
    """(the libraries' private attribute names, the methods of the objects a view holds:
    figures, canvases, renderers, artists, widgets)."""
    from matplotlib.axes import Axes

    private, methods = set(), set()
    for cls in _library_classes():
        private.update(n for n in dir(cls) if _private(n))
    for obj in _library_objects():
        private.update(n for n in dir(obj) if _private(n))
        private.update(n for n in vars(obj) if _private(n))
        if not isinstance(obj, Axes):  # its plotting methods' names are everyday words
            methods.update(_methods(type(obj)))
    return frozenset(private), frozenset(methods)


# ------------------------------------------------------------------ the walk
def _imported_library_names(tree: ast.Module) -> set[str]:
    """Names bound to library modules or classes by this module's imports."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LIBRARIES + ("traitlets",):
                    names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in LIBRARIES + ("traitlets",):
                names.update(alias.asname or alias.name for alias in node.names)
    return names


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _library_classes_in(tree: ast.Module, lib: set[str]) -> set[str]:
    """This module's classes that subclass a library class (directly or through another
    such class of the same module)."""
    found: set[str] = set()
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    changed = True
    while changed:
        changed = False
        for c in classes:
            if c.name not in found and any(_root(b) in lib or _root(b) in found for b in c.bases):
                found.add(c.name)
                changed = True
    return found


class Checker(ast.NodeVisitor):
    def __init__(self, tree: ast.Module, where: str) -> None:
        self.lib = _imported_library_names(tree)
        self.lib_classes = _library_classes_in(tree, self.lib)
        self.private, self.methods = library_names()
        self.where, self.cls, self.found = where, [], []

    def flag(self, node: ast.AST, what: str) -> None:
        self.found.append(f"{self.where}:{node.lineno}: {what}")

    def in_library_subclass(self) -> bool:
        return bool(self.cls) and self.cls[-1] in self.lib_classes

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.cls.append(node.name)
        if node.name in self.lib_classes:
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(
                    item.name
                ):
                    self.flag(item, f"method {item.name} in a subclass of a library class")
        self.generic_visit(node)
        self.cls.pop()

    def _own(self, receiver: ast.expr) -> bool:
        """``self`` / ``cls`` of a class of the package's own (not a library subclass)."""
        return (
            isinstance(receiver, ast.Name)
            and receiver.id in ("self", "cls")
            and not self.in_library_subclass()
        )

    def _check(self, node: ast.AST, receiver: ast.expr, name: str, store: bool) -> None:
        is_super = (
            isinstance(receiver, ast.Call)
            and isinstance(receiver.func, ast.Name)
            and receiver.func.id == "super"
        )
        if _private(name):
            if self.in_library_subclass() and (
                is_super or isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")
            ):
                self.flag(node, f"{name} on a subclass of a library class")
            elif not self._own(receiver) and (name in self.private or _root(receiver) in self.lib):
                self.flag(node, f"private library attribute {name}")
        if store and not self._own(receiver) and not is_super:
            if name in self.methods or name == "stale_callback":
                self.flag(node, f"monkeypatch of {name}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        store = isinstance(node.ctx, (ast.Store, ast.Del))
        self._check(node, node.value, node.attr, store)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        if (
            isinstance(f, ast.Name)
            and f.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            self._check(node, node.args[0], node.args[1].value, f.id in ("setattr", "delattr"))
        self.generic_visit(node)


def violations(source: str, where: str = "<source>") -> list[str]:
    tree = ast.parse(source)
    checker = Checker(tree, where)
    checker.visit(tree)
    return checker.found


# ------------------------------------------------------------------ the tests
def test_the_walk_sees_the_package_and_the_libraries_names():
    assert len(MODULES) > 50
    private, methods = library_names()
    for name in (
        "_get_layout",
        "_renderer",
        "_png_is_old",
        "_options_values",
        "_propagate_options",
    ):
        assert name in private, name
    assert {"draw", "get_diff_image", "set_text"} <= methods


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_internals(path):
    assert violations(path.read_text(), str(path.relative_to(ROOT))) == []


PLANTED = {
    "canvas flag": "def f(fig):\n    fig.canvas._png_is_old = True\n",
    "text layout": "def f(text, r):\n    return text._get_layout(r)\n",
    "agg renderer": "def f(r):\n    return r._renderer\n",
    "selection internals": "def f(w):\n    return w._options_values\n",
    "getattr with a constant": "def f(w):\n    return getattr(w, '_options_full')\n",
    "library class patched": (
        "from matplotlib.text import Text\nText._get_layout = lambda *a: None\n"
    ),
    "instance method patched": "def f(fig, g):\n    fig.draw = g\n",
    "diff image replaced": "def f(canvas, g):\n    canvas.get_diff_image = g\n",
    "method deleted": "def f(child):\n    del child.draw\n",
    "stale callback": "def f(fig):\n    fig.stale_callback = None\n",
    "subclass private": (
        "import ipywidgets as W\n"
        "class S(W.SelectionSlider):\n"
        "    def f(self):\n"
        "        self._keep = 1\n"
    ),
    "subclass override": (
        "import ipywidgets as W\n"
        "class S(W.SelectionSlider):\n"
        "    def _validate_value(self, proposal):\n"
        "        return super()._validate_value(proposal)\n"
    ),
    "through a subclass of a subclass": (
        "from matplotlib.ticker import LogLocator\n"
        "class A(LogLocator):\n    pass\n"
        "class B(A):\n    def f(self):\n        return self._base\n"
    ),
}


@pytest.mark.parametrize("case", PLANTED)
def test_a_planted_private_access_is_caught(case):
    assert violations(PLANTED[case]), case


def test_own_private_names_are_fine():
    source = (
        "class Dashboard:\n"
        "    def f(self, d):\n"
        "        self._config = {}\n"
        "        self.draw = None\n"
        "        d._safely(print)\n"
        "        return self._note\n"
    )
    assert violations(source) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_package_needs_no_ipympl(path):
    assert "ipympl" not in path.read_text().lower()
