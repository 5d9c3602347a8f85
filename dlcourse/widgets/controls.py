"""Widgets the dashboards share that ipywidgets does not have."""

from __future__ import annotations

import ipywidgets as W
import traitlets

__all__ = ["CheckboxGroup", "OptionGroup"]


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
