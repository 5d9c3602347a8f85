"""The grader's rules, for every exercise check at once (discovered, not listed): a right
answer (the notebooks' solutions, copied here) passes; the same answer made to change an
input in place, to ignore the ``rng`` it is given, or to ignore one numeric argument is
refused, each with the message that names what it did."""

import copy
import importlib
import inspect
import math
import re
from pathlib import Path

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.exercises import topic_checks
from test_exercises_gradient_checking import two_sided_right


# ------------------------------------------------------------------ the right answers
def count_parameters(model):
    """Return the number of trainable numbers of ``model``."""
    return sum(p.value.size for p in model.parameters())


def gd_step(w, dw, lr):
    """Return the weights after one gradient-descent step (a new value)."""
    return w - lr * dw


def two_sided_difference(J, w, eps):
    """Return the centred estimate of dJ/dw at w."""
    return (J(w + eps) - J(w - eps)) / (2 * eps)


def activation_backward(dA, Z, kind, slope=0.01, alpha=1.0):
    """Return dZ = dA * g'(Z) for the activation ``kind``."""
    if kind == "sigmoid":
        s = 0.5 * (1.0 + np.tanh(0.5 * Z))
        return dA * s * (1.0 - s)
    if kind == "tanh":
        return dA * (1.0 - np.tanh(Z) ** 2)
    if kind == "relu":
        return dA * (Z > 0)
    if kind == "leaky_relu":
        return np.where(Z > 0, dA, slope * dA)
    if kind == "elu":
        return np.where(Z > 0, dA, dA * alpha * np.exp(np.minimum(Z, 0.0)))
    raise ValueError(f"unknown kind {kind!r}")


def L_model_forward(X, parameters):
    """Return (ZL, caches) with caches[l-1] = (A_prev, W, b, Z) for layer l."""
    caches, A = [], X
    for l, (W, b) in enumerate(parameters, start=1):
        Z = A @ W.T + b
        caches.append((A, W, b, Z))
        A = np.maximum(Z, 0.0) if l < len(parameters) else Z
    return A, caches


def L_model_backward(dZL, caches):
    """Return [(dW, db) for each layer, layer 1 first]."""
    grads, dZ = [], dZL
    for l in range(len(caches), 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        grads.insert(0, (dZ.T @ A_prev, dZ.sum(axis=0)))
        if l > 1:
            dZ = (dZ @ W) * (caches[l - 2][3] > 0)
    return grads


def he_init(shape, rng):
    """He initialization for W of shape (n_out, n_in), drawn from the Generator ``rng``."""
    n_out, n_in = shape
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)


def diagnose_activations(activations, activation):
    """Return (label, stds) for the list of layer activations of a network."""
    stds = np.array([np.std(A) for A in activations])
    if activation == "tanh" and np.mean(np.abs(activations[-1]) > 0.99) > 0.3:
        return "saturation", stds
    ratio = stds[-1] / stds[0]
    if ratio < 0.1:
        return "collapse", stds
    if ratio > 10:
        return "explosion", stds
    return "healthy", stds


def l2_cost(weights, lambd, m):
    """The L2 term of the cost, summed over every weight matrix in `weights`."""
    total = sum(np.sum(np.square(W)) for W in weights)
    return lambd / (2 * m) * total


def l2_gradient(weights, grads, lambd, m):
    """The gradient of J_reg for each layer, given the data gradients `grads`."""
    return [dW + lambd / m * W for W, dW in zip(weights, grads)]


def dropout_forward(A, keep_prob, rng):
    """Inverted dropout in training: returns (out, D)."""
    D = rng.random(A.shape) < keep_prob
    out = A * D / keep_prob
    return out, D


def dropout_backward(dout, D, keep_prob):
    """The gradient with respect to A, given dout and the forward mask D."""
    return dout * D / keep_prob


def relative_error(g, g_approx):
    """The relative error of the two gradients (0.0 when both are zero)."""
    denominator = np.linalg.norm(g) + np.linalg.norm(g_approx)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(g - g_approx) / denominator)


def find_faulty_layer(model, X):
    """The index of the layer of `model` whose backward pass is wrong, or None."""
    x = X.copy()
    for i, layer in enumerate(model):
        G = np.random.default_rng(0).standard_normal(layer.forward(x).shape)
        layer.zero_grad()
        dx = layer.backward(G)
        J = lambda: float(np.sum(layer.forward(x) * G))
        errors = [dl.relative_error(dx, dl.numerical_gradient(J, x))]
        errors += [
            dl.relative_error(p.grad.copy(), dl.numerical_gradient(J, p.value))
            for p in layer.parameters()
        ]
        if max(errors) > 1e-5:
            return i
        x = layer.forward(x)
    return None


def random_minibatches(X, y, batch_size, rng):
    """One epoch of mini-batches of (X, y): a list of pairs (X_t, y_t)."""
    order = rng.permutation(len(X))
    X_shuffled, y_shuffled = X[order], y[order]
    return [
        (X_shuffled[k : k + batch_size], y_shuffled[k : k + batch_size])
        for k in range(0, len(X), batch_size)
    ]


def ewa_corrected(theta, beta):
    """The bias-corrected exponentially weighted averages of the 1-D series theta."""
    v, out = 0.0, []
    for t, value in enumerate(theta, start=1):
        v = beta * v + (1 - beta) * value
        out.append(v / (1 - beta**t))
    return np.array(out)


def momentum_step(w, grad, v, lr=0.01, beta=0.9):
    """One step of course-form momentum. Returns the new (w, v)."""
    v = beta * v + (1 - beta) * grad
    w = w - lr * v
    return w, v


def adam_step(w, grad, v, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step; t counts from 1. Returns the new (w, v, s), v and s uncorrected."""
    v = beta1 * v + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * grad**2
    v_hat = v / (1 - beta1**t)
    s_hat = s / (1 - beta2**t)
    w = w - lr * v_hat / (np.sqrt(s_hat) + eps)
    return w, v, s


def rmsprop_step(w, grad, s, lr=0.01, beta=0.9, eps=1e-8):
    s = beta * s + (1 - beta) * grad**2
    return w - lr * grad / (np.sqrt(s) + eps), s


def warmup_cosine(lr0, warmup, total, epoch):
    if epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    return 0.5 * lr0 * (1 + math.cos(math.pi * (epoch - warmup) / (total - warmup)))


def inverse_time_decay(lr0, decay_rate, epoch, every=None):
    """The learning rate of epoch `epoch` (from 0) under 1/t decay, or its staircase."""
    t = epoch if every is None else math.floor(epoch / every)
    return lr0 / (1 + decay_rate * t)


def range_test(step, lr_min, lr_max, n, beta=0.9, diverge=4.0):
    """The learning-rate range test loop; returns (lrs, smoothed, suggestion)."""
    lrs = lr_min * (lr_max / lr_min) ** (np.arange(n) / (n - 1))
    smoothed, v = [], 0.0
    for i, lr in enumerate(lrs):
        cost = step(float(lr))
        if not np.isfinite(cost):
            break
        v = beta * v + (1 - beta) * cost
        smoothed.append(v / (1 - beta ** (i + 1)))
        if i > 0 and smoothed[-1] > diverge * min(smoothed):
            break
    smoothed = np.array(smoothed)
    lrs = lrs[: len(smoothed)]
    return lrs, smoothed, float(lrs[np.argmin(smoothed)] / 10)


def sample_log_uniform(low, high, n, rng):
    """n values alpha = 10**r with r ~ U[log10(low), log10(high)], drawn with the Generator rng."""
    r = rng.uniform(np.log10(low), np.log10(high), size=n)
    return 10.0**r


def sample_trials(n, rng, lr_range, beta_range):
    """{"lr": n values, log-uniform on lr_range; "beta": n values, 1 - beta log-uniform}."""
    (lr_low, lr_high), (b_low, b_high) = lr_range, beta_range
    r = rng.uniform(np.log10(lr_low), np.log10(lr_high), size=n)
    s = rng.uniform(np.log10(1 - b_high), np.log10(1 - b_low), size=n)
    return {"lr": 10.0**r, "beta": 1.0 - 10.0**s}


def batchnorm_forward(Z, gamma, beta, eps=1e-5):
    """Training-mode batch norm: mu = mean_i z_i, var = mean_i (z_i - mu)^2 per column,
    Z_norm = (Z - mu) / sqrt(var + eps); returns gamma * Z_norm + beta, shape (m, n)."""
    mu = Z.mean(axis=0)
    var = ((Z - mu) ** 2).mean(axis=0)
    Z_norm = (Z - mu) / np.sqrt(var + eps)
    return gamma * Z_norm + beta


def batchnorm_backward(dZ_tilde, Z, gamma, eps=1e-5):
    """(dZ, dgamma, dbeta) of z_tilde = gamma * (z - mu) / sqrt(var + eps) + beta, batch statistics."""
    m = Z.shape[0]
    mu, var = Z.mean(axis=0), Z.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    Z_norm = (Z - mu) * inv_std
    dZ_norm = dZ_tilde * gamma
    dZ = inv_std / m * (m * dZ_norm - dZ_norm.sum(axis=0) - Z_norm * (dZ_norm * Z_norm).sum(axis=0))
    return dZ, (dZ_tilde * Z_norm).sum(axis=0), dZ_tilde.sum(axis=0)


def update_running(running_mean, running_var, Z, momentum=0.9):
    """Running (mean, var) after one batch: momentum * old + (1 - momentum) * batch statistic."""
    new_mean = momentum * running_mean + (1 - momentum) * Z.mean(axis=0)
    new_var = momentum * running_var + (1 - momentum) * Z.var(axis=0)
    return new_mean, new_var


def batchnorm_predict(Z, gamma, beta, running_mean, running_var, eps=1e-5):
    """Test-mode batch norm: normalise with the running averages, then scale and shift."""
    return gamma * (Z - running_mean) / np.sqrt(running_var + eps) + beta


def stable_softmax(z):
    """Softmax of each row of z (m, C): exp(z - max) / sum(exp(z - max)), max per row."""
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(z, y):
    """(J, dZ): mean cross-entropy of the logits z (m, C) for labels y, and dJ/dz."""
    m = len(y)
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    J = -log_p[np.arange(m), y].mean()
    dZ = np.exp(log_p)
    dZ[np.arange(m), y] -= 1.0
    return J, dZ / m


def expected_initial_loss(n_classes):
    """The softmax cross-entropy when every class has probability 1/C: -log(1/C) = log C."""
    return float(np.log(n_classes))


def newton_path(grad_fn, hess_fn, w0, steps, damping=0.0):
    """The points w_0 .. w_steps of damped Newton's method, shape (steps + 1, d)."""
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        H = hess_fn(w) + damping * np.eye(w.size)
        w = w - np.linalg.solve(H, grad_fn(w))
        path.append(w.copy())
    return np.array(path)


def diagnose_run(losses, n_classes):
    """'diverged', 'rising', 'flat', 'chance' or 'ok' (rules above, in order)."""
    losses = np.asarray(losses, dtype=float)
    if not np.all(np.isfinite(losses)):
        return "diverged"
    first, last = losses[0], losses[-1]
    if last > first:
        return "rising"
    if first - last < 0.01 * abs(first):
        return "flat"
    if abs(last - np.log(n_classes)) < 0.05 * np.log(n_classes):
        return "chance"
    return "ok"


SOLUTIONS = {
    "deep_network.check_count_parameters": count_parameters,
    "gradient_descent.check_gd_step": gd_step,
    "gradient_descent.check_two_sided_difference": two_sided_difference,
    "activations.check_activation_backward": activation_backward,
    "deep_network.check_L_model_forward": L_model_forward,
    "deep_network.check_L_model_backward": L_model_backward,
    "initialization.check_he_init": he_init,
    "initialization.check_diagnose_activations": diagnose_activations,
    "regularization.check_l2_cost": l2_cost,
    "regularization.check_l2_gradient": l2_gradient,
    "regularization.check_dropout_forward": dropout_forward,
    "regularization.check_dropout_backward": dropout_backward,
    "gradient_checking.check_two_sided_gradient": two_sided_right,
    "gradient_checking.check_relative_error": relative_error,
    "gradient_checking.check_find_faulty_layer": find_faulty_layer,
    "minibatches.check_minibatches": random_minibatches,
    "minibatches.check_ewa_corrected": ewa_corrected,
    "optimizers.check_momentum_step": momentum_step,
    "optimizers.check_adam_step": adam_step,
    "optimizers.check_rmsprop_step": rmsprop_step,
    "schedules.check_inverse_time_decay": inverse_time_decay,
    "schedules.check_range_test": range_test,
    "schedules.check_warmup_cosine": warmup_cosine,
    "search.check_log_uniform": sample_log_uniform,
    "search.check_sample_trials": sample_trials,
    "batchnorm.check_batchnorm_forward": batchnorm_forward,
    "batchnorm.check_batchnorm_backward": batchnorm_backward,
    "batchnorm.check_running_averages": update_running,
    "batchnorm.check_batchnorm_predict": batchnorm_predict,
    "softmax.check_stable_softmax": stable_softmax,
    "softmax.check_softmax_cross_entropy": softmax_cross_entropy,
    "recipe.check_expected_initial_loss": expected_initial_loss,
    "recipe.check_newton_path": newton_path,
    "recipe.check_diagnose_run": diagnose_run,
}


def topic_answer_sets(prefix: str) -> dict:
    """The ``{check: value}`` dicts whose names start with ``prefix`` (``SOLUTIONS`` or ``WRONG``) in every
    ``test_grader_wrong_answers_<topic>.py`` (each topic keeps its answers beside its tests)."""
    found: dict = {}
    for path in sorted(Path(__file__).parent.glob("test_grader_wrong_answers_*.py")):
        module = importlib.import_module(path.stem)
        for name, value in vars(module).items():
            if name.startswith(prefix) and isinstance(value, dict):
                found.update(value)
    return found


SOLUTIONS.update(topic_answer_sets("SOLUTIONS"))
CHECKS = topic_checks()
IDS = sorted(CHECKS)


def test_every_check_has_a_right_answer_here():
    assert set(SOLUTIONS) == set(CHECKS)


@pytest.mark.parametrize("key", IDS)
def test_the_right_answer_passes(key):
    result = CHECKS[key](SOLUTIONS[key])
    assert result.passed, result.message


# ------------------------------------------------------------------ an input changed in place
def _copy_data(value):
    """Arrays, lists, tuples and dicts copied; anything else (a generator, a model, a
    function) passed as it is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copy_data(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy_data(v) for k, v in value.items()}
    return value


def _spoil(value) -> bool:
    """Change the first array inside ``value`` in place (a model: its first weight);
    True when there was one."""
    if isinstance(value, np.ndarray) and value.size and value.flags.writeable:
        if value.dtype == bool:
            value[...] = ~value
        else:
            value += 1
        return True
    if isinstance(value, list) and value and _numeric(value[0]):
        value[0] += 1
        return True
    if isinstance(value, (list, tuple)):
        return any(_spoil(v) for v in value)
    if isinstance(value, dict):
        return any(_spoil(v) for v in value.values())
    if isinstance(value, dl.Layer):
        params = list(value.parameters())
        return bool(params) and _spoil(params[0].value)
    return False


# the exercises whose inputs hold no array (numbers, functions, generators only)
NOTHING_TO_CHANGE = {
    "gradient_descent.check_small_graph_backward",
    "gradient_descent.check_two_sided_difference",
    "initialization.check_he_init",
    "schedules.check_inverse_time_decay",
    "schedules.check_range_test",
    "schedules.check_warmup_cosine",
    "search.check_coarse_to_fine",
    "search.check_log_uniform",
    "search.check_sample_trials",
    "recipe.check_expected_initial_loss",
}


@pytest.mark.parametrize("key", IDS)
def test_an_answer_that_changes_an_input_in_place_is_refused(key):
    solution, spoiled = SOLUTIONS[key], []

    @_same_signature(solution)
    def changes_its_input(*args, **kwargs):
        out = solution(*_copy_data(args), **_copy_data(kwargs))
        spoiled.append(_spoil(args) or _spoil(kwargs))
        return out

    message = CHECKS[key](changes_its_input).message
    if key in NOTHING_TO_CHANGE:
        assert not any(spoiled) and message.endswith("correct"), message
    else:
        assert "in place — work on a copy" in message, message


def _same_signature(solution):
    def wrap(fn):
        fn.__signature__ = inspect.signature(solution)
        fn.__name__ = solution.__name__
        return fn

    return wrap


# ------------------------------------------------------------------ the rng ignored
RANDOM = sorted(k for k in IDS if "rng" in inspect.signature(SOLUTIONS[k]).parameters)


def test_the_random_exercises_are_the_six_expected():
    assert RANDOM == [
        "initialization.check_he_init",
        "minibatches.check_minibatches",
        "regularization.check_dropout_forward",
        "search.check_coarse_to_fine",
        "search.check_log_uniform",
        "search.check_sample_trials",
    ]


def _with_rng(solution, replace):
    @_same_signature(solution)
    def answer(*args, **kwargs):
        bound = inspect.signature(solution).bind(*args, **kwargs)
        bound.arguments["rng"] = replace(bound.arguments["rng"])
        return solution(*bound.args, **bound.kwargs)

    return answer


def _global_generator(rng):
    np.random.seed(0)
    return np.random.default_rng(np.random.randint(2**31))


def _kept(solution):
    kept = {}

    @_same_signature(solution)
    def answer(*args, **kwargs):
        key = repr([a for a in args if not isinstance(a, np.random.Generator)])
        if key not in kept:
            kept[key] = solution(*args, **kwargs)
        return copy.deepcopy(kept[key])

    return answer


@pytest.mark.parametrize("key", RANDOM)
@pytest.mark.parametrize(
    "make, words",
    [
        (
            lambda s: _with_rng(s, lambda rng: np.random.default_rng(0)),
            "different seeds gave the same",
        ),
        (lambda s: _with_rng(s, lambda rng: np.random.default_rng()), "same seed|seeded alike"),
        (lambda s: _with_rng(s, _global_generator), "numpy's global generator"),
        (lambda s: _with_rng(s, copy.deepcopy), "two calls in a row"),
        (_kept, "same"),
    ],
    ids=[
        "own-seeded-generator",
        "own-unseeded-generator",
        "global-seed",
        "copied-rng",
        "kept-draw",
    ],
)
def test_an_answer_that_ignores_its_rng_is_refused(key, make, words):
    state = np.random.get_state()
    message = CHECKS[key](make(SOLUTIONS[key])).message
    assert not message.endswith("correct") and re.search(words, message), message
    after = np.random.get_state()
    assert np.array_equal(after[1], state[1]) and after[2] == state[2]  # the grader restored it


# ------------------------------------------------------------------ an argument ignored
def _recorded_calls(key) -> list[dict]:
    solution, calls = SOLUTIONS[key], []

    @_same_signature(solution)
    def recording(*args, **kwargs):
        bound = inspect.signature(solution).bind(*args, **kwargs)
        bound.apply_defaults()
        calls.append(dict(bound.arguments))
        return solution(*args, **kwargs)

    assert CHECKS[key](recording).passed
    return calls


def _numeric(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


@pytest.mark.parametrize("key", IDS)
def test_an_answer_that_ignores_a_numeric_argument_is_refused(key):
    calls = _recorded_calls(key)
    names = [
        name
        for name in inspect.signature(SOLUTIONS[key]).parameters
        if any(_numeric(call[name]) for call in calls)
    ]
    solution = SOLUTIONS[key]
    for name in names:
        frozen = calls[0][name]

        @_same_signature(solution)
        def ignores(*args, **kwargs):
            bound = inspect.signature(solution).bind(*args, **kwargs)
            bound.apply_defaults()
            bound.arguments[name] = frozen
            return solution(*bound.args, **bound.kwargs)

        result = CHECKS[key](ignores)
        assert not result.passed, f"{key}: {name} fixed at {frozen!r} passes"


# ------------------------------------------------------------------ the declarations
def test_every_check_declares_its_exercise_and_every_forbidden_name_resolves():
    from dlcourse.exercises.grader import _resolve

    for key, check in CHECKS.items():
        spec = getattr(check, "exercise", None)
        assert spec is not None, key
        for dotted in spec.forbidden:
            fn = _resolve(dotted)
            fn = getattr(fn, "__func__", fn)
            assert inspect.isfunction(fn) and not fn.__code__.co_freevars, dotted


def test_a_blocked_function_is_restored_even_when_the_answer_raises():
    from dlcourse.gradcheck import numerical_gradient

    code = numerical_gradient.__code__

    def raises_inside(f, x, eps):
        numerical_gradient(lambda: f(x), x, eps)

    message = CHECKS["gradient_checking.check_two_sided_gradient"](raises_inside).message
    assert "called the package's `gradcheck.numerical_gradient`" in message, message
    assert numerical_gradient.__code__ is code
    x = np.ones(2)
    assert np.allclose(numerical_gradient(lambda: float(np.sum(x**2)), x), 2.0)


# ------------------------------------------------------------------ cases the notebook never shows
def _inputs_seen(key) -> list:
    seen, solution = [], SOLUTIONS[key]

    @_same_signature(solution)
    def recording(*args, **kwargs):
        seen.append(args)
        return solution(*args, **kwargs)

    assert CHECKS[key](recording).passed
    return seen


def test_the_bug_hunt_is_graded_on_networks_the_notebook_does_not_build():
    from dlcourse.exercises.gradient_checking import mystery_model

    shown = [mystery_model(k) for k in range(5)]
    seen = _inputs_seen("gradient_checking.check_find_faulty_layer")
    assert len(seen) == 8
    for model, X in seen:
        for shown_model, shown_X in shown:
            assert X.shape != shown_X.shape or not np.allclose(X, shown_X)
            weights = [p.value for p in model.parameters()]
            shown_weights = [p.value for p in shown_model.parameters()]
            assert [w.shape for w in weights] != [w.shape for w in shown_weights] or not all(
                np.allclose(a, b) for a, b in zip(weights, shown_weights)
            )
        # a faulty layer is an instance of the package's own class: its name tells nothing
        assert {type(layer).__name__ for layer in model} <= {"Dense", "Tanh", "ReLU"}


def test_the_diagnosis_is_graded_on_other_networks_than_the_notebooks_experiment():
    seen = _inputs_seen("initialization.check_diagnose_activations")
    # notebook 04's experiment: 10 layers of 100 units on 1000 examples
    assert all(acts[0].shape != (1000, 100) for acts, _ in seen)
    assert len({len(acts) for acts, _ in seen}) >= 3  # several depths
