"""A CartPole that crashes in one A3C worker: used to test that the trainer stops everything.

Workers make envs by id; ``"a3c_faulty_env:CrashingCartPole-v0"`` makes gymnasium import this
module in the worker process (spawned workers inherit the test's ``sys.path``).
"""

import gymnasium as gym
from gymnasium.envs.classic_control import CartPoleEnv

CRASHING_SEED = 1 + 1000 * 1  # A3CConfig(seed=1): env 0 of worker 1 is reset with this seed
CRASH_AFTER_STEPS = 200


class CrashingCartPole(CartPoleEnv):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.crashes = False
        self.steps = 0

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            self.crashes = seed == CRASHING_SEED
        return super().reset(seed=seed, options=options)

    def step(self, action):
        self.steps += 1
        if self.crashes and self.steps > CRASH_AFTER_STEPS:
            raise RuntimeError("injected failure in the crashing CartPole")
        return super().step(action)


if "CrashingCartPole-v0" not in gym.registry:
    gym.register("CrashingCartPole-v0", entry_point=CrashingCartPole, max_episode_steps=500)
