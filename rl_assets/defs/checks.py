"""Asset checks for the A3C assets, one partition (game) at a time."""

import dagster as dg
from pydantic import Field

from rl_assets.a3c.checkpoint import RunPaths
from rl_assets.a3c.evaluate import Evaluation
from rl_assets.a3c.health import policy_health
from rl_assets.defs.assets import a3c_evaluation, a3c_policy, game_partitions


class BeatsRandomConfig(dg.Config):
    margin: float = Field(
        default=1.0,
        description="How many points the policy's mean score must beat random play's by.",
    )


@dg.asset_check(
    asset=a3c_policy,
    partitions_def=game_partitions,
    description=(
        "The game's checkpoint loads as data only, is for this game and holds finite weights "
        "(training's losses stayed finite); a trained policy has finished games in training, a "
        "released one beat random play in the evaluation its provenance records."
    ),
)
def a3c_policy_is_playable(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    game = context.op_execution_context.partition_key
    health = policy_health(game, RunPaths.for_game(game))
    return dg.AssetCheckResult(
        passed=health.passed,
        metadata={"game": game, "source": health.source, **health.facts},
        description=f"{game}: {health.summary}",
    )


@dg.asset_check(
    asset=a3c_evaluation,
    partitions_def=game_partitions,
    description="The policy's mean evaluation score beats random play on the same seeds by the configured margin.",
)
def a3c_policy_beats_random(
    context: dg.AssetCheckExecutionContext, config: BeatsRandomConfig
) -> dg.AssetCheckResult:
    game = context.op_execution_context.partition_key
    evaluation = Evaluation.load(RunPaths.for_game(game).evaluation_json)
    advantage = evaluation.advantage_over_random
    assert evaluation.random is not None and advantage is not None, (
        "a3c_evaluation always plays the random baseline"
    )
    return dg.AssetCheckResult(
        passed=advantage >= config.margin,
        metadata={
            "game": game,
            "policy_mean": evaluation.policy.mean,
            "random_mean": evaluation.random.mean,
            "advantage": advantage,
            "required_margin": config.margin,
            "games_per_player": len(evaluation.policy.scores),
        },
        description=f"{game}: policy {evaluation.policy.mean:.2f} vs random {evaluation.random.mean:.2f} (margin {config.margin:g})",
    )
