"""CartPole is drawn from its observation (gymnasium's renderer needs pygame)."""

import numpy as np

from rl_assets.a3c.drawing import DRAWERS, draw_cartpole
from rl_assets.a3c.evaluate import can_record


def _pole_columns(picture: np.ndarray) -> np.ndarray:
    """Columns holding the pole's colour."""
    pole = np.all(picture == (202, 152, 101), axis=-1)
    return np.flatnonzero(pole.any(axis=0))


def test_the_cart_and_pole_are_where_the_observation_says():
    upright = draw_cartpole(np.array([0.0, 0.0, 0.0, 0.0]))
    assert upright.shape == (320, 480, 3) and upright.dtype == np.uint8
    centre = _pole_columns(upright).mean()
    assert abs(centre - 240) < 6
    leaning_right = _pole_columns(draw_cartpole(np.array([0.0, 0.0, 0.2, 0.0])))
    assert leaning_right.max() > _pole_columns(upright).max() + 10
    moved_left = _pole_columns(draw_cartpole(np.array([-1.2, 0.0, 0.0, 0.0])))
    assert abs(moved_left.mean() - (240 - 1.2 * 100)) < 6  # 100 px per metre at 480 px


def test_gifs_can_be_made_of_atari_games_and_cartpole_only():
    assert can_record("Pong") and can_record("CartPole-v1") and "CartPole-v1" in DRAWERS
    assert not can_record("Acrobot-v1")
