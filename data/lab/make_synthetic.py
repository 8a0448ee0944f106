"""Regenerate the SYNTHETIC lab data in data/lab/ (fixed seed): python data/lab/make_synthetic.py

Made by a hidden-parameter variant of the built-in simulator (resistml/lab/synthetic.py: dose
scale 1.3, developer 2.70 % instead of 2.38 %, PEB 2 degC low, 7 % multiplicative + 1 nm
absolute noise). See data/lab/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from resistml.formulation.table import write_table  # noqa: E402
from resistml.lab import synthetic  # noqa: E402

REPLICATES = ("lab-01-TPS-Tf-PHS8k-HMMM", "lab-04-DPI-Tf-PHS20k-HMMM-TMPTA", "lab-09-TPS-Tf-PHS8k-HMMM-xray")
"""Formulations measured a second time (another wafer) for the formulation_id form."""
NOT_MEASURED = {"ler_nm": ("lab-03-TPS-Nf-PHS12k-TMMBG", "lab-07-BBI-Nf-PHSSt-Cymel-BDDVE"),
                "resolution_nm": ("lab-07-BBI-Nf-PHSSt-Cymel-BDDVE",)}
"""Summary cells the lab did not measure (left empty)."""


def main() -> None:
    rng = np.random.default_rng(synthetic.SEED)
    forms = synthetic.lab_formulations()
    curves, summary, truth = [], [], []
    for form in forms:
        curve, row = synthetic.measure(form, rng)
        curves.append(curve)
        summary.append(row)
        truth.append({"name": form.name, **synthetic.truth(form)})
    pd.concat(curves, ignore_index=True).to_csv(HERE / "contrast_curves.csv", index=False)
    frame = pd.DataFrame(summary)
    for col, names in NOT_MEASURED.items():
        gone = frame["name"].isin(names)
        frame.loc[gone, [col, f"{col}_std"]] = np.nan
    frame.to_csv(HERE / "summary.csv", index=False)
    pd.DataFrame(truth).to_csv(HERE / "hidden_truth.csv", index=False, float_format="%.6g")
    write_table(forms, HERE / "formulations.csv")
    replicate_rows = []
    for form in forms:
        if form.name in REPLICATES:
            curve, _ = synthetic.measure(form, rng)
            replicate_rows.append(pd.DataFrame({
                "formulation_id": form.name, "dose": curve["dose"],
                "remaining_thickness": (curve["remaining_thickness_nm"] / curve["initial_thickness_nm"]).round(4)}))
    pd.concat(replicate_rows, ignore_index=True).to_csv(HERE / "contrast_curves_by_id.csv", index=False)
    print(f"wrote {len(forms)} curves, {len(frame)} summary rows, {len(REPLICATES)} replicate curves to {HERE}")


if __name__ == "__main__":
    main()
