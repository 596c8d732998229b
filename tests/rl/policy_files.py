"""Checkpoints and releases for tests, made without training: a freshly initialised network
(or one that always pushes the cart left) in exactly the format the trainer and `a3c release`
write, and hand-made release files for the cases a loader must refuse."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from rl_assets.a3c.checkpoint import save_checkpoint
from rl_assets.a3c.config import default_config
from rl_assets.a3c.model import ActorCritic, build_model
from rl_assets.a3c.release import RELEASE_FORMAT, RELEASE_KIND, ReleasePaths
from rl_assets.a3c.shared_optim import make_optimizer
from rl_assets.atari import AtariSettings, frames_per_step, is_atari

CARTPOLE = "CartPole-v1"
#: (obs_shape, n_actions) of the networks the trainer builds for these envs.
SHAPES: dict[str, tuple[tuple[int, ...], int]] = {CARTPOLE: ((4,), 2), "Pong": ((4, 84, 84), 6)}


def network(env: str = CARTPOLE, seed: int = 0) -> ActorCritic:
    torch.manual_seed(seed)
    obs_shape, n_actions = SHAPES[env]
    return build_model(obs_shape, n_actions)


def always_left(model: ActorCritic) -> ActorCritic:
    """CartPole's worst policy: push left every step (games of about 10 steps; random ~20)."""
    with torch.no_grad():
        model.policy.weight.zero_()
        model.policy.bias.copy_(torch.tensor([20.0, -20.0]))
    return model


def trainer_checkpoint(
    path: Path,
    env: str = CARTPOLE,
    model: ActorCritic | None = None,
    **fields: Any,
) -> Path:
    """What the trainer saves after a run, for ``env``; ``fields`` replace entries."""
    model = model if model is not None else network(env)
    config = default_config(env, workers=2)
    optimizer = make_optimizer(
        config.optimizer, model.parameters(), config.lr, config.rmsprop_alpha, config.rmsprop_eps
    )
    obs_shape, n_actions = SHAPES[env]
    payload = {
        "env": env,
        "obs_shape": obs_shape,
        "n_actions": n_actions,
        "lstm": False,
        "frames_per_step": frames_per_step(env),
        "atari_settings": asdict(AtariSettings()),
        "steps": 12_000 // frames_per_step(env),
        "frames": 12_000,
        "episodes": 150,
        "wall_time_s": 42.5,
        "config": asdict(config),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
    } | fields
    save_checkpoint(path, payload)
    return path


def release_payload(
    env: str = CARTPOLE, model: ActorCritic | dict | None = None, **fields: Any
) -> dict:
    """What `a3c release` writes into ``<game>.policy.pt``; ``model`` (a network or its
    state_dict) and ``fields`` replace entries."""
    shaped_like = env if env in SHAPES else CARTPOLE
    model = model if model is not None else network(shaped_like)
    obs_shape, n_actions = SHAPES[shaped_like]
    return {
        "format": RELEASE_FORMAT,
        "kind": RELEASE_KIND,
        "env": env,
        "obs_shape": obs_shape,
        "n_actions": n_actions,
        "lstm": False,
        "atari_settings": asdict(AtariSettings()),
        "steps": 1000,
        "frames": 4000 if is_atari(env) else 1000,
        "model": model if isinstance(model, dict) else model.state_dict(),
    } | fields


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_provenance(paths: ReleasePaths, game: str, **fields: Any) -> None:
    """A provenance record that matches the weights file as it is now."""
    record = {
        "format": RELEASE_FORMAT,
        "game": game,
        "weights_sha256": sha256(paths.weights),
        "training": {"frames": 1000, "games": 30, "wall_time_s": 12.0, "command": "a3c train"},
        "evaluation": {"games": 3, "policy": {"mean": 200.0}, "random": {"mean": 20.0}},
        "code": {"git_commit": "unknown", "git_dirty": None},
        "created": "2026-01-01T00:00:00+00:00",
    } | fields
    paths.provenance.write_text(json.dumps(record))


def write_release(directory: Path, game: str, content: Any, **provenance: Any) -> ReleasePaths:
    """``content`` as ``<game>.policy.pt`` with a matching provenance record beside it."""
    paths = ReleasePaths.for_game(game, directory)
    directory.mkdir(parents=True, exist_ok=True)
    torch.save(content, paths.weights)
    write_provenance(paths, game, **provenance)
    return paths
