"""The char-LSTM's settings are written once, in TrainConfig and GenerateSettings; the Dagster
config (char_training_set, the trainer resource, generated_postings) is generated from them."""

import argparse
import dataclasses
import json

import pytest

from hn_assets import settings
from hn_assets.config_adapter import add_arguments, from_arguments, from_dagster_config, help_of
from hn_assets.defs.resources import LSTMTrainingResource
from hn_assets.defs.textgen import GenerateConfig, TrainingSetConfig
from hn_assets.errors import ConfigError
from hn_assets.textgen.sampling import GenerateSettings
from hn_assets.textgen.training import (
    PROFILES,
    TRAINING_SET_SETTINGS,
    TrainConfig,
    profile_config,
)

RESOURCE_ONLY = {"profile", "bpc_ceiling"}


@pytest.fixture(autouse=True)
def no_budgets_from_the_environment(monkeypatch):
    for variable in ("HN_LSTM_PROFILE", "HN_LSTM_MAX_SECONDS", "HN_LSTM_TRAIN_BATCHES"):
        monkeypatch.delenv(variable, raising=False)


def test_every_setting_is_in_the_dagster_config_once_with_its_description():
    training_set = TrainingSetConfig.model_fields
    trainer = {
        name: field
        for name, field in LSTMTrainingResource.model_fields.items()
        if name not in RESOURCE_ONLY
    }
    assert set(training_set) == set(TRAINING_SET_SETTINGS)
    assert not set(training_set) & set(trainer)
    assert set(training_set) | set(trainer) == {f.name for f in dataclasses.fields(TrainConfig)}
    defaults = TrainConfig()
    for name, field in training_set.items():
        assert field.description == help_of(TrainConfig, name)
        assert field.default == getattr(defaults, name)
    for name, field in trainer.items():
        assert field.description.startswith(help_of(TrainConfig, name)), name
        assert field.get_default(call_default_factory=True) is None  # the profile's value
        assert "paper" in field.description and "small_cpu" in field.description
    generate = GenerateConfig.model_fields
    assert set(generate) == {f.name for f in dataclasses.fields(GenerateSettings)}
    for name, field in generate.items():
        assert field.description == help_of(GenerateSettings, name)
        assert field.default == getattr(GenerateSettings(), name)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_resource_without_overrides_is_exactly_the_profile(profile):
    assert LSTMTrainingResource(profile=profile).config() == profile_config(profile)


def test_the_profile_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("HN_LSTM_PROFILE", "small_cpu")
    assert LSTMTrainingResource().config() == TrainConfig.small_cpu()
    assert tuple(PROFILES) == settings.LSTM_PROFILES


def test_an_override_changes_only_that_setting():
    small = TrainConfig.small_cpu()
    config = LSTMTrainingResource(profile="small_cpu", hidden=48).config()
    assert config == dataclasses.replace(small, hidden=48)
    config = LSTMTrainingResource(profile="paper", devices="2", limit_val_batches="0.5").config()
    assert config == dataclasses.replace(TrainConfig(), devices=2, limit_val_batches=0.5)


def test_budgets_come_from_the_environment_unless_set(monkeypatch):
    monkeypatch.setenv("HN_LSTM_MAX_SECONDS", "150")
    monkeypatch.setenv("HN_LSTM_TRAIN_BATCHES", "5")
    small = TrainConfig.small_cpu()
    config = LSTMTrainingResource(profile="small_cpu").config()
    assert config == dataclasses.replace(small, max_time_s=150.0, limit_train_batches=5)
    config = LSTMTrainingResource(profile="small_cpu", max_time_s=9.0).config()
    assert (config.max_time_s, config.limit_train_batches) == (9.0, 5)


def test_a_bad_profile_is_one_clear_config_error():
    with pytest.raises(ConfigError) as raised:
        LSTMTrainingResource(profile="huge").config()
    message = str(raised.value)
    assert "'huge'" in message and "paper" in message and "small_cpu" in message
    assert "\n" not in message and raised.value.__cause__ is None


def test_training_reads_back_the_training_set_settings_the_asset_used():
    chosen = TrainingSetConfig(seq_len=40, step=5, val_fraction=0.2, seed=3)
    written = json.dumps(from_dagster_config(TrainConfig, chosen).training_set())
    config = LSTMTrainingResource(profile="small_cpu").config(**json.loads(written))
    expected = dataclasses.replace(
        TrainConfig.small_cpu(), seq_len=40, step=5, val_fraction=0.2, seed=3
    )
    assert config == expected
    # split.json files written before min_frequency was recorded still read back.
    old = {"seq_len": 40, "step": 5, "val_fraction": 0.2, "seed": 3}
    assert LSTMTrainingResource(profile="small_cpu").config(**old) == expected


def test_generate_settings_make_the_cli_options_it_had():
    parser = argparse.ArgumentParser()
    cli_base = GenerateSettings(n=3)
    add_arguments(parser, GenerateSettings, cli_base)
    assert from_arguments(GenerateSettings, parser.parse_args([]), cli_base) == cli_base
    given = parser.parse_args(["--n", "2", "--temperature", "0.5", "--top-k", "4", "--seed", "7"])
    assert from_arguments(GenerateSettings, given, cli_base) == GenerateSettings(
        n=2, temperature=0.5, top_k=4, seed=7
    )
    assert from_arguments(GenerateSettings, parser.parse_args(["--max-chars", "9"])).max_chars == 9


def test_the_end_bias_is_a_sampling_setting_of_the_cli_and_the_asset():
    parser = argparse.ArgumentParser()
    add_arguments(parser, GenerateSettings, GenerateSettings(n=3))
    given = parser.parse_args(["--end-bias", "0", "--end-bias-after", "900"])
    settings = from_arguments(GenerateSettings, given, GenerateSettings(n=3))
    assert (settings.end_bias, settings.end_bias_after) == (0.0, 900)
    assert from_arguments(GenerateSettings, parser.parse_args([])).end_bias_after is None
    config = GenerateConfig(end_bias=1.5)
    assert from_dagster_config(GenerateSettings, config).end_bias == 1.5
    assert "end character" in help_of(GenerateSettings, "end_bias")
    assert "median" in help_of(GenerateSettings, "end_bias_after")
