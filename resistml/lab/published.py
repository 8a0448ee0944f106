"""Published measurements of real resists kept beside their modelled formulations.

A folder of formulation files may hold ``published.csv`` (see ``data/examples/real/``): one row per
published resist with ``formulation`` (the file modelling it), ``dose_uC_cm2``, ``resolution_nm``,
``resist`` and ``source``. :func:`published_for` finds the row of a formulation file, so that
``resistml simulate`` can print simulator and published values side by side.
"""

from __future__ import annotations

import csv
from pathlib import Path

PUBLISHED_FILE = "published.csv"


def published_for(path: str | Path) -> dict[str, str] | None:
    """The published row modelled by formulation file ``path``, or None."""
    path = Path(path)
    table = path.parent / PUBLISHED_FILE
    if not table.is_file():
        return None
    with table.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if (row.get("formulation") or "").strip() == path.name:
                return row
    return None


def comparison(published: dict[str, str], dose_to_size: float | None, resolution_nm: float | None) -> dict[str, str]:
    """Rows for a side-by-side table: published value, simulated value and their ratio."""

    def ratio(sim: float | None, pub: str) -> str:
        try:
            return f"{float(sim) / float(pub):.2f}" if sim is not None else "-"
        except (TypeError, ValueError, ZeroDivisionError):
            return "-"

    return {
        "published resist": published.get("resist", ""),
        "published dose, uC/cm2": published.get("dose_uC_cm2", ""),
        "dose_to_size / published": ratio(dose_to_size, published.get("dose_uC_cm2", "")),
        "published resolution_nm": published.get("resolution_nm", ""),
        "resolution / published": ratio(resolution_nm, published.get("resolution_nm", "")),
        "source": published.get("source", "").split(";")[0],
    }
