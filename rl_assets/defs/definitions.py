"""The ``rl_assets`` code location: A3C policies and their evaluations, one partition per game
(the A3C paper's five Atari games and CartPole-v1), and the ``a3c`` job that makes both."""

import dagster as dg

from rl_assets.defs.assets import a3c_evaluation, a3c_policy, game_partitions
from rl_assets.defs.checks import a3c_policy_beats_random, a3c_policy_is_playable

#: The job's name: ``defs.resolve_job_def(A3C_JOB).execute_in_process(partition_key=game, ...)``.
A3C_JOB = "a3c"

# A named job, so runs show "a3c" in the UI rather than "__ASSET_JOB"; its checks run with it.
a3c_job = dg.define_asset_job(
    A3C_JOB,
    selection=[a3c_policy, a3c_evaluation],
    partitions_def=game_partitions,
    description="Train (or install the shipped policy for) one game, then evaluate it against "
    "random play; pick the game as the partition.",
)

defs = dg.Definitions(
    assets=[a3c_policy, a3c_evaluation],
    asset_checks=[a3c_policy_is_playable, a3c_policy_beats_random],
    jobs=[a3c_job],
)
