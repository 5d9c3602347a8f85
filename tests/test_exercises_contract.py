"""The grader's promises, for every exercise check of every topic module (discovered, not
listed): a learner's ``None``, an unwritten stub, an exception and a floating-point warning
each give a one-line CheckResult, and the check never raises nor lets a warning out."""
import importlib
import pkgutil
import warnings

import numpy as np
import pytest

import dlcourse.exercises as exercises
from dlcourse.exercises.grader import CheckResult, describe_inputs

MACHINERY = {"fallback", "grader", "progress", "questions"}


def _discover():
    found = []
    for info in pkgutil.iter_modules(exercises.__path__):
        if info.name in MACHINERY:
            continue
        module = importlib.import_module(f"dlcourse.exercises.{info.name}")
        for attr in sorted(vars(module)):
            value = getattr(module, attr)
            if attr.startswith("check_") and callable(value) and value.__module__ == module.__name__:
                found.append(pytest.param(value, id=f"{info.name}.{attr}"))
    return found


CHECKS = _discover()


def test_discovery_finds_the_checks_of_every_topic_module():
    topics = {p.id.split(".")[0] for p in CHECKS}
    modules = {i.name for i in pkgutil.iter_modules(exercises.__path__)} - MACHINERY
    assert topics == modules and len(CHECKS) >= len(modules)
    assert set(exercises.topic_checks()) == {p.id for p in CHECKS}


def _run(check, fn) -> CheckResult:
    """Run the check with every warning turned into an error: none may escape."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            result = check(fn)
    assert isinstance(result, CheckResult), type(result)
    assert not result.passed
    assert "\n" not in result.message and "Traceback" not in result.message
    return result


@pytest.mark.parametrize("check", CHECKS)
def test_returning_none_is_told_to_return(check):
    def forgot_return(*args, **kwargs):
        _ = args
    assert "returned None — did you forget `return`?" in _run(check, forgot_return).message


@pytest.mark.parametrize("check", CHECKS)
def test_stub_says_not_written_yet(check):
    def stub(*args, **kwargs):
        raise NotImplementedError()
    assert "not written yet" in _run(check, stub).message


@pytest.mark.parametrize("check", CHECKS)
def test_exception_is_named_with_the_failing_inputs(check):
    seen = []

    def broken(*args, **kwargs):
        seen.append(describe_inputs(broken, args, kwargs))
        raise ValueError("learner-bug-42")
    message = _run(check, broken).message
    assert "ValueError" in message and "learner-bug-42" in message, message
    assert seen and seen[-1] in message, message
    assert "on the case with inputs " in message, message


@pytest.mark.parametrize("check", CHECKS)
def test_warnings_of_the_learners_code_never_escape(check):
    def noisy(*args, **kwargs):
        nan = np.log(np.float64(-1.0))          # RuntimeWarning: invalid value
        _ = np.ones(3) / np.zeros(3)            # RuntimeWarning: divide by zero
        warnings.warn("learner warning", RuntimeWarning)
        return np.full(np.shape(args[0]) if args else (), nan)
    _run(check, noisy)


@pytest.mark.parametrize("check", CHECKS)
def test_not_a_function_is_a_message(check):
    assert "expected a function" in _run(check, 3.0).message or "not yet" in _run(check, 3.0).message


def test_wrong_kind_says_what_it_got_and_what_was_expected():
    from dlcourse.exercises.activations import check_sigmoid_derivative
    message = check_sigmoid_derivative(lambda z: "0.25").message
    assert "you returned a str" in message and "expected an array of shape" in message
    message = check_sigmoid_derivative(lambda z: (z, z)).message
    assert "you returned a tuple of length 2" in message


def test_wrong_shape_says_both_shapes():
    from dlcourse.exercises.activations import check_sigmoid_derivative
    message = check_sigmoid_derivative(lambda z: np.zeros(7)).message
    assert "you returned shape (7,), expected (" in message


def test_describe_inputs_names_the_parameters():
    def f(X, lr, rng=None):
        pass
    text = describe_inputs(f, (np.zeros((2, 3)), 0.5), {})
    assert text == "inputs X: an array of shape (2, 3), lr: a number (0.5)"


def test_graded_is_idempotent_and_catches_a_check_that_breaks_on_an_odd_answer():
    from dlcourse.exercises.grader import graded

    def check_odd(fn):
        return fn(np.ones(2)).reshape(5)  # a check that assumes too much about the answer
    guarded = graded(check_odd)
    assert graded(guarded) is guarded
    result = guarded(lambda z: z)
    assert isinstance(result, CheckResult) and not result.passed
    assert "could not use your function's answer" in result.message


def test_a_warning_inside_a_check_does_not_change_the_callers_filters():
    from dlcourse.exercises.activations import check_sigmoid_derivative
    before = list(warnings.filters)
    check_sigmoid_derivative(lambda z: np.log(-z))
    assert list(warnings.filters) == before and np.geterr()["invalid"] == "warn"
