"""Generation: Parquet schema, determinism, resume after a crash, failures, CLI, real simulator."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import resistml.datasets.generate as gen
from resistml.cli import app
from resistml.datasets.dataset import read_table
from resistml.datasets.generate import (
    GenerateConfig,
    GenerateError,
    generate,
    pending_shards,
    shard_path,
)
from resistml.datasets.sampling import sample_shard
from resistml.datasets.schema import BASE_FIELDS, TARGETS, formulation_from_row
from tests.dataset_helpers import TOY_LABELLER, toy_labeller

CFG = GenerateConfig(n=250, seed=0, shard_size=50)


def _bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "shards").glob("*.parquet"))}


def _run(out: Path, cfg: GenerateConfig = CFG, labeller=TOY_LABELLER, **kw):
    return generate(out, cfg, workers=0, labeller=labeller, progress=False, **kw)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref")
    _run(out)
    return out


def test_schema_and_round_trip(reference):
    table = read_table(reference)
    assert table.num_rows == CFG.n and table["row_id"].to_pylist() == list(range(CFG.n))
    for field in BASE_FIELDS:
        assert table.schema.field(field.name).type == field.type, field.name
    assert pa.types.is_list(table.schema.field("toy_curve").type)  # list intermediates survive
    originals = sample_shard(CFG.seed, 1, 50, 50)
    rows = table.slice(50, 50).to_pylist()
    assert [formulation_from_row(r).to_dict() for r in rows] == [f.to_dict() for f in originals]


def test_same_seed_gives_identical_shards_and_card(reference, tmp_path):
    card = _run(tmp_path).card
    assert _bytes(tmp_path) == _bytes(reference)
    assert card == json.loads((reference / "card.json").read_text())
    other = tmp_path / "other"
    _run(other, GenerateConfig(n=50, seed=1, shard_size=50))
    assert (other / "shards" / "part-00000.parquet").read_bytes() != _bytes(reference)["part-00000.parquet"]


def test_card_contents(reference):
    card = json.loads((reference / "card.json").read_text())
    assert card["count"] == 250 and card["ok"] + card["failed"] == 250 and card["seed"] == 0
    assert "toy_labeller" in card["simulator"]
    assert set(card["unique_molecules"]) == {"acid_generator", "resin", "crosslinker", "polymerizable", "base"}
    assert card["ranges"]["thickness_nm"]["min"] >= 50 and card["ranges"]["thickness_nm"]["max"] <= 1000
    assert set(card["splits"]) == {"random", "unseen_molecules", "unseen_scaffolds", "beam_energy_extrapolation"}


class Crash(BaseException):
    """Stands for a killed process: not an Exception, so nothing catches it."""


def test_resume_after_crash_equals_uninterrupted_run(reference, tmp_path, monkeypatch):
    published = []

    def dies_on_third_shard(tmp, final):  # killed after writing shard 2's temp file, before the rename
        if len(published) == 2:
            raise Crash
        published.append(final.name)
        real_publish(tmp, final)

    real_publish = gen.publish
    monkeypatch.setattr(gen, "publish", dies_on_third_shard)
    with pytest.raises(Crash):
        _run(tmp_path)
    monkeypatch.setattr(gen, "publish", real_publish)
    assert not (tmp_path / "card.json").exists()
    assert list((tmp_path / "shards").glob(".part-00002.parquet.*.tmp"))  # the shard in flight
    assert [s[0] for s in pending_shards(tmp_path, CFG)] == [2, 3, 4]
    assert not list((tmp_path / "shards").glob("*.tmp"))  # stale temporary files are cleared
    before = shard_path(tmp_path, 0).stat().st_mtime_ns
    result = _run(tmp_path)
    assert result.rows_labelled == 150  # only the missing shards were computed
    assert shard_path(tmp_path, 0).stat().st_mtime_ns == before
    assert _bytes(tmp_path) == _bytes(reference)
    assert result.card == json.loads((reference / "card.json").read_text())
    table = read_table(tmp_path, ["row_id"])
    assert len(set(table["row_id"].to_pylist())) == table.num_rows == CFG.n  # nothing duplicated


def flaky_labeller(forms, noise=0.0, seed=None):
    """Raises on one formulation (whole batch fails), returns NaN for another."""
    if any(f.name.endswith("7") for f in forms):
        raise RuntimeError("solver diverged")
    frame = toy_labeller(forms, noise, seed)
    frame.loc[[f.name.endswith("3") for f in forms], "resolution_nm"] = np.nan
    return frame


def test_failures_are_recorded_not_fatal(tmp_path):
    card = _run(tmp_path, GenerateConfig(n=60, seed=0, shard_size=30), labeller=flaky_labeller).card
    lines = pq.read_table(tmp_path / "failures.parquet").to_pylist()
    reasons = {r["name"][-1]: r["reason"] for r in lines}
    assert reasons["7"] == "error: RuntimeError: solver diverged"
    assert reasons["3"] == "non-finite resolution_nm"
    assert card["failed"] == len(lines) >= 12 and card["ok"] == 60 - card["failed"]
    assert all(r["components"] and r["radiation"] for r in lines)
    ok = read_table(tmp_path, ok_only=True)
    assert ok.num_rows == card["ok"]
    assert np.isfinite(np.column_stack([ok[t].to_numpy() for t in TARGETS])).all()


def test_rerun_with_other_options_is_refused(reference, tmp_path):
    _run(tmp_path, GenerateConfig(n=10, seed=1, shard_size=5))
    with pytest.raises(GenerateError, match="--seed"):
        _run(tmp_path, GenerateConfig(n=10, seed=2, shard_size=5))
    with pytest.raises(GenerateError, match="--labeller: .* simulator="):  # labels of one simulator only
        _run(tmp_path, GenerateConfig(n=10, seed=1, shard_size=5), labeller=flaky_labeller)
    with pytest.raises(GenerateError, match="--shard-size"):
        GenerateConfig(n=10, shard_size=0)


def test_cli_generate_and_errors(tmp_path):
    runner = CliRunner()
    out = tmp_path / "cli"
    args = ["generate", "--n", "20", "--out", str(out), "--workers", "0", "--shard-size", "10",
            "--labeller", TOY_LABELLER, "--no-progress", "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["count"] == 20
    bad = runner.invoke(app, ["generate", "--n", "5", "--out", str(out / "x"), "--noise", "-0.1"])
    assert bad.exit_code == 2 and "--noise" in bad.stderr
    bad = runner.invoke(app, ["generate", "--n", "5", "--out", str(out / "y"), "--labeller", "nowhere:fn"])
    assert bad.exit_code == 2 and "--labeller" in bad.stderr


@pytest.mark.slow
def test_dask_local_cluster_matches_in_process(reference, tmp_path):
    generate(tmp_path, CFG, workers=2, labeller=TOY_LABELLER, progress=False)
    assert _bytes(tmp_path) == _bytes(reference)


@pytest.mark.slow
def test_scheduler_address_runs_the_same_tasks(reference, tmp_path):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        generate(tmp_path, CFG, scheduler=cluster.scheduler_address, labeller=TOY_LABELLER, progress=False)
    assert _bytes(tmp_path) == _bytes(reference)


# ---- the real simulator -------------------------------------------------------------------------
def test_real_simulator_labels_are_finite_and_sane(tmp_path):
    pytest.importorskip("resistml.physics.simulator")
    clean = tmp_path / "clean"
    card = generate(clean, GenerateConfig(n=40, seed=0, shard_size=20), workers=0, progress=False).card
    assert "resistml.physics.simulator.simulate_many" in card["simulator"]
    assert card["ok"] >= 0.25 * card["count"], card["failure_reasons"]
    failures = pq.read_table(clean / "failures.parquet").to_pylist()
    assert len(failures) == card["failed"] and all(f["reason"] and f["reason"] != "ok" for f in failures)
    ok = read_table(clean, ok_only=True).to_pandas().set_index("row_id")
    assert np.isfinite(ok[list(TARGETS)].to_numpy()).all()
    assert (ok[ok.radiation == "electron"].dose_unit == "uC/cm2").all()
    assert (ok[ok.radiation == "xray"].dose_unit == "mJ/cm2").all()
    assert ok.sensitivity.between(1e-3, 1e6).all() and ok.resolution_nm.between(1, 1e4).all()
    assert (ok.gel_dose <= ok.sensitivity * (1 + 1e-9)).all()  # gel onset precedes 50 % thickness
    assert (ok.contrast > 0).all() and (ok.ler_nm > 0).all()
    noisy = GenerateConfig(n=40, seed=0, shard_size=20, noise=0.05)
    generate(tmp_path / "a", noisy, workers=0, progress=False)
    generate(tmp_path / "b", noisy, workers=0, progress=False)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")  # deterministic, noise included
    both = read_table(tmp_path / "a").to_pandas().set_index("row_id").join(ok, rsuffix="_clean", how="inner")
    log_ratio = np.log(both.sensitivity / both.sensitivity_clean)
    assert 0 < np.abs(log_ratio).max() < 5 * 0.05  # multiplicative noise of the requested size


def test_truncated_and_empty_shards_are_rebuilt_on_resume(reference, tmp_path, caplog):
    """Issue 13 item 16: a cut-short shard made every re-run fail with a pyarrow traceback."""
    _run(tmp_path)
    one, three = shard_path(tmp_path, 1), shard_path(tmp_path, 3)
    one.write_bytes(one.read_bytes()[:200])  # truncated (a partial copy, a full disk)
    three.write_bytes(b"")  # empty
    (tmp_path / "card.json").unlink()
    with caplog.at_level("WARNING", logger="resistml.datasets.generate"):
        assert [s[0] for s in pending_shards(tmp_path, CFG)] == [1, 3]
    assert [r.getMessage().split(": ")[0] for r in caplog.records] == [
        f"rebuilding shard {one}", f"rebuilding shard {three}"]
    assert "unreadable" in caplog.records[0].getMessage()
    one.write_bytes(b"PAR1 not really")
    three.write_bytes(b"")
    result = _run(tmp_path)
    assert result.rows_labelled == 100
    assert _bytes(tmp_path) == _bytes(reference)
    assert result.card == json.loads((reference / "card.json").read_text())


def test_cli_rebuilds_a_truncated_shard_and_says_so(tmp_path):
    out = tmp_path / "cli"
    args = ["generate", "--n", "20", "--out", str(out), "--workers", "0", "--shard-size", "10",
            "--labeller", TOY_LABELLER, "--no-progress"]
    runner = CliRunner()
    assert runner.invoke(app, args).exit_code == 0
    shard = shard_path(out, 1)
    shard.write_bytes(shard.read_bytes()[:-30])
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert res.stderr.startswith(f"warning: rebuilding shard {shard}: unreadable (")
    assert "Traceback" not in res.output


def test_reading_a_broken_shard_names_the_file(reference, tmp_path):
    import shutil

    from resistml.datasets.store import ShardError
    from resistml.datasets.store import read_table as read_shards

    copy = tmp_path / "copy"
    shutil.copytree(reference, copy)
    shard_path(copy, 2).write_bytes(b"")
    with pytest.raises(ShardError, match=r"part-00002\.parquet: unreadable .*re-run the same `resistml generate`"):
        read_shards(copy)
