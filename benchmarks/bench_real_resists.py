"""Benchmark: the simulator against published negative-CAR doses and resolutions, side by side.

Run: ``.venv/bin/python benchmarks/bench_real_resists.py [--json] [--out FILE.csv]``.

Reads ``data/examples/real/published.csv`` (one row per published figure, each with its source;
``formulation`` names the catalog-built formulation in the same folder modelled on it, empty where
the chemistry cannot be modelled) and simulates every formulation. Prints, per row: the published
dose and resolution, the simulator's sensitivity (D50 of the 500 um pad contrast curve), dose to
size (the dose that prints its resolution-limit lines at size; closer to a published "exposure
dose" for lines), gel dose, resolution (smallest printed half-pitch) and contrast, and the ratios
simulated / published.
The aim of issue 12 is each ratio within a factor of 2; the ``2x`` column says whether it is.

This is a comparison harness, not a fit: the formulations use catalog stand-ins for undisclosed
product compositions (see the comment at the top of each YAML file), and the published process may
differ from what the simulator models (e.g. silylation and dry development instead of aqueous
TMAH), which the ``note`` column records.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

from resistml.paths import data_dir

REAL_DIR = data_dir() / "examples" / "real"
PUBLISHED = REAL_DIR / "published.csv"
FACTOR = 2.0


def load_published(path: Path = PUBLISHED) -> list[dict[str, str]]:
    """The published table, one dict per row (strings as in the CSV)."""
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _num(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def _ratio(sim: float, pub: float) -> float:
    return sim / pub if pub > 0 and math.isfinite(sim) and math.isfinite(pub) else math.nan


def compare(rows: list[dict[str, str]] | None = None) -> list[dict]:
    """Simulate each row's formulation; the published and simulated figures and their ratios."""
    from resistml.formulation import load_formulations
    from resistml.physics.simulator import simulate

    out = []
    for row in rows if rows is not None else load_published():
        rec = {
            "resist": row["resist"], "beam_keV": _num(row["beam_keV"]),
            "published_dose": _num(row["dose_uC_cm2"]), "published_resolution_nm": _num(row["resolution_nm"]),
            "published_contrast": _num(row.get("contrast", "")), "formulation": row.get("formulation", ""),
            "source": row["source"], "note": row.get("note", ""),
        }
        if rec["formulation"]:
            form = load_formulations(REAL_DIR / rec["formulation"])[0]
            res = simulate(form)
            props = res.to_dict()["properties"]
            rec.update(
                sim_D50=props["sensitivity"], sim_gel_dose=props["gel_dose"], sim_contrast=props["contrast"],
                sim_dose_to_size=props["dose_to_size"],
                sim_resolution_nm=props["resolution_nm"], sim_ler_nm=props["ler_nm"], status=props["status"],
                substrate=form.process.substrate, thickness_nm=form.process.thickness_nm,
            )
            rec["dose_ratio"] = _ratio(rec["sim_D50"], rec["published_dose"])
            rec["dose_to_size_ratio"] = _ratio(rec["sim_dose_to_size"], rec["published_dose"])
            rec["resolution_ratio"] = _ratio(rec["sim_resolution_nm"], rec["published_resolution_nm"])
            rec["contrast_ratio"] = _ratio(rec["sim_contrast"], rec["published_contrast"])
        else:
            rec["status"] = "not modelled"
        out.append(rec)
    return out


def _within(ratio: float) -> str:
    if not math.isfinite(ratio):
        return "-"
    return "yes" if 1 / FACTOR <= ratio <= FACTOR else "no"


def _fmt(value, spec: str = ".3g") -> str:
    if isinstance(value, float):
        return "-" if not math.isfinite(value) else format(value, spec)
    return "-" if value is None else str(value)


def print_table(records: list[dict]) -> None:
    """The side-by-side table (plain text, one row per published figure)."""
    cols = ("resist", "keV", "pub dose", "sim D50", "ratio", "2x", "sim DtS", "ratio", "2x", "pub res", "sim res",
            "ratio", "2x", "pub γ", "sim γ", "status")
    lines = [cols]
    for r in records:
        lines.append((
            r["resist"], _fmt(r["beam_keV"], "g"), _fmt(r["published_dose"]), _fmt(r.get("sim_D50")),
            _fmt(r.get("dose_ratio", math.nan), ".2f"), _within(r.get("dose_ratio", math.nan)),
            _fmt(r.get("sim_dose_to_size")), _fmt(r.get("dose_to_size_ratio", math.nan), ".2f"),
            _within(r.get("dose_to_size_ratio", math.nan)),
            _fmt(r["published_resolution_nm"]), _fmt(r.get("sim_resolution_nm")),
            _fmt(r.get("resolution_ratio", math.nan), ".2f"), _within(r.get("resolution_ratio", math.nan)),
            _fmt(r["published_contrast"]), _fmt(r.get("sim_contrast")), r["status"],
        ))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(cols))]
    for k, line in enumerate(lines):
        print("  ".join(str(v).rjust(w) if k and i else str(v).ljust(w) for i, (v, w) in enumerate(zip(line, widths, strict=True))))
    print("\ndoses in uC/cm2 (sim D50: 50 % remaining thickness, 500 um pad; sim DtS: the simulator's dose to size "
          "of its\nresolution-limit lines); resolution in nm (sim: smallest printed half-pitch); ratio = simulated / "
          "published; 2x: within a factor of 2")
    for r in records:
        print(f"- {r['resist']}: {r['source']}. {r['note']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON records instead of the table")
    parser.add_argument("--out", type=Path, help="also write the records as CSV")
    args = parser.parse_args(argv)
    records = compare()
    if args.json:
        print(json.dumps(records, indent=2, default=lambda v: None))
    else:
        print_table(records)
    if args.out:
        keys = sorted({k for r in records for k in r})
        with args.out.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=keys)
            writer.writeheader()
            writer.writerows(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
