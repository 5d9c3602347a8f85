"""The base of every dashboard: a plain-Python controller wrapped by a view.

A dashboard holds its settings in ``config`` (a JSON-serialisable dict), computes results
as numpy arrays (the controller, testable without a browser) and draws them on ONE
matplotlib figure created once and updated in place (the view).

Writing a dashboard — subclass :class:`Dashboard` and define:

- ``settings``: ONE dict name -> declaration of :mod:`dlcourse.widgets.settings`
  (``LogRange``, ``OneMinusLog``, ``Choice``, ...). From it the base class derives
  ``defaults``, checks keyword arguments (unknown names, types, ranges, choices: one message
  style) and builds one control per setting that has a label (``continuous_update``,
  ``slider_kw``, ``choice_kw``, ``flag_kw``: the dashboard's keywords for its sliders,
  dropdowns and checkboxes). A ``Within`` setting's slider is refitted when the setting it
  follows changes (through its control or ``set_config``);
- ``_build_figure(fig)``: create the axes and the artists on ``fig`` (called once);
- ``_compute()``: recompute the results from ``self._config`` (raise on a bad combination;
  the message of the exception is shown to the learner);
- ``_draw()``: update the artists from the results (``set_data`` etc., no new figures);
- optionally ``_control_changed(name)``: what a control change does (default: ``update()``),
  and ``_validate(config)`` for checks across settings.

(Without ``settings``, a subclass may still give ``defaults`` and its own
``_build_controls()``.)

``_build_figure`` declares which artists move (``self.view_agg.set_moving(...)``, from what
each ``plots`` object lists as moving): they are redrawn on every push, the rest only when
the layout or a static artist changes (:mod:`dlcourse.widgets.view`).

The base class wires the controls (``widget.value = x`` fires the same callbacks as a drag),
catches every exception raised while updating (it becomes ``.message`` and a note on the
plot: never a traceback), turns warnings into the message too (not a library's deprecation
warnings: a learner can do nothing about those), and shows itself in a
notebook: the controls, the figure (Agg frames in an ``ipywidgets.Image``, the same under
any matplotlib backend) and the message line.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import math
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import ipywidgets as W
import matplotlib
from matplotlib.figure import Figure

from ..plots.display import show_figure
from .settings import Setting, Within
from .view import AggView

__all__ = ["one_blas_thread", "Dashboard", "is_snap_echo", "plain"]


@functools.cache
def _blas_controller():
    """threadpoolctl's view of the BLAS libraries loaded (None where it cannot run)."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController()
    except Exception:  # e.g. a browser kernel (JupyterLite) without native BLAS threads
        return None


def one_blas_thread():
    """A context in which BLAS uses one thread. A dashboard's matrices are small: a second
    thread only competes with the kernel, the server and the browser for the cores."""
    controller = _blas_controller()
    return controller.limit(limits=1, user_api="blas") if controller else contextlib.nullcontext()


_DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning)


class Dashboard:
    """Base class for the course's dashboards (see the module docstring)."""

    #: every setting, declared once (see :mod:`dlcourse.widgets.settings`)
    settings: ClassVar[dict[str, Setting]] = {}
    #: every config key and its default (derived from ``settings`` when declared)
    defaults: ClassVar[dict[str, Any]] = {}
    figsize: tuple[float, float] = (9.0, 3.6)
    dpi: float = 100.0
    #: sliders answer while dragging (cheap dashboards); False on dashboards that train
    continuous_update: bool = False
    #: keywords for every slider, dropdown and checkbox (a ``layout`` dict becomes a Layout)
    slider_kw: ClassVar[dict] = {"style": {"description_width": "initial"}}
    choice_kw: ClassVar[dict] = {}
    flag_kw: ClassVar[dict] = {"indent": False}
    #: where the message sits on the figure: (x, y, vertical alignment) in figure
    #: coordinates; over the middle by default, in a margin where it would cover data
    note_at: ClassVar[tuple[float, float, str]] = (0.5, 0.5, "center")
    note_fontsize: float = 11

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "settings" in cls.__dict__:
            cls.defaults = {
                name: (None if isinstance(s, Within) else s.default)
                for name, s in cls.settings.items()
            }

    def __init__(self, **config: Any) -> None:
        self._config = self._merged(config)
        self.message = ""
        self._syncing = False
        self._depth = 0  # nesting of guard(): only the outermost call shows and redraws
        self.controls: dict[str, W.Widget] = self._build_controls()
        for name, widget in self.controls.items():
            widget.observe(self._callback(name), names="value")
        self.figure = Figure(figsize=self.figsize, dpi=self.dpi)
        self.view_agg = AggView(self.figure)
        x, y, va = self.note_at
        self._note = self.figure.text(
            x,
            y,
            "",
            ha="center",
            va=va,
            color="crimson",
            fontsize=self.note_fontsize,
            wrap=True,
            zorder=10,
            bbox=dict(facecolor="white", alpha=0.85, edgecolor="crimson"),
        )
        self._note.set_visible(False)
        # titles at a fixed height: matplotlib otherwise lays out the y axis's ticks once
        # more at each draw of a titled axes to see whether they reach the title; the
        # dashboards' ticks are never above their axes
        with matplotlib.rc_context({"axes.titley": 1.0}):
            self._build_figure(self.figure)
        self._message_label = W.HTML()
        self.update()

    # ------------------------------------------------------------------ config
    def _merged(self, config: dict) -> dict:
        unknown = sorted(set(config) - set(self.defaults))
        if unknown:
            raise TypeError(
                f"{type(self).__name__}: unknown setting(s) {unknown}; "
                f"valid: {sorted(self.defaults)}"
            )
        merged = {**copy.deepcopy(self.defaults), **config}
        for name, setting in self.settings.items():
            merged[name] = setting.check(name, merged[name], merged)
        self._validate(merged)
        return merged

    def _validate(self, config: dict) -> None:
        """Raise ValueError/TypeError for combinations of settings that can never work."""

    @property
    def config(self) -> dict:
        """A JSON-serialisable snapshot of every setting."""
        return json.loads(json.dumps(self._config))

    def set_config(self, config: dict) -> None:
        """Rebuild from ``config`` (missing keys take their defaults): a reset, so the same
        config gives the same arrays and the same picture."""
        self._config = self._merged(dict(config))
        self._syncing = True
        try:
            self._refit(self._config)
            for name, widget in self.controls.items():
                widget.value = self._config[name]
                self._config[name] = plain(widget.value)
        finally:
            self._syncing = False
        self.reset()
        self.update()

    def reset(self) -> None:
        """Forget any state carried between updates (override for stateful dashboards)."""

    # ------------------------------------------------------------------ controls
    def _callback(self, name: str):
        widget = self.controls[name]

        def on_change(change) -> None:
            if getattr(widget, "rebuilding", False):
                return  # a GridSlider passing through its first option while it takes a value
            if is_snap_echo(widget, self._config.get(name), change["new"]):
                return  # the browser rounding the value onto the slider's grid: not a move
            self._config[name] = plain(change["new"])
            if not self._syncing:
                self.guard(self._changed, name)

        return on_change

    def _changed(self, name: str) -> None:
        """A control moved: settings that follow it start again from their own start (a
        new surface, its own start point), then ``_control_changed``."""
        following = {
            key: s.default_for(self._config)
            for key, s in self.settings.items()
            if isinstance(s, Within) and s.on == name
        }
        self._config.update(following)
        self._refit(self._config, following)
        self._control_changed(name)

    def _refit(self, config: dict, only=None) -> None:
        """Fit the ``Within`` sliders (all, or those in ``only``) to their windows."""
        was, self._syncing = self._syncing, True
        try:
            for key, s in self.settings.items():
                if isinstance(s, Within) and key in self.controls and (only is None or key in only):
                    self._config[key] = s.refit(self.controls[key], config, config[key])
        finally:
            self._syncing = was

    def _control_changed(self, name: str) -> None:
        self.update()

    # ------------------------------------------------------------------ updating
    def update(self) -> None:
        """Recompute and redraw now; any failure becomes ``.message``."""
        self.guard(self._compute_and_draw)

    def _compute_and_draw(self) -> None:
        self._compute()
        self._draw()

    def guard(self, fn: Callable[..., None], *args) -> None:
        """Run ``fn(*args)`` as the dashboard runs every action: a warning or an exception
        becomes ``.message`` (never a traceback in front of the learner), then the message
        and the figure are shown. Nested calls (a callback that calls ``update()``) run
        ``fn`` directly: the outermost one shows the message and redraws, once. Helpers
        that act on a dashboard from the event loop (a streamed chunk, a play frame) go
        through here."""
        if self._depth:
            fn(*args)
            return
        self._depth += 1
        with warnings.catch_warnings(record=True) as caught, one_blas_thread():
            warnings.simplefilter("always")
            try:
                self.message = ""
                fn(*args)
                # a library's deprecation warning is for its callers' authors, not learners
                shown = [w for w in caught if not issubclass(w.category, _DEPRECATIONS)]
                if shown and not self.message:
                    self.message = str(shown[-1].message)
            except Exception as exc:  # never a traceback in front of the learner
                self.message = self._explain(exc)
            finally:
                self._depth -= 1
        self._show_message()
        self.redraw()

    def draw(self) -> None:
        """Update the artists from the current results, without recomputing them (the
        next push shows them): for helpers that compute part of the results themselves."""
        self._draw()

    def _explain(self, exc: Exception) -> str:
        """The plain-text message for an exception raised while updating (override)."""
        return f"{exc}" if str(exc) else type(exc).__name__

    def _show_message(self) -> None:
        self._note.set_text(self.message)
        self._note.set_visible(bool(self.message))
        if hasattr(self, "_message_label"):
            self._message_label.value = (
                f"<span style='color:crimson'>{_html(self.message)}</span>" if self.message else ""
            )

    def redraw(self) -> None:
        """Push the figure to its Image once the view exists (before, nothing shows it): the
        moving artists over the saved background, or a full draw when the layout or a
        static artist changed (:class:`.view.AggView`)."""
        if getattr(self, "_view", None) is not None:
            self.view_agg.push()

    @property
    def image(self) -> W.Image:
        """The Image widget showing the figure (its ``value``: the last frame's PNG bytes,
        pushed from the time the view is built)."""
        return self.view_agg.image

    def _controls_box(self) -> W.Widget:
        """The layout of the controls (override for a custom arrangement)."""
        items = list(self.controls.values())
        rows = [W.HBox(items[i : i + 3]) for i in range(0, len(items), 3)]
        return W.VBox(rows)

    @property
    def view(self) -> W.Widget:
        """The widget shown in a notebook (built once, with the figure's first frame)."""
        if getattr(self, "_view", None) is None:
            self._view = self._build_view()
            self.view_agg.push()
        return self._view

    def _build_view(self) -> W.Widget:
        """Controls, figure, message (override for another arrangement)."""
        return W.VBox([self._controls_box(), self.image, self._message_label])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.view)
        self._displayed = True  # read by dashboards that redraw while they train

    def snapshot(self, dpi: int = 90) -> None:
        """Show the current figure as a static PNG (readable where widgets do not run)."""
        with self.view_agg.static():
            show_figure(self.figure, dpi=dpi, close=False)

    # ------------------------------------------------------------------ to override
    def _build_controls(self) -> dict[str, W.Widget]:
        """One control per declared setting with a label (override without ``settings``)."""
        kw = {
            "slider": {**self.slider_kw, "continuous_update": self.continuous_update},
            "choice": self.choice_kw,
            "flag": self.flag_kw,
            "custom": {},
        }
        self.controls = {
            name: s.build(self._config[name], _layout(kw[s.family]))
            for name, s in self.settings.items()
            if s.label is not None
        }
        self._refit(self._config)
        return self.controls

    def _build_figure(self, fig: Figure) -> None:
        raise NotImplementedError

    def _compute(self) -> None:
        raise NotImplementedError

    def _draw(self) -> None:
        raise NotImplementedError


def is_snap_echo(widget: W.Widget, old: Any, new: Any) -> bool:
    """True when ``new`` is ``old`` moved by less than half a slider step (in the exponent
    for a log slider). A rendered ipywidgets 8 slider sends its value back rounded onto its
    step grid (a FloatLogSlider sends base**exponent: 0.05 comes back as 10**-1.3 = 0.0501);
    a drag moves by whole steps, so such a change is an echo, and the setting keeps its
    exact value."""
    if not isinstance(widget, (W.FloatSlider, W.FloatLogSlider)) or old is None or old == new:
        return False
    if isinstance(widget, W.FloatLogSlider):
        if old <= 0 or new <= 0:
            return False
        old, new = math.log(old, widget.base), math.log(new, widget.base)
    return abs(new - old) < 0.5 * widget.step


def _layout(kw: dict) -> dict:
    """Keywords for one control: a ``layout`` dict becomes its own ``Layout``."""
    if isinstance(kw.get("layout"), dict):
        return {**kw, "layout": W.Layout(**kw["layout"])}
    return kw


def plain(value: Any) -> Any:
    """A widget value as a plain JSON type (tuples from range sliders become lists)."""
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
