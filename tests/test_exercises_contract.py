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

MACHINERY = {"catalog", "fallback", "grader", "progress", "questions"}


def _discover():
    found = []
    for info in pkgutil.iter_modules(exercises.__path__):
        if info.name in MACHINERY:
            continue
        module = importlib.import_module(f"dlcourse.exercises.{info.name}")
        for attr in sorted(vars(module)):
            value = getattr(module, attr)
            if (
                attr.startswith("check_")
                and callable(value)
                and value.__module__ == module.__name__
            ):
                found.append(pytest.param(value, id=f"{info.name}.{attr}"))
    return found


CHECKS = _discover()


def test_discovery_finds_the_checks_of_every_topic_module():
    topics = {p.id.split(".")[0] for p in CHECKS}
    modules = {i.name for i in pkgutil.iter_modules(exercises.__path__)} - MACHINERY
    assert topics == modules and len(CHECKS) >= len(modules)
    assert set(exercises.topic_checks()) == {p.id for p in CHECKS}


@pytest.mark.parametrize("check", CHECKS)
def test_every_check_is_declared_graded_where_it_is_defined(check):
    assert getattr(check, "__graded__", False), "decorate it with @graded"


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


# the checks where None is a legitimate answer (grader.accepts_none): there it gets a hint
NONE_IS_AN_ANSWER = {"gradient_checking.check_find_faulty_layer"}


@pytest.mark.parametrize("check", CHECKS)
def test_returning_none_is_told_to_return(check):
    def forgot_return(*args, **kwargs):
        _ = args

    message = _run(check, forgot_return).message
    if getattr(check, "none_is_an_answer", False):
        assert "did you forget `return`" not in message and "raised" not in message, message
        assert "not yet — case 1" in message and "Hint: " in message, message
    else:
        assert "returned None — did you forget `return`?" in message


def test_none_is_an_answer_only_where_it_is_declared():
    marked = {p.id for p in CHECKS if getattr(p.values[0], "none_is_an_answer", False)}
    assert marked == NONE_IS_AN_ANSWER


def test_accepts_none_lets_none_reach_the_check():
    from dlcourse.exercises.grader import Case, accepts_none, graded, run_cases

    def check_plain(fn):
        return run_cases("plain", fn, [Case((1,), None, "return None here"), Case((2,), 2.0, "2")])

    @accepts_none
    def check_lenient(fn):
        return run_cases(
            "lenient", fn, [Case((1,), 1.0, "return x for x = 1")], none_is_an_answer=True
        )

    plain, lenient = graded(check_plain), graded(check_lenient)
    assert lenient.none_is_an_answer and not getattr(plain, "none_is_an_answer", False)
    assert graded(lenient) is lenient

    def nothing(x):
        return None

    assert (
        plain(nothing).message == "nothing: your function returned None — did you forget `return`?"
    )
    result = lenient(nothing)
    assert not result.passed and "did you forget" not in result.message, result.message
    assert result.message.startswith("lenient: not yet — case 1")
    assert "Hint: return x for x = 1" in result.message
    assert lenient(lambda x: float(x)).passed
    from dlcourse.exercises.gradient_checking import check_find_faulty_layer

    message = check_find_faulty_layer(lambda model, X: None).message
    assert "found no faulty layer" in message and "did you forget" not in message, message


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
        nan = np.log(np.float64(-1.0))  # RuntimeWarning: invalid value
        _ = np.ones(3) / np.zeros(3)  # RuntimeWarning: divide by zero
        warnings.warn("learner warning", RuntimeWarning)
        return np.full(np.shape(args[0]) if args else (), nan)

    _run(check, noisy)


@pytest.mark.parametrize("check", CHECKS)
def test_not_a_function_is_a_message(check):
    assert (
        "expected a function" in _run(check, 3.0).message or "not yet" in _run(check, 3.0).message
    )


def test_wrong_kind_says_what_it_got_and_what_was_expected():
    from dlcourse.exercises.activations import check_activation_backward

    message = check_activation_backward(lambda dA, Z, kind, slope=0.01, alpha=1.0: "0.25").message
    assert "you returned a str" in message and "expected an array of shape" in message
    message = check_activation_backward(lambda dA, Z, kind, slope=0.01, alpha=1.0: (Z, Z)).message
    assert "you returned a tuple of length 2" in message


def test_wrong_shape_says_both_shapes():
    from dlcourse.exercises.activations import check_activation_backward

    message = check_activation_backward(
        lambda dA, Z, kind, slope=0.01, alpha=1.0: np.zeros(7)
    ).message
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
    from dlcourse.exercises.activations import check_activation_backward

    before = list(warnings.filters)
    check_activation_backward(lambda dA, Z, kind, slope=0.01, alpha=1.0: np.log(-Z))
    assert list(warnings.filters) == before and np.geterr()["invalid"] == "warn"
