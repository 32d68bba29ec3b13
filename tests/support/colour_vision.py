"""Colour-vision-deficiency simulation for tests of the result screen.

Matrices: G. M. Machado, M. M. Oliveira and L. A. F. Fernandes, "A Physiologically-based Model
for Simulation of Color Vision Deficiency", IEEE TVCG 15(6), 2009, severity 1.0 (dichromacy),
applied to linear sRGB as the paper does. Distances are CIE 1976 ΔE*ab (D65), so a figure can
be read against the usual rule of thumb (about 2.3 is just noticeable; tens is "another colour").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

MACHADO_2009 = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}

Floats = NDArray[np.float64]

_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_D65 = np.array([0.95047, 1.0, 1.08883])


def to_linear(srgb: Floats) -> Floats:
    """sRGB in 0–1 to linear light."""
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def simulate(linear_rgb: Floats, deficiency: str) -> Floats:
    """Linear RGB (…, 3) as seen with ``deficiency`` (a key of MACHADO_2009), clipped to 0–1."""
    return np.clip(linear_rgb @ MACHADO_2009[deficiency].T, 0.0, 1.0)


def luminance(linear_rgb: Floats) -> Floats:
    """WCAG relative luminance of linear RGB."""
    return linear_rgb @ np.array([0.2126, 0.7152, 0.0722])


def lab(linear_rgb: Floats) -> Floats:
    """Linear RGB to CIELAB (D65)."""
    xyz = (linear_rgb @ _SRGB_TO_XYZ.T) / _D65
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


def delta_e(a: Floats, b: Floats) -> float:
    """CIE76 ΔE*ab between two linear RGB colours."""
    return float(np.linalg.norm(lab(a) - lab(b)))


def hex_linear(colour: str) -> Floats:
    """``#rrggbb`` to linear RGB."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64) / 255
    return to_linear(rgb)
