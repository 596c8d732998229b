"""Actor-critic networks: the A3C paper's Atari network, its LSTM variant, and an MLP.

Every network maps one observation from each of ``N`` environments to ``N`` policy logits and
``N`` state values; the LSTM variant also takes and returns each env's ``(h, c)``. Pixels arrive
as ``uint8`` and are scaled to [0, 1] inside the network, once per batch.

A network runs in two parts, ``encode`` (the convolutions: the costly part that depends on one
observation) and ``decode`` (fully connected layers, LSTM, heads). Workers encode each step once
while acting, keeping the autograd graph, and decode the whole rollout again in one batch to learn
(see ``worker.py``): a fully connected layer over ``T * N`` rows at once is cheaper than ``T``
passes over ``N`` rows.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import torch
from torch import Tensor, nn

RecurrentState = tuple[Tensor, Tensor] | None


def _init(layer: nn.Module, gain: float = math.sqrt(2)) -> nn.Module:
    nn.init.orthogonal_(layer.weight, gain)
    nn.init.zeros_(layer.bias)
    return layer


class AtariTrunk(nn.Module):
    """Mnih et al. (2016): conv 16 8x8 stride 4, conv 32 4x4 stride 2, fully connected 256, ReLU."""

    def __init__(self, in_channels: int, screen_size: int = 84):
        super().__init__()
        self.convs = nn.Sequential(
            _init(nn.Conv2d(in_channels, 16, 8, stride=4)),
            nn.ReLU(),
            _init(nn.Conv2d(16, 32, 4, stride=2)),
            nn.ReLU(),
            nn.Flatten(),
        )
        with torch.no_grad():
            flat = self.convs(torch.zeros(1, in_channels, screen_size, screen_size)).shape[1]
        self.fc = nn.Sequential(_init(nn.Linear(flat, 256)), nn.ReLU())
        self.out_features = 256
        # oneDNN's convolutions (forward and, above all, backward) run faster on CPU with
        # channels-last weights and inputs; the values and the state_dict stay the same.
        self.convs.to(memory_format=torch.channels_last)

    def encode(self, obs: Tensor) -> Tensor:
        pixels = obs.contiguous(memory_format=torch.channels_last)  # no copy from observation_batch
        return self.convs(pixels.float().mul_(1 / 255))

    def decode(self, encoded: Tensor) -> Tensor:
        return self.fc(encoded)


class MLPTrunk(nn.Module):
    """Two tanh layers, for vector observations such as CartPole's."""

    def __init__(self, in_features: int, hidden: int = 64):
        super().__init__()
        self.layers = nn.Sequential(
            _init(nn.Linear(in_features, hidden)),
            nn.Tanh(),
            _init(nn.Linear(hidden, hidden)),
            nn.Tanh(),
        )
        self.out_features = hidden

    def encode(self, obs: Tensor) -> Tensor:
        return obs.float()

    def decode(self, encoded: Tensor) -> Tensor:
        return self.layers(encoded)


class ActorCritic(nn.Module):
    """A trunk shared by a policy head and a value head, with an optional LSTM in between."""

    def __init__(self, trunk: nn.Module, n_actions: int, lstm: bool = False):
        super().__init__()
        self.trunk = trunk
        features = trunk.out_features
        self.lstm = nn.LSTMCell(features, 256) if lstm else None
        if self.lstm is not None:
            nn.init.zeros_(self.lstm.bias_ih)
            nn.init.zeros_(self.lstm.bias_hh)
            features = 256
        # Small policy weights start the agent near-uniform; the value head at unit scale.
        self.policy = _init(nn.Linear(features, n_actions), gain=0.01)
        self.value = _init(nn.Linear(features, 1), gain=1.0)

    @property
    def recurrent(self) -> bool:
        return self.lstm is not None

    def initial_state(self, n_envs: int = 1) -> RecurrentState:
        if self.lstm is None:
            return None
        zeros = torch.zeros(n_envs, self.lstm.hidden_size)
        return zeros, zeros.clone()

    def forward(
        self, obs: Tensor, state: RecurrentState = None
    ) -> tuple[Tensor, Tensor, RecurrentState]:
        """``obs[N, ...]``, one per env -> ``logits[N, A]``, ``values[N]``, next state ``[N, 256]``."""
        return self.decode(self.encode(obs), state)

    def encode(self, obs: Tensor) -> Tensor:
        """``obs[N, ...]`` -> ``encoded[N, F]``: the part of the network that sees the pixels."""
        return self.trunk.encode(obs)

    def decode(
        self, encoded: Tensor, state: RecurrentState = None
    ) -> tuple[Tensor, Tensor, RecurrentState]:
        """``encoded[N, F]`` -> ``logits[N, A]``, ``values[N]``, next state."""
        features = self.trunk.decode(encoded)
        if self.lstm is not None:
            assert state is not None, "the LSTM network needs a state; use initial_state()"
            features, cell = self.lstm(features, state)
            state = (features, cell)
        return self.policy(features), self.value(features).squeeze(-1), state


def observation_batch(observations: np.ndarray) -> Tensor:
    """``observations[N, ...]`` as the networks' input tensor, without copying the values twice.

    Image stacks ``[N, C, H, W]`` come back with the same shape and values but channels-last in
    memory, the layout ``AtariTrunk`` computes in: OpenCV interleaves each env's planes much faster
    than torch's strided ``uint8`` copy would.
    """
    if observations.ndim != 4:
        return torch.from_numpy(observations)
    batch, channels, height, width = observations.shape
    interleaved = np.empty((batch, height, width, channels), observations.dtype)
    for planes, out in zip(observations, interleaved, strict=True):
        cv2.merge(list(planes), dst=out)
    return torch.from_numpy(interleaved).permute(0, 3, 1, 2)


def build_model(obs_shape: tuple[int, ...], n_actions: int, lstm: bool = False) -> ActorCritic:
    """The paper's conv network for image stacks ``(C, H, W)``, the MLP for vectors ``(D,)``."""
    if len(obs_shape) == 3:
        trunk: nn.Module = AtariTrunk(obs_shape[0], obs_shape[1])
    elif len(obs_shape) == 1:
        trunk = MLPTrunk(obs_shape[0])
    else:
        raise ValueError(
            f"No network for observations of shape {obs_shape}; expected (C, H, W) or (D,)."
        )
    return ActorCritic(trunk, n_actions, lstm=lstm)
