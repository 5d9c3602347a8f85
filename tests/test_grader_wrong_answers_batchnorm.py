"""Notebook 11's backward pass on the computation graph: the right answer passes, and the
wrong answers learners write are refused, each with the hint that names the first wrong
node.

``WRONG`` and ``SOLUTIONS`` have the layout of ``test_grader_wrong_answers.WRONG`` and
``test_grader_properties.SOLUTIONS`` (key ``"batchnorm.check_batchnorm_backward_graph"``)."""

import numpy as np

import dlcourse as dl
from dlcourse.exercises import topic_checks
from dlcourse.experiments.bn_compare import graph_backward
from dlcourse.layers import batchnorm_backward, batchnorm_forward

KEY = "batchnorm.check_batchnorm_backward_graph"
CHECK = topic_checks()[KEY]
SHORTCUT = "which this exercise asks you to write yourself"
FIRST = "is the first wrong adjoint"


def batchnorm_backward_graph(dZ_tilde, Z, gamma, eps):
    """The adjoints of every node of training-mode batch norm, from the last to the first."""
    m = Z.shape[0]
    mu = Z.mean(axis=0)
    C = Z - mu
    var = (C**2).mean(axis=0)
    s = (var + eps) ** -0.5
    Z_norm = C * s
    dbeta = dZ_tilde.sum(axis=0)
    dgamma = (dZ_tilde * Z_norm).sum(axis=0)
    dZ_norm = dZ_tilde * gamma
    dinv_std = (dZ_norm * C).sum(axis=0)
    dvar = -0.5 * (var + eps) ** -1.5 * dinv_std
    dC = dZ_norm * s + 2.0 / m * C * dvar
    dmu = -dC.sum(axis=0)
    return dC + dmu / m, dgamma, dbeta, dZ_norm, dinv_std, dvar, dC, dmu


SOLUTIONS = {KEY: batchnorm_backward_graph}


def _changed(**change):
    """The right answer with one adjoint computed by ``change[name](parts)``."""

    def fn(dZ_tilde, Z, gamma, eps):
        m = Z.shape[0]
        C = Z - Z.mean(axis=0)
        var = (C**2).mean(axis=0)
        s = (var + eps) ** -0.5
        p = {"m": m, "C": C, "var": var, "s": s, "Z_norm": C * s, "d": dZ_tilde, "g": gamma}
        p["eps"] = eps
        order = [
            ("dbeta", lambda p: p["d"].sum(0)),
            ("dgamma", lambda p: (p["d"] * p["Z_norm"]).sum(0)),
            ("dZ_norm", lambda p: p["d"] * p["g"]),
            ("dinv_std", lambda p: (p["dZ_norm"] * p["C"]).sum(0)),
            ("dvar", lambda p: -0.5 * (p["var"] + p["eps"]) ** -1.5 * p["dinv_std"]),
            ("dC", lambda p: p["dZ_norm"] * p["s"] + 2.0 / p["m"] * p["C"] * p["dvar"]),
            ("dmu", lambda p: -p["dC"].sum(0)),
            ("dZ", lambda p: p["dC"] + p["dmu"] / p["m"]),
        ]
        for name, rule in order:
            p[name] = change.get(name, rule)(p)
        keys = ("dZ", "dgamma", "dbeta", "dZ_norm", "dinv_std", "dvar", "dC", "dmu")
        return tuple(p[k] for k in keys)

    return fn


def _eps_outside(dZ_tilde, Z, gamma, eps):
    return (
        batchnorm_backward_graph(dZ_tilde, Z, gamma, 0.0)
        if False
        else _changed(dgamma=lambda p: (p["d"] * p["C"] / (np.sqrt(p["var"]) + p["eps"])).sum(0))(
            dZ_tilde, Z, gamma, eps
        )
    )


def _compact_only(dZ_tilde, Z, gamma, eps):
    m = Z.shape[0]
    xhat = (Z - Z.mean(0)) / np.sqrt(Z.var(0) + eps)
    dxh = dZ_tilde * gamma
    dZ = (m * dxh - dxh.sum(0) - xhat * (dxh * xhat).sum(0)) / (m * np.sqrt(Z.var(0) + eps))
    zeros = np.zeros(Z.shape[1])
    return dZ, (dZ_tilde * xhat).sum(0), dZ_tilde.sum(0), 0 * Z, zeros, zeros, 0 * Z, zeros


def _package(dZ_tilde, Z, gamma, eps):
    dZ, dg, db = batchnorm_backward(dZ_tilde, batchnorm_forward(Z, gamma, 0 * gamma, eps)[1])
    return (dZ, dg, db, *graph_backward(dZ_tilde, Z, gamma, eps)[3:])


def _numerical(dZ_tilde, Z, gamma, eps):
    def J(z):
        return float(np.sum(dZ_tilde * batchnorm_forward(z, gamma, 0 * gamma, eps)[0]))

    dZ = dl.numerical_gradient(J, Z.copy())
    return (dZ, *batchnorm_backward_graph(dZ_tilde, Z, gamma, eps)[1:])


def _finite_differences(dZ_tilde, Z, gamma, eps):
    """dZ by two-sided differences written by hand, the rest exact."""

    def J(z):
        mu = z.mean(0)
        return float(np.sum(dZ_tilde * gamma * (z - mu) / np.sqrt(((z - mu) ** 2).mean(0) + eps)))

    dZ, h = np.zeros_like(Z), 1e-5
    for idx in np.ndindex(Z.shape):
        step = np.zeros_like(Z)
        step[idx] = h
        dZ[idx] = (J(Z + step) - J(Z - step)) / (2 * h)
    return (dZ, *batchnorm_backward_graph(dZ_tilde, Z, gamma, eps)[1:])


def _in_place(dZ_tilde, Z, gamma, eps):
    out = batchnorm_backward_graph(dZ_tilde, Z, gamma, eps)
    dZ_tilde *= gamma
    return out


# run by tests/test_grader_wrong_answers.py (it collects the WRONG* dicts of these files)
WRONG = {
    KEY: [
        (_changed(dbeta=lambda p: p["d"].mean(0)), "a sum, not a mean"),
        (_changed(dgamma=lambda p: p["d"].sum(0)), "dgamma sums dZ_tilde * Z_norm"),
        (_eps_outside, "eps goes inside the square root"),
        (_changed(dZ_norm=lambda p: p["d"]), "dZ_norm = gamma * dZ_tilde"),
        (_changed(dinv_std=lambda p: p["dZ_norm"] * p["C"]), "dinv_std has shape"),
        (_changed(dvar=lambda p: 0.5 * (p["var"] + p["eps"]) ** -1.5 * p["dinv_std"]), "the sign"),
        (
            _changed(dvar=lambda p: -0.5 * (p["var"] + p["eps"]) ** -0.5 * p["dinv_std"]),
            "the power -3/2",
        ),
        (_changed(dC=lambda p: p["dZ_norm"] * p["s"]), "add the path through var"),
        (
            _changed(dC=lambda p: p["dZ_norm"] * p["s"] + 2.0 * p["C"] * p["dvar"]),
            "d var / d c_i = 2 c_i / m",
        ),
        (_changed(dmu=lambda p: p["dC"].sum(0)), "dmu = -sum dcentred"),
        (_changed(dZ=lambda p: p["dC"]), "add the path through mu"),
        (_changed(dZ=lambda p: p["dC"] + p["dmu"]), "add dmu / m"),
        (_compact_only, f"dZ_norm {FIRST}"),
        (_package, SHORTCUT),
        (_numerical, SHORTCUT),
        (_finite_differences, "close to the right ones but not exact"),
        (_in_place, "in place — work on a copy"),
    ]
}


def test_the_right_answers_pass():
    assert CHECK(batchnorm_backward_graph).passed
    assert CHECK(graph_backward).passed  # the package's own, given as the answer


def test_a_stub_and_a_none_get_their_messages():
    def stub(*args):
        raise NotImplementedError()

    assert "not written yet" in CHECK(stub).message
    assert "forget `return`" in CHECK(lambda *args: None).message
