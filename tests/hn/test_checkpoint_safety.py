"""Char-LSTM checkpoints are read as data only: `hn-jobs generate --checkpoint` and the resume
of training refuse crafted, damaged and foreign files with one-line errors, running nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from hn_assets.textgen.model import CharLSTM, CheckpointError
from hn_assets.textgen.sampling import GenerateSettings, load_generator, sample_postings
from hn_assets.textgen.training import TrainConfig, _resume_decision, new_model
from hn_assets.textgen.vocab import build_vocabulary
from tests.fakes.hostile_files import crafted_checkpoint, crafted_pickle, damaged_files

TEXTS = ["acme | backend engineer | remote", "globex | sre | berlin"]


def tiny_model() -> CharLSTM:
    vocab = build_vocabulary(TEXTS, min_frequency=0.0)
    return new_model(vocab, TrainConfig(hidden=8, layers=2, embedding_dim=4))


def lightning_checkpoint(model: CharLSTM) -> dict[str, Any]:
    """The parts of a Lightning checkpoint the loaders read, as Lightning writes them."""
    return {
        "epoch": 0,
        "global_step": 1,
        "pytorch-lightning_version": "2.6.6",
        "state_dict": model.state_dict(),
        "hparams_name": "kwargs",
        "hyper_parameters": dict(model.hparams),
    }


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.ckpt"
    torch.save(lightning_checkpoint(tiny_model()), path)
    return path


def assert_one_line(error: BaseException) -> str:
    message = str(error)
    assert "\n" not in message and len(message) < 600
    return message


def test_a_checkpoint_of_ours_loads_and_samples(good: Path) -> None:
    model, vocab = load_generator(good)
    assert not model.training and vocab.size == model.hparams.vocab_size
    assert len(sample_postings(model, vocab, GenerateSettings(n=2, max_chars=20))) == 2


@pytest.mark.parametrize("make", [crafted_checkpoint, crafted_pickle])
def test_a_crafted_checkpoint_is_refused_without_running_it(tmp_path: Path, make) -> None:
    marker = tmp_path / "code-ran"
    path = make(tmp_path / "evil.ckpt", marker)
    with pytest.raises(CheckpointError, match="not a char-LSTM checkpoint") as raised:
        load_generator(path)
    assert isinstance(raised.value, ValueError)  # what `hn-jobs generate` reports in one line
    assert_one_line(raised.value)
    assert not marker.exists()


def test_a_crafted_checkpoint_that_looks_like_ours_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "code-ran"
    looks_right = lightning_checkpoint(tiny_model())
    path = crafted_checkpoint(tmp_path / "evil.ckpt", marker, looks_right)
    with pytest.raises(CheckpointError, match="could run code; refused") as raised:
        load_generator(path)
    assert "posix.open" in assert_one_line(raised.value)
    assert not marker.exists()


def test_hn_jobs_generate_refuses_a_crafted_checkpoint(tmp_path: Path, capsys) -> None:
    from hn_assets.cli import main

    marker = tmp_path / "code-ran"
    path = crafted_checkpoint(tmp_path / "evil.ckpt", marker, lightning_checkpoint(tiny_model()))
    assert main(["generate", "--checkpoint", str(path)]) != 0
    err = capsys.readouterr().err
    assert "could run code; refused" in err and len(err.strip().splitlines()) == 1
    assert not marker.exists()


def test_damaged_files_are_clear_errors(tmp_path: Path, good: Path) -> None:
    for name, path in damaged_files(tmp_path, good).items():
        with pytest.raises(CheckpointError) as raised:
            load_generator(path)
        message = assert_one_line(raised.value)
        assert str(path) in message and "job_posting_lstm" in message, name


def _with_hparams(checkpoint: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**checkpoint, "hyper_parameters": {**checkpoint["hyper_parameters"], **changes}}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["state_dict"], "no hyper_parameters and state_dict"),
        (lambda c: torch.nn.Linear(2, 2).state_dict(), "no hyper_parameters and state_dict"),
        (lambda c: [c], "holds a list"),
        (lambda c: {k: v for k, v in c.items() if k != "state_dict"}, "no hyper_parameters"),
        (lambda c: _with_hparams(c, hidden="8"), "hyper_parameters['hidden'] is a str"),
        (lambda c: _with_hparams(c, layers=True), "hyper_parameters['layers'] is a bool"),
        (lambda c: _with_hparams(c, layers=0), "hyper_parameters['layers'] is 0"),
        (lambda c: _with_hparams(c, optimizer="sgd"), "optimizer 'sgd' out of range"),
        (lambda c: _with_hparams(c, extra=1), "unknown ['extra']"),
        (
            lambda c: {**c, "hyper_parameters": {"hidden": 8}},
            "missing dropout, embedding_dim, layers, lr",
        ),
        (lambda c: _with_hparams(c, vocabulary_json="{}"), "vocabulary is unreadable"),
        (lambda c: _with_hparams(c, vocab_size=7), "vocab_size says 7"),
        # Sized from its hyperparameters, this model would need terabytes: refused unbuilt.
        (lambda c: _with_hparams(c, hidden=10**6), "wrong shape: lstm.weight_ih_l0"),
        (lambda c: _with_hparams(c, layers=3), "missing: lstm.weight_ih_l2"),
        (
            lambda c: {**c, "state_dict": {**c["state_dict"], "head.bias": 0.5}},
            "head.bias",
        ),
        (
            lambda c: {**c, "state_dict": {**c["state_dict"], "spare": torch.zeros(1)}},
            "unexpected: spare",
        ),
    ],
)
def test_foreign_checkpoints_are_clear_errors(tmp_path: Path, change, message: str) -> None:
    path = tmp_path / "foreign.ckpt"
    torch.save(change(lightning_checkpoint(tiny_model())), path)
    with pytest.raises(CheckpointError, match="job_posting_lstm") as raised:
        load_generator(path)
    assert message in assert_one_line(raised.value)


def test_missing_checkpoint_is_still_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="materialize job_posting_lstm"):
        load_generator(tmp_path / "nope.ckpt")


def test_training_does_not_resume_from_a_crafted_last_checkpoint(tmp_path: Path) -> None:
    model = tiny_model()
    marker = tmp_path / "code-ran"
    last = crafted_checkpoint(tmp_path / "last.ckpt", marker, lightning_checkpoint(model))
    checkpoint, reason = _resume_decision(last, model)
    assert checkpoint is None and "could run code; refused" in reason
    assert not marker.exists()


def test_training_does_not_resume_from_weights_that_do_not_fit(tmp_path: Path) -> None:
    model = tiny_model()
    foreign = lightning_checkpoint(model)
    foreign["state_dict"] = {k: v for k, v in foreign["state_dict"].items() if k != "head.bias"}
    torch.save(foreign, tmp_path / "last.ckpt")
    checkpoint, reason = _resume_decision(tmp_path / "last.ckpt", model)
    assert checkpoint is None and "missing: head.bias" in reason
    torch.save(lightning_checkpoint(model), tmp_path / "last.ckpt")
    checkpoint, reason = _resume_decision(tmp_path / "last.ckpt", model)
    assert checkpoint is not None and reason is None
