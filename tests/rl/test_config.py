"""One config: `a3c train`'s options and the `a3c_policy` run config both come from A3CConfig."""

import dataclasses
import os
import shlex
from pathlib import Path

import dagster as dg
import pytest

from hn_assets.config_adapter import from_arguments, help_of
from rl_assets.a3c.config import (
    GAME_DEFAULTS,
    A3CConfig,
    EvaluationSettings,
    command_line,
    default_config,
)
from rl_assets.cli import PLAY_DEFAULTS, build_parser, main
from rl_assets.defs.assets import (
    A3CEvaluationConfig,
    A3CTrainingConfig,
    game_partitions,
    training_config,
)
from rl_assets.errors import A3CError, ConfigError, UnknownGameError


def described(cls: type, side: str | None = None) -> list[dataclasses.Field]:
    """The user-facing settings of a config dataclass (those with a help text); with ``side``
    ("cli" or "dagster") only those on that side."""
    return [
        field
        for field in dataclasses.fields(cls)
        if help_of(cls, field.name) and (side is None or field.metadata[side])
    ]


def flag(field: dataclasses.Field) -> str:
    return field.metadata["flag"] or "--" + field.name.replace("_", "-")


def help_text(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines anywhere


@pytest.mark.parametrize(
    ("command", "cls", "defaults"),
    [("train", A3CConfig, A3CConfig()), ("play", EvaluationSettings, PLAY_DEFAULTS)],
)
def test_help_lists_every_setting_with_its_default(capsys, command, cls, defaults):
    text = help_text(capsys, command)
    for field in described(cls, "cli"):
        if field.name == "env":  # --game is required: no default to show
            assert "--game GAME " + " ".join(help_of(cls, "env").split()) in text
            continue
        expected = f"{' '.join(help_of(cls, field.name).split())} (default: {getattr(defaults, field.name)})"
        assert flag(field) in text and expected in text, field.name


def test_documented_flags_still_work():
    """The README's and DESIGN's flags, including the --constant-lr alias and 2e6 frames."""
    argv = ["train", "--game", "Pong", "--workers", "2", "--frames", "50e6", "--constant-lr"]
    argv += ["--minutes", "30", "--lr", "1e-3", "--optimizer", "adam", "--t-max", "20"]
    argv += ["--gae-lambda", "0.95", "--lstm", "--seed", "3", "--sticky-actions", "0.25"]
    argv += ["--checkpoint-minutes", "2", "--envs-per-worker", "1", "--fresh", "--data-dir", "d"]
    args = build_parser().parse_args(argv)
    assert from_arguments(A3CConfig, args) == A3CConfig(
        env="Pong",
        workers=2,
        frames=50_000_000,
        anneal_lr=False,
        max_minutes=30.0,
        lr=1e-3,
        optimizer="adam",
        t_max=20,
        gae_lambda=0.95,
        lstm=True,
        seed=3,
        repeat_action_probability=0.25,
        checkpoint_every_minutes=2.0,
        envs_per_worker=1,
    )
    assert args.fresh and args.data_dir == Path("d")
    assert isinstance(from_arguments(A3CConfig, args).frames, int)
    plain = build_parser().parse_args(["train", "--game", "Pong"])
    assert from_arguments(A3CConfig, plain) == A3CConfig(env="Pong")


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        (["--workers", "0"], "workers must be >= 1, got 0"),
        (["--lr", "-1"], "lr must be > 0, got -1.0"),
        (["--envs-per-worker", "0"], "envs_per_worker"),
        (["--minutes", "0"], "max_minutes"),
        (["--sticky-actions", "1.5"], "repeat_action_probability"),
        (["--gamma", "2"], "gamma"),
    ],
)
def test_a_bad_value_ends_in_one_line_and_exit_2(tmp_path, capsys, bad, named):
    argv = ["train", "--game", "CartPole-v1", "--data-dir", str(tmp_path), *bad]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("a3c train: Invalid A3C config: ") and named in err
    assert list(tmp_path.iterdir()) == []  # nothing was started or stored


def test_play_refuses_a_bad_value_before_reading_anything(tmp_path, capsys):
    assert main(["play", "--game", "Pong", "--episodes", "0", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "episodes must be >= 1, got 0" in err


def test_verbose_shows_the_traceback_of_an_expected_failure(tmp_path, capsys):
    play = ["play", "--game", "Breakout", "--data-dir", str(tmp_path)]
    assert main(play) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert main([*play, "--verbose"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.splitlines()[-1].startswith("a3c play: No checkpoint at")
    assert main(["-v", *play]) == 1 and "Traceback" in capsys.readouterr().err


def test_expected_failures_share_one_base_with_exit_codes():
    with pytest.raises(ConfigError) as raised:
        A3CConfig(workers=0, lr=0).validate()
    assert raised.value.exit_code == 2
    assert isinstance(raised.value, A3CError) and isinstance(raised.value, ValueError)
    assert "workers must be >= 1" in str(raised.value) and "lr must be > 0" in str(raised.value)
    with pytest.raises(UnknownGameError) as unknown:
        A3CConfig(env="Pongg").validate()
    assert unknown.value.exit_code == 2
    A3CConfig().validate()
    EvaluationSettings().validate()


def test_dagster_config_has_every_setting_with_its_description():
    fields = A3CEvaluationConfig.model_fields
    assert set(fields) == {field.name for field in described(EvaluationSettings)}
    for name, field in fields.items():
        assert field.description == help_of(EvaluationSettings, name), name
        assert field.default == getattr(EvaluationSettings(), name), name


def test_training_config_defaults_to_the_games_own_settings():
    """None means "the game's default" (GAME_DEFAULTS over A3CConfig), which each description
    states, so a per-game default is not overridden by the Dagster config's default."""
    fields = A3CTrainingConfig.model_fields
    assert set(fields) == {field.name for field in described(A3CConfig, "dagster")} - {"env"} | {
        "resume"
    }
    defaults = A3CConfig()
    for name, field in fields.items():
        if name == "resume":
            continue
        assert field.default is None, name
        assert field.description.startswith(help_of(A3CConfig, name)), name
        assert f"(default: {getattr(defaults, name)}" in field.description, name
        assert "0 means" not in field.description and "0 =" not in field.description
    assert "CartPole-v1: 0.005" in fields["lr"].description
    assert fields["resume"].default is True


def test_per_game_defaults_are_written_once_and_the_user_still_wins(capsys):
    cartpole = default_config("CartPole-v1")
    assert cartpole == A3CConfig(env="CartPole-v1", **GAME_DEFAULTS["CartPole-v1"])
    assert default_config("Pong") == A3CConfig(env="Pong")
    cartpole.validate()
    # The CLI: the game's defaults unless an option says otherwise.
    args = build_parser().parse_args(["train", "--game", "CartPole-v1", "--lr", "1e-3"])
    assert from_arguments(A3CConfig, args, default_config(args.env)) == dataclasses.replace(
        cartpole, lr=1e-3
    )
    # Dagster: the same, through the generated config class.
    assert training_config(A3CTrainingConfig(), "CartPole-v1") == cartpole
    assert training_config(A3CTrainingConfig(lr=1e-3), "CartPole-v1") == dataclasses.replace(
        cartpole, lr=1e-3
    )
    assert training_config(A3CTrainingConfig(), "Pong") == A3CConfig(env="Pong")
    assert "CartPole-v1: lr 0.005" in help_text(capsys, "train")


def test_the_settings_of_a_config_read_back_from_its_command_line():
    config = default_config("CartPole-v1", workers=3, anneal_lr=False, target_score=400.0)
    line = command_line(config)
    assert line.startswith("a3c train --game CartPole-v1 ")
    assert "--no-anneal-lr" in line and "--lr" not in line  # the game's own lr needs no option
    args = build_parser().parse_args(shlex.split(line)[1:])
    assert from_arguments(A3CConfig, args, default_config(args.env)) == config
    assert command_line(A3CConfig(env="Pong", workers=2)) == "a3c train --game Pong --workers 2"


#: A value other than the default for every setting of `a3c train` but the game.
DIFFERENT = {
    "repeat_action_probability": 0.25,
    "frames": 2_000_000,
    "max_minutes": 1.5,
    "target_score": 18.0,
    "target_window": 20,
    "workers": (os.cpu_count() or 1) + 1,
    "seed": 7,
    "envs_per_worker": 4,
    "t_max": 20,
    "gamma": 0.95,
    "gae_lambda": 0.9,
    "entropy_coef": 0.02,
    "value_coef": 0.25,
    "max_grad_norm": 10.0,
    "lstm": True,
    "optimizer": "adam",
    "lr": 1e-4,
    "anneal_lr": False,
    "rmsprop_alpha": 0.9,
    "rmsprop_eps": 0.01,
    "checkpoint_every_minutes": 2.0,
}

seen_in_run: list[A3CConfig] = []


@dg.asset(partitions_def=game_partitions)
def configured_like_a3c_policy(context: dg.AssetExecutionContext, config: A3CTrainingConfig):  # type: ignore[valid-type]
    seen_in_run.append(training_config(config, context.partition_key))


def test_the_cli_and_the_dagster_run_config_give_the_same_config():
    assert set(DIFFERENT) == {field.name for field in described(A3CConfig, "cli")} - {"env"}
    assert all(
        DIFFERENT[name] != value
        for name, value in dataclasses.asdict(A3CConfig()).items()
        if name in DIFFERENT
    )
    argv = ["train", "--game", "Breakout"]
    for field in described(A3CConfig, "cli"):
        value = DIFFERENT.get(field.name)
        if isinstance(value, bool):
            argv.append(flag(field) if value else "--no-" + flag(field)[2:])
        elif value is not None:
            argv += [flag(field), "2e6" if field.name == "frames" else str(value)]
    from_cli = from_arguments(A3CConfig, build_parser().parse_args(argv))

    seen_in_run.clear()
    result = dg.materialize(
        [configured_like_a3c_policy],
        partition_key="Breakout",
        run_config={"ops": {"configured_like_a3c_policy": {"config": DIFFERENT}}},
    )
    assert result.success
    assert seen_in_run == [from_cli] == [A3CConfig(env="Breakout", **DIFFERENT)]
    defaults = dg.materialize([configured_like_a3c_policy], partition_key="Qbert")
    assert defaults.success and seen_in_run[-1] == A3CConfig(env="Qbert")
    # `source` is Dagster-only: the CLI installs a release with `a3c install` instead.
    release = dg.materialize(
        [configured_like_a3c_policy],
        partition_key="CartPole-v1",
        run_config={"ops": {"configured_like_a3c_policy": {"config": {"source": "release"}}}},
    )
    assert release.success
    assert seen_in_run[-1] == default_config("CartPole-v1", source="release")


def test_a_bad_source_is_a_config_error():
    with pytest.raises(ConfigError, match="source must be one of train, release, got 'download'"):
        A3CConfig(source="download").validate()  # type: ignore[arg-type]
