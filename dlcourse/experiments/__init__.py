"""Experiments: the runs a notebook and its dashboard share (numpy only).

Each module's docstring names the notebooks and the dashboard that use it. Index, one line
per module (module -> what it runs -> where):

=========================  ==========================================================  ======
module                     what it runs                                                where
=========================  ==========================================================  ======
``activation_race``        the activations trained, each at its own best α              02
``activation_stats``       one pass of a deep net: statistics per layer                 02, ActivationExplorer
``autodiff_cost``          a whole gradient by differences, forward and reverse mode    01
``babysit_views``          per-layer activations and gradients; Polyak averaging        13
``bn_compare``             a network with and without batch norm (and layer norm)       11, BNExplorer
``bn_conventions``         batch-norm conventions against PyTorch; where ε goes         11
``coarse_to_fine``         coarse-to-fine search that widens at an edge                 10
``dead_units``             dead ReLU units after one huge step                          02
``debug_run``              the broken runs of "debug this training run"                 13, DebugDashboard
``depth``                  why depth helps; a network without activations               03
``digits``                 softmax regression / one hidden layer on the digits; the     12, 13, DigitsExplorer
                           exercise's gradient-descent run; the ensemble's members
``few_shot``               few-shot transfer: narrow (0-4 to 5-9) and broad (relabel)   13
``float32_check``          gradient checking in float32 against ε                       06
``gradcheck_bugs``         gradient checking with a planted bug                         06, GradCheckExplorer
``halving``                successive halving against random search                     10
``init_signals``           the signal through a deep network at initialisation          04, InitExplorer
``leaderboard``            a random search whose trials arrive as they finish           10, SearchLeaderboard
``loss_reading``           old names kept: the loss-curve verdict and two babysitting   13
                           checks now live in :mod:`dlcourse.topics.babysit`
``minibatch_runs``         the batch-size trade-off                                     07
``networks``               the one MLP builder (``mlp``, ``hidden_layers``)             most
``noise_floor``            the noise floor of constant-α SGD on least squares           09
``optimizer_tuning``       optimizer races, each re-tuned; noise; RMSProp's rebound     08
``playground_challenges``  the Playground's self-checking challenges                    Playground
``playground_export``      a Playground run as ``dlcourse`` code                        Playground
``playground_net``         the Playground's data, features, network and run             Playground
``race``                   the optimizer race on a 2-D cost surface                     08, OptimizerRace
``relu_kink``              a false alarm of gradient checking at a ReLU kink            06
``saturation``             saturated units and their weight gradients                   02
``schedule_runs``          training with a learning-rate schedule                       09, ScheduleExplorer
``search_toy``             the toy objective and the small-MLP objective of the search  10, SearchExplorer
``tour``                   raising α mid-run, against a control                         00
``training_runs``          the TrainingDashboard's data and epoch seeds                 00, 03-05, 07, 08, 12
``weight_decay``           over-fitting and the λ sweep on noisy moons                  05
=========================  ==========================================================  ======

Related, one tier lower: ``dlcourse.topics`` (the lesson numerics these runs call: babysit,
ensemble, transfer, augment, ...), ``dlcourse.datasets.digits_split`` and
``dlcourse.datasets.temperatures`` (data), ``dlcourse.descent.path`` (the descent runner of
01, 08, 13), ``dlcourse.metrics`` (class probabilities, confusion counts).
"""

__all__ = [  # the modules (import them by name: nothing is imported here)
    "activation_race",
    "activation_stats",
    "autodiff_cost",
    "babysit_views",
    "bn_compare",
    "bn_conventions",
    "coarse_to_fine",
    "dead_units",
    "debug_run",
    "depth",
    "digits",
    "few_shot",
    "float32_check",
    "gradcheck_bugs",
    "halving",
    "init_signals",
    "leaderboard",
    "loss_reading",
    "minibatch_runs",
    "networks",
    "noise_floor",
    "optimizer_tuning",
    "playground_challenges",
    "playground_export",
    "playground_net",
    "race",
    "relu_kink",
    "saturation",
    "schedule_runs",
    "search_toy",
    "tour",
    "training_runs",
    "weight_decay",
]
