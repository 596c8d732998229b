"""Screens for the GIFs of environments that do not render without extra packages.

Gymnasium draws CartPole with pygame, which this project does not install; the observation
holds everything the picture shows (cart position, pole angle), so it is drawn here with PIL,
to gymnasium's proportions: the track spans the +-2.4 m the episode allows, the pole is 1 m.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

#: An RGB ``uint8[H, W, 3]`` picture of an observation.
Drawer = Callable[[np.ndarray], np.ndarray]

_X_LIMIT = 2.4  # CartPole ends the episode when the cart leaves [-2.4, 2.4]
_POLE_LENGTH = 1.0  # gymnasium's CartPole: half-length 0.5


def draw_cartpole(obs: np.ndarray, width: int = 480, height: int = 320) -> np.ndarray:
    """CartPole's state ``[x, x_dot, theta, theta_dot]`` as a picture of the cart and pole."""
    x, _, theta, _ = (float(value) for value in obs[:4])
    scale = width / (2 * _X_LIMIT)  # pixels per metre
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    track_y = round(height * 0.7)
    draw.line([(0, track_y), (width, track_y)], fill=(0, 0, 0), width=1)
    cart_x = width / 2 + x * scale
    cart_w, cart_h = 50 * width / 600, 30 * width / 600  # gymnasium's cart at its 600 px width
    top = track_y - cart_h / 2
    draw.rectangle([cart_x - cart_w / 2, top, cart_x + cart_w / 2, top + cart_h], fill=(0, 0, 0))
    pole_length = _POLE_LENGTH * scale
    tip = (cart_x + pole_length * math.sin(theta), top - pole_length * math.cos(theta))
    draw.line([(cart_x, top), tip], fill=(202, 152, 101), width=max(2, round(10 * width / 600)))
    axle = max(2, round(5 * width / 600))
    draw.ellipse([cart_x - axle, top - axle, cart_x + axle, top + axle], fill=(129, 132, 203))
    return np.asarray(image)


#: Environments whose observations :mod:`rl_assets.a3c.evaluate` turns into GIF frames here.
DRAWERS: dict[str, Drawer] = {"CartPole-v1": draw_cartpole, "CartPole-v0": draw_cartpole}
