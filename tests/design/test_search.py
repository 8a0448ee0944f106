"""A small design run: constraints hold for what it returns, outputs exist, a killed run resumes identically."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from resistml.design.report import pareto_frame, summary, write_outputs
from resistml.design.search import HISTORY, STATE, Search, SearchConfig, make_simulator
from resistml.design.spec import SpecError, parse_spec
from resistml.formulation.table import row_to_formulation
from resistml.inference.predictor import Predictor
from resistml.paths import data_dir

pytest.importorskip("optuna")

SPEC = {
    "name": "tiny",
    "process": {"radiation": "electron", "beam_energy_keV": 50, "thickness_nm": [80, 150], "peb_temp_C": [100, 120]},
    "objectives": {"sensitivity": "minimise", "resolution_nm": "minimise", "ler_nm": "minimise"},
    "constraints": ["sensitivity <= 40", "resolution_nm <= 80", "p_prints >= 0.9"],
    "components": {"acid_generator": {"catalog": ["TPS-Tf", "TPS-Nf", "TPS-CS", "TBPDPS-Tf"], "parts": [2, 15]},
                   "resin": {"catalog": ["PHS-8k", "PHS-12k", "PHS-co-St-80-20"]},
                   "crosslinker": {"catalog": ["HMMM", "TMGU", "TMMBG"], "parts": [5, 30]},
                   "base": {"catalog": ["TOA", "DBU"], "parts": [0.1, 1]}},
    "max_components": 4, "budget": 20, "batch": 5, "seed": 1,
}
FAST = SearchConfig(population=12, generations=3, refit_every=2)


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    import torch

    torch.set_num_threads(1)
    return Predictor.load(data_dir() / "models" / "default")


@pytest.fixture(scope="module")
def full_run(tmp_path_factory, predictor):
    out = tmp_path_factory.mktemp("design") / "full"
    spec = parse_spec(SPEC)
    history = Search(spec, out, predictor, FAST).run()
    return spec, out, history


def test_small_search_returns_only_constraint_satisfying_formulations(full_run):
    spec, out, history = full_run
    assert len(history) == 20 and history["batch"].tolist() == [b for b in range(4) for _ in range(5)]
    assert history["key"].is_unique  # never proposes the same formulation twice
    front = pareto_frame(spec, history)
    assert len(front) >= 1
    for _, row in front.iterrows():
        assert row["sim_status"] == "ok"
        assert row["sim_sensitivity"] <= 40 and row["sim_resolution_nm"] <= 80
        flat = {k: v for k, v in row.items() if isinstance(k, str) and not k.startswith(("pred_", "sim_"))
                and k not in ("p_prints", "in_domain", "batch", "call") and pd.notna(v)}
        form = row_to_formulation(flat)  # pareto.csv rows are valid table-form formulations
        assert len(form.components) <= 4 and {c.role.value for c in form.components} >= {"acid_generator", "resin", "crosslinker"}
        ag = next(c for c in form.components if c.role.value == "acid_generator")
        assert ag.catalog in SPEC["components"]["acid_generator"]["catalog"] and 2 <= ag.parts <= 15
        assert 80 <= form.process.thickness_nm <= 150 and form.process.beam_energy_keV == 50
    paths = write_outputs(spec, history, out)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    table = pd.read_csv(out / "pareto.csv")
    assert {"pred_sensitivity", "sim_sensitivity", "pred_ler_nm_std", "p_prints", "in_domain"} <= set(table.columns)
    s = summary(spec, history)
    assert s["hypervolume"] > 0 and 0 <= s["print_rate"] <= 1


def test_resume_after_a_kill_gives_the_same_history(full_run, predictor, tmp_path):
    spec, out, history = full_run
    killed = tmp_path / "killed"
    calls = {"n": 0}
    simulate = make_simulator(None)

    def dies_in_batch_two(forms):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")
        return simulate(forms)

    with pytest.raises(KeyboardInterrupt):
        Search(spec, killed, predictor, FAST, simulate=dies_in_batch_two).run()
    assert len(pd.read_parquet(killed / HISTORY)) == 10  # two whole batches survived
    resumed = Search(spec, killed, predictor, FAST).run()
    pd.testing.assert_frame_equal(resumed, history)

    truncated = tmp_path / "truncated"  # a history cut back to its first batch (e.g. copied mid-run)
    truncated.mkdir()
    shutil.copy(out / STATE, truncated / STATE)
    history[history["batch"] == 0].to_parquet(truncated / HISTORY, index=False)
    pd.testing.assert_frame_equal(Search(spec, truncated, predictor, FAST).run(), history)


def test_another_seed_in_the_same_folder_is_refused(full_run, predictor):
    spec, out, _ = full_run
    with pytest.raises(SpecError, match="different seed"):
        Search(spec.with_run(seed=2), out, predictor, FAST).run()
    assert json.loads((out / STATE).read_text())["spec"]["seed"] == 1


def test_random_baseline_draws_from_the_same_space(tmp_path):
    spec = parse_spec({**SPEC, "budget": 10})
    history = Search(spec, tmp_path, None, SearchConfig(strategy="random")).run()
    assert len(history) == 10 and history["key"].is_unique
    assert set(history["acid_generator"]) <= set(SPEC["components"]["acid_generator"]["catalog"])
    assert history["pred_sensitivity"].isna().all()


def test_cli_runs_prints_the_pareto_set_and_logs_to_mlflow(tmp_path, monkeypatch):
    import yaml
    from typer.testing import CliRunner

    from resistml.cli import app

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump({**SPEC, "budget": 6, "batch": 3}))
    result = CliRunner().invoke(app, ["design", "--spec", str(spec_path), "--out", str(tmp_path / "run"),
                                      "--strategy", "random"])
    assert result.exit_code == 0, result.output
    assert "Pareto set" in result.output and "MLflow run" in result.output
    assert {"pareto.csv", "history.parquet", "pareto.png", "hypervolume.png"} <= {p.name for p in (tmp_path / "run").iterdir()}
    from mlflow.tracking import MlflowClient

    runs = MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}").search_runs(
        [MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}").get_experiment_by_name("resistml-design").experiment_id])
    assert len(runs) == 1 and runs[0].data.metrics["calls"] == 6

    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**SPEC, "constraints": ["sensitivity >= 50", "sensitivity <= 40"]}))
    result = CliRunner().invoke(app, ["design", "--spec", str(bad), "--out", str(tmp_path / "bad")])
    assert result.exit_code == 2
    assert "constraints[0], constraints[1]: sensitivity >= 50 and sensitivity <= 40 cannot both hold" in result.output
