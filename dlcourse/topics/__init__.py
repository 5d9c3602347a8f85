"""Lesson numerics: the computations behind one syllabus idea each (numpy only).

Notebooks and dashboards read them; each module says which notebooks use it:
``gd1d`` (01), ``ewa`` (07, 08),
``momentum_theory`` (08), ``lr_finder`` (09), ``second_order`` (13), ``babysit`` (13),
``ensemble`` (05, 13), ``augment`` (05, 13), ``transfer`` (13). The one descent-path
runner they share is core: :mod:`dlcourse.descent`.
"""

__all__ = [  # the modules (import them by name: nothing is imported here)
    "augment",
    "babysit",
    "ensemble",
    "ewa",
    "gd1d",
    "lr_finder",
    "momentum_theory",
    "second_order",
    "transfer",
]
