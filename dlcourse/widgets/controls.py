"""Widgets the dashboards share that ipywidgets does not have (the controls that
:mod:`dlcourse.widgets.settings` declarations build, and a row of checkboxes)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ipywidgets as W
import traitlets

from .._checks import is_real

__all__ = [
    "CheckboxGroup",
    "GridSlider",
    "OptionGroup",
    "ToggleGroup",
    "WidthsControl",
    "same_value",
]


def same_value(a, b) -> bool:
    """Equal, or two reals equal to 1e-9 (a value a hair off a slider's grid point)."""
    if is_real(a) and is_real(b):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b


class OptionGroup(W.HBox):
    """A row of on/off parts (one per option) whose ``value`` is the tuple of the options
    that are on, in the order of ``options``. Setting ``value`` switches the parts; switching
    one part changes ``value`` once. ``parts`` maps each option to its widget.

    (A widget's names with one leading underscore are ipywidgets' own: its subclasses here
    use public names only.)"""

    value = traitlets.Tuple()

    def __init__(self, options, value, parts: dict, head: list, **kwargs) -> None:
        self.options = tuple(options)
        self.busy = False
        self.parts = parts
        super().__init__(head + list(parts.values()), **kwargs)
        self.value = tuple(value)
        for part in parts.values():
            part.observe(self.from_parts, names="value")
        self.observe(self.to_parts, names="value")

    @traitlets.validate("value")
    def valid_value(self, proposal):
        chosen = tuple(proposal["value"])
        unknown = [c for c in chosen if c not in self.options]
        if unknown:
            raise traitlets.TraitError(f"unknown option(s) {unknown}; valid: {list(self.options)}")
        return tuple(o for o in self.options if o in chosen)

    def from_parts(self, _change) -> None:
        if not self.busy:
            self.value = tuple(o for o, part in self.parts.items() if part.value)

    def to_parts(self, change) -> None:
        self.busy = True
        try:
            for o, part in self.parts.items():
                part.value = o in change["new"]
        finally:
            self.busy = False


class CheckboxGroup(OptionGroup):
    """A row of checkboxes (``checkboxes``: option -> box), an :class:`OptionGroup`."""

    def __init__(self, options, value=(), description: str = "", labels=None) -> None:
        labels = dict(labels or {})
        self.checkboxes = {
            o: W.Checkbox(
                value=o in value,
                description=labels.get(o, o),
                indent=False,
                layout=W.Layout(width="auto"),
            )
            for o in options
        }
        super().__init__(options, value, self.checkboxes, [W.Label(description)])


# ------------------------------------------------------------------ the beta slider
class GridSlider(W.SelectionSlider):
    """A SelectionSlider over a grid of values that also takes any value ``accepts(value)``
    allows: the value gets a position on the grid, in order. A value within 1e-9 of a grid
    point is that point. ``.value`` is the value itself (beta, not 1 - beta).

    A new value rebuilds ``options`` (public API), which moves the selection to the first
    option for a moment: ``rebuilding`` is True meanwhile (the dashboards ignore that
    change). ``accept_value`` is this class's validator of ``value`` (traitlets keeps one
    validator per trait: a subclass's own replaces the inherited one)."""

    def __init__(self, grid, accepts: Callable[[Any], bool], value, **kwargs) -> None:
        self.grid_values, self.accepts, self.rebuilding = tuple(grid), accepts, False
        super().__init__(options=self.with_values(value), value=value, equals=same_value, **kwargs)

    def with_values(self, *values) -> tuple:
        """The grid with ``values`` added in order (those not already on it)."""
        extra = [v for v in values if not any(same_value(v, g) for g in self.grid_values)]
        return tuple(sorted({*self.grid_values, *extra}))

    @traitlets.validate("value")
    def accept_value(self, proposal):
        value = proposal.value
        match = [v for v in self.options if same_value(v, value)]
        if match:
            return match[0]
        if value is None or not self.accepts(value):
            raise traitlets.TraitError(f"Invalid selection: {value!r} is not a valid value")
        self.rebuilding = True
        try:
            self.options = self.with_values(self.value, value)
        finally:
            self.rebuilding = False
        return value


# ------------------------------------------------------------------ lists of names, widths
class ToggleGroup(OptionGroup):
    """A row of toggle buttons (wrapping), an :class:`OptionGroup`
    whose ``toggles`` maps each option to its button."""

    def __init__(
        self,
        options,
        value=(),
        description: str = "",
        labels=None,
        button_width: str = "62px",
        **kwargs,
    ) -> None:
        self.options = tuple(options)
        labels = dict(labels or {})
        self.toggles = {
            o: W.ToggleButton(
                value=o in value,
                description=labels.get(o, o),
                tooltip=f"{description or 'option'} {labels.get(o, o)}",
                layout=W.Layout(width=button_width, flex="0 0 auto"),
            )
            for o in self.options
        }
        head = [W.Label(description)] if description else []
        super().__init__(options, value, self.toggles, head, **kwargs)
        self.layout.flex_flow = "row wrap"
        for o, t in self.toggles.items():
            t.add_class(f"toggle-{o}")


class WidthsControl(W.VBox):
    """Hidden-layer widths, as in the TensorFlow Playground: − / + remove or add a layer
    (``minus``, ``plus``; ``count`` says how many), and under them one − n + per layer
    (``unit_buttons``: a (minus, label, plus) per layer, in ``units_box``). ``value`` is the
    tuple of widths; a button press changes it once."""

    value = traitlets.Tuple()

    def __init__(
        self,
        value=(),
        lo: int = 1,
        hi: int = 8,
        max_len: int = 6,
        new: int = 4,
        description: str = "",
        **kwargs,
    ) -> None:
        self.lo, self.hi, self.max_len, self.new = lo, hi, max_len, new
        self.minus, self.plus = _button("−", "34px"), _button("+", "34px")
        self.minus.add_class("widths-minus")
        self.plus.add_class("widths-plus")
        self.minus.on_click(lambda _: self.set_widths(self.value[:-1]))
        self.plus.on_click(
            lambda _: self.set_widths((*self.value, self.value[-1] if self.value else self.new))
        )
        self.count = W.HTML(layout=W.Layout(width="120px"))
        self.units_box = W.HBox(layout=W.Layout(flex_flow="row wrap", width="320px"))
        self.unit_buttons: list[tuple[W.Button, W.HTML, W.Button]] = []
        head = [W.Label(description)] if description else []
        super().__init__(
            [W.HBox(head + [self.minus, self.plus, self.count]), self.units_box], **kwargs
        )
        self.observe(self.show_widths, names="value")
        self.value = tuple(value)
        self.show_widths()

    @traitlets.validate("value")
    def valid_widths(self, proposal):
        widths = tuple(int(w) for w in proposal["value"])
        if len(widths) > self.max_len or any(not self.lo <= w <= self.hi for w in widths):
            raise traitlets.TraitError(
                f"widths must be at most {self.max_len} ints in "
                f"[{self.lo}, {self.hi}], got {widths}"
            )
        return widths

    def set_widths(self, widths) -> None:
        if len(widths) <= self.max_len:
            self.value = tuple(widths)

    def change_units(self, layer: int, delta: int) -> None:
        widths = list(self.value)
        widths[layer] = min(max(widths[layer] + delta, self.lo), self.hi)
        self.value = tuple(widths)

    def show_widths(self, _change=None) -> None:
        n = len(self.value)
        self.count.value = f"<b>{n}</b> hidden layer{'s' if n != 1 else ''}"
        self.minus.disabled, self.plus.disabled = n == 0, n >= self.max_len
        while len(self.unit_buttons) < n:
            i = len(self.unit_buttons)
            minus, plus = _button("−", "26px"), _button("+", "26px")
            minus.add_class(f"units-minus-{i}")
            plus.add_class(f"units-plus-{i}")
            minus.on_click(lambda _, i=i: self.change_units(i, -1))
            plus.on_click(lambda _, i=i: self.change_units(i, +1))
            self.unit_buttons.append((minus, W.HTML(layout=W.Layout(width="22px")), plus))
        boxes = []
        for i, units in enumerate(self.value):
            minus, label, plus = self.unit_buttons[i]
            label.value = f"<div style='text-align:center'><b>{units}</b></div>"
            minus.disabled, plus.disabled = units <= self.lo, units >= self.hi
            boxes.append(
                W.VBox(
                    [W.HTML(f"<small>L{i + 1}</small>"), W.HBox([minus, label, plus])],
                    layout=W.Layout(margin="0 6px 0 0"),
                )
            )
        self.units_box.children = boxes


def _button(text: str, width: str) -> W.Button:
    return W.Button(description=text, layout=W.Layout(width=width, padding="0"))
