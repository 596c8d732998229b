"""The ``rl_assets`` code location: A3C policies and their evaluations for the paper's five games."""

import dagster as dg

from rl_assets.defs.assets import a3c_evaluation, a3c_policy
from rl_assets.defs.checks import a3c_policy_beats_random

defs = dg.Definitions(assets=[a3c_policy, a3c_evaluation], asset_checks=[a3c_policy_beats_random])
