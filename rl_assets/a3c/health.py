"""Whether a game's checkpoint is a policy worth playing: what the ``a3c_policy`` check judges.

A checkpoint passes when it loads (plain data, our format, weights that fit the network), is
for the game, and holds finite weights (a NaN or infinite loss, once applied, leaves non-finite
weights behind, so this also tells that training's losses stayed finite); then a trained
policy must have finished at least one game in training, and an installed release must have
beaten random play in the evaluation its provenance records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from rl_assets.a3c.checkpoint import RunPaths, load_checkpoint
from rl_assets.a3c.release import count_games, provenance_problem, release_provenance
from rl_assets.errors import CheckpointError


@dataclass(frozen=True)
class PolicyHealth:
    passed: bool
    summary: str  # one line: what was judged and why it passed or failed
    source: str  # "train", "release", or "none" when no usable checkpoint was found
    facts: dict[str, float | int | str] = field(default_factory=dict)


def policy_health(game: str, run: RunPaths) -> PolicyHealth:
    try:
        checkpoint = load_checkpoint(run.checkpoint)
    except CheckpointError as error:
        return PolicyHealth(False, str(error), "none")
    if checkpoint["env"] != game:
        return PolicyHealth(
            False,
            f"{run.checkpoint} holds a policy for {checkpoint['env']!r}, not {game!r}; train "
            f"this game with fresh settings (resume: false).",
            "none",
        )
    broken = [
        name for name, tensor in checkpoint["model"].items() if not torch.isfinite(tensor).all()
    ]
    provenance = release_provenance(checkpoint)
    source = "train" if provenance is None else "release"
    facts: dict[str, float | int | str] = {
        "frames_trained": float(checkpoint["frames"]),
        "training_games": int(checkpoint.get("episodes") or 0),
        "non_finite_weights": len(broken),
    }
    if broken:
        return PolicyHealth(
            False,
            f"weights {', '.join(broken[:3])} hold NaN or inf: training diverged; train again "
            "from scratch (resume: false) with a lower lr",
            source,
            facts,
        )
    if provenance is not None:
        problem = provenance_problem(provenance, game)
        if problem:
            return PolicyHealth(
                False,
                f"{run.checkpoint} was installed from a release whose provenance is broken "
                f"({problem}); install it again (source: release).",
                source,
                facts,
            )
        evaluation = provenance["evaluation"]
        policy, random_play = evaluation["policy"]["mean"], evaluation["random"]["mean"]
        facts |= {"release_policy_mean_score": policy, "release_random_mean_score": random_play}
        return PolicyHealth(
            policy > random_play,
            f"released policy scored {policy:.2f} vs random {random_play:.2f} in its release "
            f"evaluation ({count_games(evaluation.get('games'))})",
            source,
            facts,
        )
    games = int(facts["training_games"])
    return PolicyHealth(
        games >= 1,
        f"trained {checkpoint['frames']:,} frames with finite weights and {games:,} finished "
        "training games"
        + ("" if games else ": no game ended yet, so nothing shows it plays; train longer"),
        source,
        facts,
    )
