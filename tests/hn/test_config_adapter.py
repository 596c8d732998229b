"""A config dataclass drives its command-line options and its Dagster run config."""

import argparse
import dataclasses
from typing import Literal

import dagster as dg
import pytest

from hn_assets.config_adapter import (
    add_arguments,
    dagster_config,
    from_arguments,
    from_dagster_config,
    setting,
)


@dataclasses.dataclass
class Example:
    frames: int = setting(1000, help="frame budget")
    lr: float = setting(1e-3, help="learning rate")
    anneal: bool = setting(True, help="anneal the learning rate")
    optimizer: Literal["adam", "rmsprop"] = setting("rmsprop", help="optimiser")
    minutes: float | None = setting(None, help="time budget", flag="--max-minutes")
    batches: int | float | None = setting(None, help="batches (int) or share (float)")
    devices: int | str = setting(1, help="devices or 'auto'")
    internal: int = setting(7, help="set by code", cli=False, dagster=False)
    undocumented: int = 3


def parse(*argv: str, base: Example | None = None) -> Example:
    parser = argparse.ArgumentParser()
    add_arguments(parser, Example, base)
    return from_arguments(Example, parser.parse_args(list(argv)), base)


def test_no_options_keep_the_defaults_or_the_base():
    assert parse() == Example()
    preset = Example(frames=5, lr=0.5)
    assert parse(base=preset) == preset
    assert parse("--lr", "0.1", base=preset) == Example(frames=5, lr=0.1)


def test_options_are_parsed_to_the_field_types():
    config = parse(
        "--frames", "2e6", "--no-anneal", "--optimizer", "adam", "--max-minutes", "1.5",
        "--batches", "60", "--devices", "auto",
    )  # fmt: skip
    assert config.frames == 2_000_000 and isinstance(config.frames, int)
    assert config.anneal is False and config.optimizer == "adam" and config.minutes == 1.5
    assert config.batches == 60 and isinstance(config.batches, int)
    assert parse("--batches", "0.25").batches == 0.25
    assert parse("--devices", "2").devices == 2


def test_bad_values_and_hidden_fields_are_refused(capsys):
    with pytest.raises(SystemExit):
        parse("--optimizer", "sgd")
    with pytest.raises(SystemExit):
        parse("--frames", "many")
    with pytest.raises(SystemExit):
        parse("--internal", "1")
    assert "invalid choice" in capsys.readouterr().err


def test_help_shows_each_setting_with_its_default():
    parser = argparse.ArgumentParser()
    add_arguments(parser, Example, Example(frames=42))
    text = parser.format_help()
    assert "frame budget (default: 42)" in text and "--max-minutes" in text
    assert "--internal" not in text and "--undocumented" not in text


def test_dagster_config_round_trips_with_descriptions():
    config_class = dagster_config(Example, "ExampleConfig")
    assert issubclass(config_class, dg.Config)
    fields = config_class.model_fields
    assert set(fields) == {"frames", "lr", "anneal", "optimizer", "minutes", "batches", "devices"}
    assert fields["frames"].description == "frame budget" and fields["frames"].default == 1000
    assert from_dagster_config(Example, config_class()) == Example()
    given = config_class(frames=5, batches="60", devices="auto")
    config = from_dagster_config(Example, given)
    assert (config.frames, config.batches, config.devices) == (5, 60, "auto")


def test_dagster_config_keep_base_leaves_unset_fields_to_a_run_time_base():
    config_class = dagster_config(Example, "PresetConfig", keep_base=True)
    preset = Example(frames=9, lr=0.2)
    assert from_dagster_config(Example, config_class(), preset) == preset
    assert from_dagster_config(Example, config_class(lr=0.3), preset).lr == 0.3


ExampleRunConfig = dagster_config(Example, "ExampleRunConfig")
seen_in_run: list[Example] = []


@dg.asset
def configured(config: ExampleRunConfig):  # type: ignore[valid-type]
    seen_in_run.append(from_dagster_config(Example, config))


def test_dagster_config_is_usable_as_run_config():
    result = dg.materialize(
        [configured],
        run_config={"ops": {"configured": {"config": {"frames": 77, "batches": "0.5"}}}},
    )
    assert result.success and seen_in_run == [Example(frames=77, batches=0.5)]
