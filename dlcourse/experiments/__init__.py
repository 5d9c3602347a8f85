"""Experiments: the runs a notebook and its dashboard share (numpy only).

Each module's docstring names the notebooks and the dashboard that use it. Index
(function -> notebook):

================================  ==========================================================
``networks.mlp``                  the one MLP builder: every module below, the
                                  TrainingDashboard (00, 03-05, 07, 08, 12)
``networks.hidden_layers``        the hidden part of ``mlp`` (networks whose output layer
                                  is drawn differently: 02, 12, 13)
``training_runs.make_data``,      the TrainingDashboard's data and epoch seeds (00, 03-05,
``epoch_seed``, ``EpochSeeds``,   07, 08, 12; ``EpochSeeds`` is the callback that gives
                                  ``fit(history=)`` that data order)
``playground_network``
``tour.raise_lr_run``             the dashboard's run with the learning rate raised mid-run,
                                  and its control: 00
``activation_stats.*``            ``network_statistics``, ``flower_data``,
                                  ``activation_curves``: 02 (ActivationExplorer)
``activation_race.*``             ``activation_race``: the activations trained, each at its
                                  own best learning rate: 02
``init_signals.*``                ``build_deep_network``, ``signal_statistics``: 04
                                  (InitExplorer)
``gradcheck_bugs.*``              the planted bugs, ``planted_bug_problem``,
                                  ``course_names``, ``ForwardCounter``,
                                  ``parameter_errors``, ``error_vs_eps``, ``verdict``: 06
                                  (GradCheckExplorer)
``race.race``                     08 (OptimizerRace)
``schedule_runs.*``               ``make_schedule``, ``train_with_schedule``,
                                  ``ScheduleRun``: 09
                                  (ScheduleExplorer)
``search_toy.*``                  ``SPACE``, ``toy_objective``, ``grid_shape``,
                                  ``train_mlp_objective``: 10 (SearchExplorer)
``bn_compare.*``                  ``bn_mlp``, ``train_run``, ``lr_init_grid``,
                                  ``layer_input``, ``input_stds``, ``final_accuracy``,
                                  ``load_data``, ``Run`` (a run in pieces, for
                                  streaming): 11 (BNExplorer)
``digits.*``                      ``digits_model``, ``train_digits``, ``DigitsRun``: 12
                                  (DigitsExplorer)
``playground_net.*``              ``PlaygroundRun``, ``encode_state``, ``decode_state``,
                                  ``parse_points_csv``: the Playground (playground.ipynb)
``playground_challenges.*``       ``CHALLENGES``, ``check_challenge``: its challenges
``playground_export.*``           ``export_code``, ``save_run``: a run as dlcourse code
``debug_run.*``                   ``SCENARIOS``, ``debug_data``, ``debug_network``,
                                  ``run_debug`` = ``DebugChecks`` + ``DebugTraining``:
                                  13 (DebugDashboard)
================================  ==========================================================

Related, one tier lower: ``dlcourse.datasets.digits_split`` and
``dlcourse.datasets.temperatures`` (data), ``dlcourse.descent.path`` (the descent
runner of 01, 08, 13), ``dlcourse.metrics`` (class probabilities, confusion counts).
"""

__all__ = [  # the modules (import them by name: nothing is imported here)
    "activation_stats",
    "autodiff_cost",
    "bn_compare",
    "bn_conventions",
    "coarse_to_fine",
    "dead_units",
    "debug_run",
    "depth",
    "digits",
    "ensembles",
    "few_shot",
    "float32_check",
    "gradcheck_bugs",
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
    "training_runs",
    "weight_decay",
]
