"""An MLflow ``pyfunc`` model around the :class:`~.predictor.Predictor` (load, serve, compare with MLflow).

:func:`save_pyfunc` writes an MLflow model directory whose artifact ``resistml_model`` is an exported
artifact directory (:mod:`.export`: TorchScript + torch.export programs, metadata, checksums), with

- a signature on the flat table form (:mod:`resistml.formulation.table`): every slot, amount, resin
  and process column, all optional and of type Any (the table validator checks cells row by row, so
  a bad cell is that row's ``error``, as in ``resistml predict``); the output is the prediction table of ``resistml predict``
  (``row``, ``name``, per target the value and ``<target>_std``, ``dose_unit``, ``in_domain``,
  ``domain_notes``, ``warnings``) plus ``error`` for rows that are not valid formulations;
- an input example (the export's example formulations as table rows), pip requirements pinned to
  this installation, and the artifact's name, version, targets, units and data hash as metadata.

``mlflow.pyfunc.load_model(uri).predict(frame)`` runs the rows through
:func:`resistml.inference.batch.predict_chunk`, the code path of ``resistml predict``, so the numbers
are the same. The model config key ``format`` picks ``torchscript`` (default) or ``export``.
Importing this module imports MLflow; :mod:`.model_uri` resolves URIs without it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pandas as pd

import resistml
from resistml.inference.model_uri import ARTIFACT_KEY

PYFUNC_NAME = "model"
"""Artifact path of the pyfunc model in a run (registered from ``runs:/<run id>/model``)."""
_ENGINE_PACKAGES = ("torch", "torch_geometric", "rdkit", "lightning", "pydantic", "pandas", "pyarrow",
                    "numpy", "scipy", "pyyaml", "xraylib", "mlflow")


class ResistmlPyfunc(mlflow.pyfunc.PythonModel):
    """``predict(frame)``: table-form rows in, one prediction (or error) row per input row out."""

    def load_context(self, context: Any) -> None:
        from resistml.inference.predictor import Predictor

        fmt = (getattr(context, "model_config", None) or {}).get("format", "torchscript")
        self.predictor = Predictor.load(context.artifacts[ARTIFACT_KEY], fmt)

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        return predict_frame(self.predictor, model_input)


def predict_frame(predictor: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """Predictions of every row (``row`` = position), invalid rows with ``error`` and no values."""
    from resistml.inference.batch import predict_chunk

    frame = pd.DataFrame(frame).reset_index(drop=True)
    frame = frame.astype(object).where(frame.notna(), None)  # MLflow hands missing cells as NaN/None alike
    out, errors = predict_chunk(predictor, frame, 0)
    out = out.assign(error=pd.Series([None] * len(out), dtype=object))
    errs = errors.astype({"error": object})
    both = pd.concat([out, errs], ignore_index=True) if len(errs) else out
    return both.sort_values("row", kind="stable").reset_index(drop=True)


# ---- signature, example, requirements --------------------------------------------------------
def input_columns() -> dict[str, str]:
    """Every flat-table column with its cell type (``string`` or ``double``; the input example's dtypes)."""
    from resistml.formulation.roles import Role
    from resistml.formulation.table import (
        MAX_SLOTS_PER_ROLE,
        NUMERIC_PROCESS_COLUMNS,
        PROCESS_COLUMNS,
        slot_column,
    )

    cols = {"name": "string"}
    for role in Role:
        for i in range(MAX_SLOTS_PER_ROLE):
            col = slot_column(role, i)
            cols |= {col: "string", f"{col}_parts": "double", f"{col}_name": "string"}
            if role is Role.resin:
                cols |= {f"{col}_mw": "double", f"{col}_pdi": "double"}
    for col in PROCESS_COLUMNS:
        cols[col] = "double" if col in NUMERIC_PROCESS_COLUMNS else "string"
    return cols


def output_columns(outputs: list[str]) -> dict[str, str]:
    cols = {"row": "long", "name": "string"}
    for out in outputs:
        cols |= {out: "double", f"{out}_std": "double"}
    return cols | {"dose_unit": "string", "in_domain": "boolean", "domain_notes": "string",
                   "warnings": "string", "error": "string"}


def signature(outputs: list[str]) -> Any:
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema
    from mlflow.types.schema import AnyType

    # every column optional and untyped: a CSV column left empty reads as float NaN and a wrong cell
    # must be that row's error (as in `resistml predict`), not a schema failure of the whole frame
    inputs = Schema([ColSpec(AnyType(), c, required=False) for c in input_columns()])
    results = Schema([ColSpec(t, c, required=False) for c, t in output_columns(outputs).items()])
    return ModelSignature(inputs=inputs, outputs=results)


def input_example() -> pd.DataFrame:
    """Two table rows (the export's example formulations), with every numeric cell a float."""
    from resistml.formulation import Formulation
    from resistml.formulation.table import formulations_to_frame

    gens = ["c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F", "c1ccc(cc1)[I+]c1ccccc1.[O-]S(=O)(=O)C(F)(F)F"]
    forms = []
    for i in range(2):
        comps = [
            {"role": "acid_generator", "smiles": gens[i], "parts": 2.0 + i},
            {"role": "resin", "repeat_units": [{"smiles": "[*]CC([*])c1ccc(O)cc1", "fraction": 1.0}],
             "mw": 8000.0 + 1000 * i, "pdi": 1.3, "parts": 100.0},
            {"role": "crosslinker", "smiles": "COCN(COC)c1nc(N(COC)COC)nc(N(COC)COC)n1", "parts": 10.0},
        ]
        forms.append(Formulation.from_dict({"name": f"example{i}", "components": comps}))
    frame = formulations_to_frame(forms)
    numeric = [c for c, t in input_columns().items() if t == "double" and c in frame]
    return frame.astype({c: "float64" for c in numeric})


def pip_requirements() -> list[str]:
    """``resistml`` and its engine packages at the versions installed here."""
    from importlib.metadata import PackageNotFoundError, version

    reqs = [f"resistml=={resistml.__version__}"]
    for name in _ENGINE_PACKAGES:
        try:
            reqs.append(f"{name.replace('_', '-')}=={version(name).split('+')[0]}")
        except PackageNotFoundError:
            continue
    return reqs


def model_metadata(artifact_dir: Path) -> dict[str, Any]:
    """The artifact's identity for the MLmodel file (name, version, targets, units, data hash)."""
    meta = json.loads((Path(artifact_dir) / "metadata.json").read_text())
    keep = ("model_name", "model_version", "targets", "target_units", "data_hash", "format")
    return {"resistml": {k: meta[k] for k in keep if k in meta}}


# ---- writing ---------------------------------------------------------------------------------
def save_pyfunc(artifact_dir: str | Path, path: str | Path, *, format: str = "torchscript") -> Path:
    """Write the MLflow pyfunc model of an exported artifact directory to ``path`` (must not exist)."""
    from resistml.inference.export import verify_artifact

    meta = verify_artifact(artifact_dir)
    from resistml.inference.predictor import output_name

    outputs = [output_name(t) for t in meta["targets"]]
    mlflow.pyfunc.save_model(
        path=str(path),
        python_model=ResistmlPyfunc(),
        artifacts={ARTIFACT_KEY: str(artifact_dir)},
        signature=signature(outputs),
        input_example=input_example(),
        pip_requirements=pip_requirements(),
        metadata=model_metadata(Path(artifact_dir)),
        model_config={"format": format},
    )
    return Path(path)


def log_pyfunc(client: Any, run_id: str, artifact_dir: str | Path, *, format: str = "torchscript") -> str:
    """Upload the pyfunc model of ``artifact_dir`` to ``<run>/model``; return ``runs:/<run id>/model``."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="resistml-pyfunc-") as tmp:
        local = save_pyfunc(artifact_dir, Path(tmp) / PYFUNC_NAME, format=format)
        client.log_artifacts(run_id, str(local), PYFUNC_NAME)
    return f"runs:/{run_id}/{PYFUNC_NAME}"
