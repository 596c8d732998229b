"""Actor-critic networks: the A3C paper's Atari network, its LSTM variant, and an MLP.

Every network maps one observation from each of ``N`` environments to ``N`` policy logits and
``N`` state values; the LSTM variant also takes and returns each env's ``(h, c)``. Workers act and
learn with the same pass (see ``worker.py``). Pixels arrive as ``uint8`` and are scaled to [0, 1]
inside the network, once per batch.
"""

from __future__ import annotations

import math

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
        # oneDNN's convolutions (forward and, above all, backward) run about twice as fast on
        # CPU with channels-last weights and inputs; the values and the state_dict stay the same.
        self.convs.to(memory_format=torch.channels_last)

    def forward(self, obs: Tensor) -> Tensor:
        pixels = obs.contiguous(memory_format=torch.channels_last)  # converted as uint8: cheaper
        return self.fc(self.convs(pixels.float() / 255.0))


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

    def forward(self, obs: Tensor) -> Tensor:
        return self.layers(obs.float())


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
        features = self.trunk(obs)
        if self.lstm is not None:
            assert state is not None, "the LSTM network needs a state; use initial_state()"
            features, cell = self.lstm(features, state)
            state = (features, cell)
        return self.policy(features), self.value(features).squeeze(-1), state


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
