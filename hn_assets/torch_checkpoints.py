"""Reading a torch checkpoint that may come from anyone, for both trainers (the char-LSTM and
A3C): plain data only, and one clear line when the file is not what it should be.

``weights_only=True`` limits unpickling to tensors, containers and primitives; a pickle that
names any other callable (the way a crafted file runs code) is refused. The caller says what
the file should be and how to get a good one, so every message ends with the fix.
"""

from __future__ import annotations

import pickle
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

_UNSUPPORTED_GLOBAL = re.compile(r"GLOBAL ([\w.]+)")


def describe_load_failure(error: BaseException) -> str:
    """Why torch could not load a file, in a few words (its own messages run to a page)."""
    if isinstance(error, pickle.UnpicklingError):
        return "its pickled data is not plain tensors and values"
    if isinstance(error, EOFError):
        return "the file ends too early"
    text = str(error).strip()
    detail = text.splitlines()[0][:200] if text else "no details"
    return f"{type(error).__name__}: {detail}"


def load_plain_checkpoint(
    path: Path, *, not_ours: str, how_to_fix: str, error: type[Exception]
) -> Any:
    """The unpickled content of ``path``; any failure raises ``error`` with a message of the
    form "<path> <not_ours>: <why>; <how_to_fix>"."""
    try:
        with warnings.catch_warnings():
            # Foreign pickles make torch warn about their protocol before it refuses them.
            warnings.filterwarnings("ignore", message=".*pickle protocol", category=UserWarning)
            return torch.load(path, map_location="cpu", weights_only=True)
    except PermissionError as failure:
        raise error(f"cannot read {path}: {failure.strerror}; check its permissions") from failure
    except pickle.UnpicklingError as failure:
        named = _UNSUPPORTED_GLOBAL.search(str(failure))
        if named is None:
            raise error(
                f"{path} {not_ours}: it is damaged or not a torch checkpoint "
                f"({describe_load_failure(failure)}); {how_to_fix}"
            ) from failure
        raise error(
            f"{path} {not_ours}: loading it would import and call {named.group(1)}, so it "
            f"could run code; refused. Only load checkpoints you trained; {how_to_fix}"
        ) from failure
    except Exception as failure:  # noqa: BLE001 - torch reports damage with many exception types
        raise error(
            f"{path} is empty, truncated or not a torch checkpoint ({describe_load_failure(failure)}); "
            f"{how_to_fix}"
        ) from failure


def state_dict_problems(expected: Mapping[str, torch.Tensor], state: Mapping[Any, Any]) -> str:
    """Missing, unexpected and misshapen tensors of ``state``, in one line ('' if it fits)."""
    missing = [key for key in expected if key not in state]
    unexpected = [str(key) for key in state if key not in expected]
    misshapen = [
        f"{key} {tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__}"
        f" instead of {tuple(expected[key].shape)}"
        for key, value in state.items()
        if key in expected
        and (not isinstance(value, torch.Tensor) or value.shape != expected[key].shape)
    ]
    return "; ".join(
        f"{label}: {', '.join(items[:3])}{' ...' if len(items) > 3 else ''}"
        for label, items in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("wrong shape", misshapen),
        )
        if items
    )
