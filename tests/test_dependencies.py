"""The version floors pyproject.toml declares are the versions CI installs and tests.

``constraints-lowest.txt`` pins every runtime dependency at its lower bound; ``.ci/run``
installs the package with it in a second environment (``DLCOURSE_FLOORS=1``) and runs the
unit and widget tests there. ``constraints.txt`` pins the newest versions the course is built
with."""

import os
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins(path: Path) -> dict[str, Version]:
    """``name==version`` lines of a constraints file, by canonical name (``-e`` lines skipped)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, _, pinned = line.partition("==")
            assert pinned, f"{path.name}: not a pin: {line!r}"
            assert canonicalize_name(name) not in pins, f"{path.name}: {name} pinned twice"
            pins[canonicalize_name(name)] = Version(pinned)
    return pins


def _floor(req: Requirement) -> Version:
    """The version of the requirement's ``>=`` bound (every dependency must have one)."""
    floors = [Version(s.version) for s in req.specifier if s.operator == ">="]
    assert len(floors) == 1, f"{req}: needs exactly one >= lower bound"
    return floors[0]


def _floors(requirements: list[str]) -> dict[str, Version]:
    reqs = [Requirement(r) for r in requirements]
    return {canonicalize_name(r.name): _floor(r) for r in reqs}


FLOORS = _floors(PROJECT["dependencies"])


def test_lowest_constraints_pin_every_dependency_at_its_floor():
    assert _pins(ROOT / "constraints-lowest.txt") == FLOORS


def test_the_pinned_versions_lie_within_the_bounds():
    pins = _pins(ROOT / "constraints.txt")
    for text in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"constraints.txt pins no {name}"
        assert req.specifier.contains(pins[name], prereleases=True), (text, str(pins[name]))


def test_binder_installs_the_pinned_versions_and_the_package():
    binder = ROOT / "binder" / "requirements.txt"
    pins = _pins(ROOT / "constraints.txt")
    assert {n: pins.get(n) for n in _pins(binder)} == _pins(binder)
    assert "-e ." in binder.read_text().splitlines()


def test_binder_python_is_one_the_package_accepts():
    """repo2docker reads ``runtime.txt``; its default Python may be older than 3.11."""
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert runtime.startswith("python-")
    requires = SpecifierSet(PROJECT["requires-python"])
    assert requires.contains(Version(runtime.removeprefix("python-")))


# What learners already have: Debian 12 ships numpy 1.24.2, scipy 1.10.1, tqdm 4.64.1 and
# threadpoolctl 3.1.0; the course promises to run on matplotlib 3.8 (Debian 12 and Ubuntu 24.04
# ship 3.6.3, older than the documented artist API the figures use, e.g. ContourSet.remove).
SHIPPED = {
    "numpy": "1.24.2",
    "scipy": "1.10.1",
    "matplotlib": "3.8",
    "tqdm": "4.64.1",
    "threadpoolctl": "3.1.0",
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_floors_include_what_learners_already_have(name):
    assert FLOORS[name] <= Version(SHIPPED[name])


def test_floor_parser_rejects_a_dependency_without_lower_bound():
    with pytest.raises(AssertionError, match="lower bound"):
        _floors(["numpy<3"])


@pytest.mark.skipif(not os.environ.get("DLCOURSE_FLOORS"), reason="not the lowest-versions run")
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_this_environment_has_the_floor(name):
    """In the lowest-versions run the installed versions are the declared floors."""
    assert Version(version(name)) == FLOORS[name]
