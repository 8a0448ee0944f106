"""Microbridging and scum: partially crosslinked material left in the spaces between lines.

A negative resist clears a space only where the crosslink density stays below the point at
which the developer can no longer remove the gel. Dense lines fail in three ways that all leave
material in the space (Varanasi, Ito et al., ACS Symp. Ser. 706, ch. 24 (1998): microbridging
and line collapse are the dominant limits of dense lines in aqueous-base negative resists):

* scum: the mean remaining thickness at the space centre, h(q_space), exceeds RESIDUE_MAX
  (development.remaining_thickness: gel fraction x the share of the gel the developer keeps);
* swollen skins: the lightly crosslinked skin of each line edge swells in the developer
  (Flory-Rehner, development.linear_swelling); two skins closing more than SWELL_MAX of the
  space fuse when the rinse dries.

Each test gives a normalised margin (>= 0: the space clears); the worst one is the
microbridging margin of patterning.py.

Not included: stochastic bridges (a 3-sigma shot-noise excursion of q at the space centre).
Tried with the counting statistics of ler.py, it is dominated by the rare radical chains of
acrylate D (fewer than one radical per blur volume), where a linearised 3-sigma is not
meaningful, and it labelled 20 % of 2,000 random formulations as bridged at 600 nm spaces; a
proper treatment needs the bridge-spanning probability, not a point fluctuation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

RESIDUE_MAX = 0.10
"""Largest normalised thickness tolerated at the space centre."""
SWELL_MAX = 0.5
"""Largest share of the space the two swollen edge skins may close."""


def residue_margin(h_space: ArrayLike) -> np.ndarray:
    """(RESIDUE_MAX - h) / RESIDUE_MAX of the mean space-centre thickness."""
    return (RESIDUE_MAX - np.asarray(h_space, float)) / RESIDUE_MAX


def swelling_margin(edge_swelling_nm: ArrayLike, half_pitch_nm: ArrayLike) -> np.ndarray:
    """1 - 2 s_sw / (SWELL_MAX p): the two skins close at most SWELL_MAX of the space."""
    return 1.0 - 2.0 * np.asarray(edge_swelling_nm, float) / (SWELL_MAX * np.asarray(half_pitch_nm, float))


__all__ = ["residue_margin", "swelling_margin", "RESIDUE_MAX", "SWELL_MAX"]
