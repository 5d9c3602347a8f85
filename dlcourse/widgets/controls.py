"""Widgets the dashboards share that ipywidgets does not have."""

from __future__ import annotations

import ipywidgets as W
import traitlets

__all__ = ["CheckboxGroup"]


class CheckboxGroup(W.HBox):
    """A row of checkboxes whose ``value`` is the tuple of the ticked options (in the order
    of ``options``). Setting ``value`` ticks the boxes; ticking a box changes ``value`` once."""

    value = traitlets.Tuple()

    def __init__(self, options, value=(), description: str = "", labels=None) -> None:
        self.options = tuple(options)
        labels = dict(labels or {})
        self._busy = False
        self.checkboxes = {
            o: W.Checkbox(
                value=o in value,
                description=labels.get(o, o),
                indent=False,
                layout=W.Layout(width="auto"),
            )
            for o in self.options
        }
        super().__init__([W.Label(description)] + list(self.checkboxes.values()))
        self.value = tuple(value)
        for box in self.checkboxes.values():
            box.observe(self._from_boxes, names="value")
        self.observe(self._to_boxes, names="value")

    @traitlets.validate("value")
    def _valid(self, proposal):
        chosen = tuple(proposal["value"])
        unknown = [c for c in chosen if c not in self.options]
        if unknown:
            raise traitlets.TraitError(f"unknown option(s) {unknown}; valid: {list(self.options)}")
        return tuple(o for o in self.options if o in chosen)

    def _from_boxes(self, _change) -> None:
        if not self._busy:
            self.value = tuple(o for o, box in self.checkboxes.items() if box.value)

    def _to_boxes(self, change) -> None:
        self._busy = True
        try:
            for o, box in self.checkboxes.items():
                box.value = o in change["new"]
        finally:
            self._busy = False
