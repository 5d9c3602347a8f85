"""Declared dashboard settings: one declaration gives the control, the check and the message.

A dashboard lists its settings once, ``settings = {"lr": LogRange(1e-4, 10.0, ...), ...}``;
:class:`~dlcourse.widgets.base.Dashboard` builds from it the defaults, the checks of keyword
arguments (one message style, from :mod:`dlcourse._checks`) and the ipywidgets controls.

=================  ======================================  ==================================
declaration        the value                               the control
=================  ======================================  ==================================
``Choice``         one name of a registry or a list         ``Dropdown``
``Buttons``        the same                                 ``ToggleButtons``
``Subset``         a list of names of a registry            a checkbox group (given widget),
                   (``minimum`` of them at least)           or a :class:`~.controls.ToggleGroup`
``Widths``         a list of layer widths (ints in          :class:`~.controls.WidthsControl`: − / +
                   [lo, hi], at most ``max_len``)           per layer and for the layers
``Range``          a float in [lo, hi]                      ``FloatSlider``
``IntRange``       an int in [lo, hi]                       ``IntSlider``
``LogRange``       a float in [lo, hi], on a log scale      ``FloatLogSlider``
``OneMinusLog``    a beta in [lo, hi]                       :class:`~.controls.GridSlider`: log scale of
                                                            1 - beta, beta displayed
``Flag``           True or False                            ``Checkbox``
``Select``         one of fixed values (batch sizes, ...)   ``SelectionSlider``
``Within``         a float in a window that depends on     ``FloatSlider`` refitted when the
                   another setting (a start point)          other setting changes
=================  ======================================  ==================================

Every declaration takes ``default``, ``label`` (the control's description; ``""``: a control
without one, named by a heading of the layout; ``None``: the setting has no control and is
set by keyword only), ``live`` (True: the setting acts on the
running state, e.g. alpha on a running optimizer; False: structural, changing it rebuilds or
retrains) and ``widget`` (extra ipywidgets keywords). Choices given as a registry (a dict
such as ``activations.ACTIVATIONS``, or a function returning ``optim.NAMES``) are read when
a dashboard is built and checked, so a name added to the registry shows up in every
dashboard that offers the registry.

For example (TrainingDashboard)::

    settings = {
        "optimizer": Choice("adam", "optimizer", options=lambda: optim.NAMES),
        "lr": LogRange(0.01, "α (lr)", live=True, lo=1e-5, hi=10.0),
        "beta": OneMinusLog(0.9, "β", live=True, lo=0.0, hi=0.999),
        "width": IntRange(8, "width", lo=1, hi=32),
        "seed": IntRange(0, lo=0),                      # no label: keyword only
    }

and ``TrainingDashboard(lr=0)`` raises "lr must be in [1e-05, 10], got 0".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as W

from .._checks import check_choice, check_number
from .controls import GridSlider, WidthsControl, same_value

__all__ = [
    "Buttons",
    "Choice",
    "Flag",
    "IntRange",
    "LogRange",
    "OneMinusLog",
    "Range",
    "Select",
    "Setting",
    "Subset",
    "Widths",
    "Within",
    "one_minus_log_grid",
]

#: The R10 preferred numbers: ten steps per decade, evenly spaced on a log scale.
R10 = (1.0, 1.25, 1.6, 2.0, 2.5, 3.15, 4.0, 5.0, 6.3, 8.0)
LOG_SLACK = 1e-9  # a log slider's ends (base ** exponent) may miss lo, hi by a rounding


# ------------------------------------------------------------------ declarations
@dataclass(frozen=True)
class Setting:
    """The common part of every declaration (see the module docstring)."""

    default: Any = None
    label: str | None = None
    live: bool = False
    widget: Mapping = field(default_factory=dict)
    #: which of the dashboard's keyword sets the control takes: slider, choice or flag
    family = "slider"

    def check(self, name: str, value, config: dict):
        """The value, checked (and possibly normalised); raise ValueError/TypeError."""
        return value

    def default_for(self, config: dict):
        return self.default

    def build(self, value, kw: dict) -> W.Widget:
        raise NotImplementedError


def _names(options) -> tuple:
    """The names of a registry (a dict's keys), of a sequence, or of a function returning
    one (for a registry that is replaced, not updated, such as ``optim.NAMES``), read now."""
    return tuple(options() if callable(options) else options)


@dataclass(frozen=True)
class Choice(Setting):
    """One name out of ``options`` (a registry dict or a sequence); a Dropdown. ``labels``
    maps names to the text shown; ``exclude`` drops names of the registry."""

    options: Iterable = ()
    labels: Mapping | None = None
    exclude: tuple = ()
    family = "choice"

    def names(self) -> tuple:
        return tuple(n for n in _names(self.options) if n not in self.exclude)

    def check(self, name, value, config):
        return check_choice(name, value, self.names())

    def build(self, value, kw):
        labels = self.labels or {}
        options = [(labels.get(n, n), n) for n in self.names()] if self.labels else self.names()
        return W.Dropdown(
            description=self.label, options=options, value=value, **{**kw, **self.widget}
        )


@dataclass(frozen=True)
class Buttons(Choice):
    """One name out of ``options``, as a row of toggle buttons (few, short names)."""

    def build(self, value, kw):
        labels = self.labels or {}
        return W.ToggleButtons(
            options=[(labels.get(n, n), n) for n in self.names()],
            value=value,
            description=self.label,
            **{**kw, **self.widget},
        )


@dataclass(frozen=True)
class Subset(Setting):
    """A list of names drawn from ``options`` (kept in the options' order), at least
    ``minimum`` of them; the control is ``control(options, value, label, labels=labels,
    **widget)``, e.g. a row of checkboxes or a :class:`~.controls.ToggleGroup`."""

    options: Iterable = ()
    labels: Mapping | None = None
    control: Callable | None = None
    minimum: int = 0
    family = "custom"

    def check(self, name, value, config):
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise TypeError(f"{name} must be a list of names, got {value!r}")
        chosen = list(value)
        for item in chosen:
            check_choice(name, item, _names(self.options))
        if len(set(chosen)) < self.minimum:
            least = "one" if self.minimum == 1 else str(self.minimum)
            raise ValueError(
                f"{name} must keep at least {least} of "
                f"{', '.join(_names(self.options))}, got {value!r}"
            )
        return [n for n in _names(self.options) if n in chosen]

    def build(self, value, kw):
        return self.control(
            _names(self.options), value, self.label, labels=self.labels, **self.widget
        )


@dataclass(frozen=True)
class Widths(Setting):
    """The widths of a network's hidden layers: a list of at most ``max_len`` ints in
    [lo, hi]; a :class:`~.controls.WidthsControl` (an added layer copies the last width, or ``new``)."""

    lo: int = 1
    hi: int = 8
    max_len: int = 6
    new: int = 4
    family = "custom"

    def check(self, name, value, config):
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise TypeError(f"{name} must be a list of layer widths, got {value!r}")
        widths = list(value)
        if len(widths) > self.max_len:
            raise ValueError(f"{name} must list at most {self.max_len} layer widths, got {value!r}")
        return [
            check_number(f"{name}[{i}]", w, self.lo, self.hi, integer=True)
            for i, w in enumerate(widths)
        ]

    def build(self, value, kw):
        return WidthsControl(
            value,
            lo=self.lo,
            hi=self.hi,
            max_len=self.max_len,
            new=self.new,
            description=self.label,
            **self.widget,
        )


@dataclass(frozen=True)
class Range(Setting):
    """A float in [lo, hi] (``open``: in (lo, hi)); a FloatSlider of ``step``."""

    lo: float = 0.0
    hi: float = 1.0
    step: float = 0.1
    fmt: str | None = None
    open: bool = False

    def check(self, name, value, config):
        check_number(name, value, self.lo, self.hi, open_lo=self.open, open_hi=self.open)
        return value

    def build(self, value, kw):
        fmt = {} if self.fmt is None else {"readout_format": self.fmt}
        return W.FloatSlider(
            value=value,
            min=self.lo,
            max=self.hi,
            step=self.step,
            description=self.label,
            **fmt,
            **{**kw, **self.widget},
        )


@dataclass(frozen=True)
class IntRange(Setting):
    """An int in [lo, hi] (``hi=None``: no upper bound, no control); an IntSlider."""

    lo: int = 0
    hi: int | None = None
    step: int = 1

    def check(self, name, value, config):
        return check_number(name, value, self.lo, self.hi, integer=True)

    def build(self, value, kw):
        return W.IntSlider(
            value=value,
            min=self.lo,
            max=self.hi,
            step=self.step,
            description=self.label,
            **{**kw, **self.widget},
        )


@dataclass(frozen=True)
class LogRange(Setting):
    """A float in [lo, hi] > 0 on a log scale: always a FloatLogSlider (base 10, ``step``
    in the exponent), the control the course uses for alpha."""

    lo: float = 1e-4
    hi: float = 1.0
    step: float = 0.1
    fmt: str | None = ".2g"

    def check(self, name, value, config):
        check_number(name, value, self.lo, self.hi, slack=LOG_SLACK)
        return value

    def build(self, value, kw):
        return W.FloatLogSlider(
            value=value,
            base=10,
            min=math.log10(self.lo),
            max=math.log10(self.hi),
            step=self.step,
            readout_format=self.fmt,
            description=self.label,
            **{**kw, **self.widget},
        )


@dataclass(frozen=True)
class Flag(Setting):
    """True or False; a Checkbox."""

    default: Any = False
    family = "flag"

    def check(self, name, value, config):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, got {value!r}")
        return value

    def build(self, value, kw):
        return W.Checkbox(value=value, description=self.label, **{**kw, **self.widget})


@dataclass(frozen=True)
class Select(Setting):
    """One of fixed ``values`` on a SelectionSlider (batch sizes, L2 values, epochs).
    ``extend``: a declaration whose values are accepted too; such a value gets a position
    on the slider (a :class:`~.controls.GridSlider`)."""

    values: tuple = ()
    extend: Setting | None = None

    def check(self, name, value, config):
        if self.extend is not None and value not in self.values:
            return self.extend.check(name, value, config)
        match = [v for v in self.values if same_value(v, value) and not isinstance(value, bool)]
        if not match:  # check_choice's message (its `in` would take True for 1)
            raise ValueError(
                f"unknown {name} {value!r}; valid: {', '.join(map(repr, self.values))}"
            )
        return match[0]

    def build(self, value, kw):
        kw = {**kw, **self.widget}
        if self.extend is None:
            return W.SelectionSlider(options=self.values, value=value, description=self.label, **kw)
        extend = self.extend

        def accepts(v) -> bool:
            try:
                extend.check("value", v, {})
            except (TypeError, ValueError):
                return False
            return True

        return GridSlider(self.values, accepts, value=value, description=self.label, **kw)


def one_minus_log_grid(lo: float, hi: float) -> tuple[float, ...]:
    """The betas in [lo, hi] whose 1 - beta is an R10 number (1, 0.8, 0.63, 0.5, ...,
    0.1, 0.08, ...): ten steps per decade of 1 - beta, so 0.9, 0.99, 0.999 are equally far
    apart. The ends lo and hi are included."""
    top, bottom = 1.0 - lo, 1.0 - hi
    betas = {float(lo), float(hi)}
    for k in range(16):
        for m in R10:
            x = m / 10.0**k
            if bottom * (1 - 1e-9) <= x <= top * (1 + 1e-9):
                betas.add(round(1.0 - x, k + 6))
    return tuple(sorted(betas))


@dataclass(frozen=True)
class OneMinusLog(Select):
    """A beta in [lo, hi] (momentum, RMSProp, beta1, beta2, EWA) on a log scale of 1 - beta
    with beta displayed: a :class:`~.controls.GridSlider` over :func:`one_minus_log_grid`; any other
    beta of the range gets a position too. ``.value`` is beta."""

    lo: float = 0.0
    hi: float = 0.999

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", one_minus_log_grid(self.lo, self.hi))
        object.__setattr__(self, "extend", Range(lo=self.lo, hi=self.hi))


@dataclass(frozen=True)
class Within(Setting):
    """A float in a window that depends on the rest of the config: ``bounds(config)`` gives
    (lo, hi), ``start(config)`` the value taken when it is None or when the setting ``on``
    changes through its control; the slider is refitted to the window with ``steps`` steps.
    ``where(config)`` names the window in the message. (A start point on a cost surface.)"""

    bounds: Callable = None
    start: Callable = None
    on: str = ""
    steps: int = 400
    fmt: str | None = ".2f"
    where: Callable | None = None

    def default_for(self, config):
        return float(self.start(config))

    def check(self, name, value, config):
        if value is None:
            return self.default_for(config)
        lo, hi = self.bounds(config)
        try:
            return float(check_number(name, value, lo, hi))
        except ValueError as exc:
            if self.where is None:
                raise
            raise ValueError(f"{exc} ({self.where(config)})") from None

    def build(self, value, kw):
        fmt = {} if self.fmt is None else {"readout_format": self.fmt}
        return W.FloatSlider(value=value, description=self.label, **fmt, **{**kw, **self.widget})

    def refit(self, slider: W.FloatSlider, config: dict, value: float) -> float:
        """Span the window of ``config`` (widening first, so ``value`` is never clamped) and
        set ``value``; returns the slider's value."""
        lo, hi = self.bounds(config)
        slider.min, slider.max = min(slider.min, lo), max(slider.max, hi)
        slider.value = value
        slider.min, slider.max, slider.step = lo, hi, (hi - lo) / self.steps
        return float(slider.value)
