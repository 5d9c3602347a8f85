"""The experiments package's index (its docstring) and ``__all__`` name every module in
the folder, and nothing else."""

import pkgutil
import re

from dlcourse import experiments


def test_the_index_lists_every_experiments_module():
    modules = {m.name for m in pkgutil.iter_modules(experiments.__path__)}
    indexed = set(re.findall(r"^``(\w+)``", experiments.__doc__, re.M))
    assert indexed == modules
    assert set(experiments.__all__) == modules
