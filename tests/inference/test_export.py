"""Export round trip (TorchScript and torch.export), metadata, checksums and checkpoint loading."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from resistml.chem.graphs import ATOM_DIM, BOND_DIM, FEATURIZER_VERSION
from resistml.cli import app
from resistml.inference.checkpoint import load_checkpoint
from resistml.inference.export import (
    CHECKSUM_FILE,
    METADATA_FILE,
    ArtifactError,
    _sha256,
    check_parity,
    load_artifact,
    verify_artifact,
)
from tests.serving_fixtures import TINY, tiny_artifact, tiny_model


@pytest.fixture(scope="module")
def both() -> Path:
    return tiny_artifact(("torchscript", "export"))


def test_exported_matches_eager_on_other_batch_sizes(both):
    assert check_parity(tiny_model(), both, tol=1e-5, sizes=(1, 2, 5, 11)) == []


def test_parity_check_catches_a_different_model(both):
    errors = check_parity(tiny_model(seed=1), both, tol=1e-5, sizes=(4,), formats=("torchscript",))
    assert len(errors) == 2 and all("differs from the eager model" in e for e in errors)


def test_metadata_describes_featuriser_targets_and_scaling(both):
    meta = verify_artifact(both)
    assert meta["featurizer"]["version"] == FEATURIZER_VERSION
    assert (meta["featurizer"]["atom_dim"], meta["featurizer"]["bond_dim"]) == (ATOM_DIM, BOND_DIM)
    assert meta["targets"][0] == "log10_sensitivity"
    assert meta["target_units"]["log10_resolution_nm"] == "log10 nm"
    assert "unknown" not in meta["target_units"].values()  # every unit from resistml.targets
    assert set(meta["target_definitions"]) == set(meta["targets"])
    assert meta["normalisation"]["target_std"] == [1.0] * len(meta["targets"])
    assert meta["model_config"]["hidden"] == TINY["hidden"]
    assert meta["domain"]["energy_keV"]["electron"][1] <= 100.0
    assert meta["data_hash"] == "sha256:test" and "torch" in meta["exported_with"]
    listed = {line.split("  ")[1] for line in (both / CHECKSUM_FILE).read_text().splitlines()}
    assert listed == {p.name for p in both.iterdir()} - {CHECKSUM_FILE}


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "art"
    shutil.copytree(src, dst)
    return dst


def _rehash(root: Path) -> None:
    names = [p.name for p in sorted(root.iterdir()) if p.name != CHECKSUM_FILE]
    (root / CHECKSUM_FILE).write_text("".join(f"{_sha256(root / n)}  {n}\n" for n in names))


def test_corrupted_file_fails_with_checksum_message(tmp_path):
    art = _copy(tiny_artifact(), tmp_path)
    data = bytearray((art / "model.ts").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (art / "model.ts").write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=r"model\.ts: checksum mismatch"):
        load_artifact(art)


def test_missing_checksum_and_missing_dir(tmp_path):
    art = _copy(tiny_artifact(), tmp_path)
    (art / CHECKSUM_FILE).unlink()
    with pytest.raises(ArtifactError, match="checksum file missing"):
        verify_artifact(art)
    with pytest.raises(ArtifactError, match="no model artifact directory"):
        verify_artifact(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("version", "graphs-v0", r"featurizer\.version is 'graphs-v0'"),
        ("atom_dim", 39, r"featurizer\.atom_dim is 39"),
    ],
)
def test_featuriser_mismatch_is_refused(tmp_path, key, value, message):
    art = _copy(tiny_artifact(), tmp_path)
    meta = json.loads((art / METADATA_FILE).read_text())
    meta["featurizer"][key] = value
    (art / METADATA_FILE).write_text(json.dumps(meta))
    _rehash(art)
    with pytest.raises(ArtifactError, match=message):
        load_artifact(art)


def test_unknown_artifact_format_is_refused(tmp_path):
    art = _copy(tiny_artifact(), tmp_path)
    meta = json.loads((art / METADATA_FILE).read_text())
    meta["format"] = "resistml-artifact/99"
    (art / METADATA_FILE).write_text(json.dumps(meta))
    _rehash(art)
    with pytest.raises(ArtifactError, match="not the supported"):
        verify_artifact(art)


def test_lightning_and_plain_checkpoints_load_to_the_same_weights(tmp_path):
    model = tiny_model()
    lightning = tmp_path / "last.ckpt"
    torch.save(
        {
            "state_dict": {f"model.{k}": v for k, v in model.state_dict().items()},
            "hyper_parameters": {"model_config": dict(model.config), "metadata": {"model_name": "x"}},
        },
        lightning,
    )
    plain = tmp_path / "weights.pt"
    torch.save(model.state_dict(), plain)
    a, meta = load_checkpoint(lightning)
    b, _ = load_checkpoint(plain, {k: v for k, v in model.config.items()})
    assert meta == {"model_name": "x"}
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert ka == kb and torch.equal(va, vb)
    with pytest.raises(ArtifactError, match="no model configuration inside"):
        load_checkpoint(plain)
    with pytest.raises(ArtifactError, match="weights do not fit"):
        load_checkpoint(plain, {**model.config, "hidden": 16})


def test_cli_export_reports_bad_input_in_one_line(tmp_path):
    bad = tmp_path / "junk.ckpt"
    bad.write_bytes(b"not a checkpoint")
    result = CliRunner().invoke(app, ["export", "--checkpoint", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "cannot read checkpoint" in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_cli_export_writes_a_verified_artifact(tmp_path):
    model = tiny_model()
    ckpt = tmp_path / "m.ckpt"
    torch.save({"state_dict": model.state_dict(), "model_config": dict(model.config)}, ckpt)
    out = tmp_path / "art"
    result = CliRunner().invoke(app, ["export", "--checkpoint", str(ckpt), "--out", str(out), "--version", "3"])
    assert result.exit_code == 0, result.output
    assert verify_artifact(out)["model_version"] == "3"


def test_lightning_module_hyper_parameters_are_enough(tmp_path):
    """A ResistNetModule checkpoint stores module kwargs, not ResistNet's: widths come from the weights."""
    model = tiny_model()
    ckpt = tmp_path / "epoch=1.ckpt"
    hparams = {k: TINY[k] for k in ("hidden", "gnn_layers", "heads", "set_blocks", "dropout")}
    hparams |= {"physics": False, "targets": ["log10_sensitivity", "log10_gel_dose", "log10_resolution", "contrast", "log10_ler"], "lr": 1e-3}
    torch.save({"state_dict": {f"model.{k}": v for k, v in model.state_dict().items()}, "hyper_parameters": hparams}, ckpt)
    loaded, meta = load_checkpoint(ckpt)
    assert meta["targets"][2] == "log10_resolution"
    assert loaded.process_in[0].in_features == 9
    for (ka, va), (kb, vb) in zip(model.state_dict().items(), loaded.state_dict().items(), strict=True):
        assert ka == kb and torch.equal(va, vb)


def test_dataset_metadata_gives_hash_and_training_domain():
    from resistml.cli.export import dataset_metadata
    from tests.dataset_helpers import toy_dataset

    data = toy_dataset(200, seed=3, shard_size=100)
    card = json.loads((data / "card.json").read_text())
    meta = dataset_metadata(data, "random", max_rows=80)
    assert meta["data_hash"] == f"sha256:{card['content_hash']}"
    domain = meta["domain"]
    assert 0 < domain["count"] <= 80
    lo, hi = domain["energy_keV"]["electron"]
    assert 0.5 <= lo <= hi <= 300
    assert {"C", "H", "O"} <= set(domain["elements"]) and "resin" in domain["weight_fraction"]


# ---- integrity (issue 13, item 6) ----------------------------------------------------------
def _flip_model_byte(art: Path) -> None:
    data = bytearray((art / "model.ts").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (art / "model.ts").write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("sums", "message"),
    [
        ("", "lists no files"),
        ("\n\n", "lists no files"),
        ("garbage\n", "line 1 is not"),
        (f"{'0' * 64}  ../etc/passwd\n", "line 1 is not"),
    ],
)
def test_empty_or_malformed_checksum_file_is_refused(tmp_path, sums, message):
    """An empty SHA256SUMS used to disable the check: a model with flipped bytes was served."""
    art = _copy(tiny_artifact(), tmp_path)
    _flip_model_byte(art)
    (art / CHECKSUM_FILE).write_text(sums)
    with pytest.raises(ArtifactError, match=message):
        load_artifact(art)


def test_every_artifact_file_must_be_listed(tmp_path):
    art = _copy(tiny_artifact(), tmp_path)
    _flip_model_byte(art)
    lines = [x for x in (art / CHECKSUM_FILE).read_text().splitlines() if not x.endswith("model.ts")]
    (art / CHECKSUM_FILE).write_text("\n".join(lines) + "\n")
    with pytest.raises(ArtifactError, match=r"model\.ts: not listed in SHA256SUMS"):
        verify_artifact(art)
    (art / "model.ts").unlink()  # a listed set without the model file: refused when loading
    with pytest.raises(ArtifactError, match=r"model\.ts: missing"):
        load_artifact(art)


def test_checksums_are_checked_before_unpickling(tmp_path, monkeypatch):
    art = _copy(tiny_artifact(), tmp_path)
    _flip_model_byte(art)
    loaded = []
    monkeypatch.setattr(torch.jit, "load", lambda *a, **k: loaded.append(a))
    with pytest.raises(ArtifactError, match="checksum mismatch"):
        load_artifact(art)
    assert loaded == []


def test_model_that_passes_checksums_but_cannot_load_is_one_line(tmp_path):
    art = _copy(tiny_artifact(), tmp_path)
    (art / "model.ts").write_bytes(b"PK\x03\x04 not a torchscript archive")
    _rehash(art)
    with pytest.raises(ArtifactError, match=r"cannot load the torchscript model") as info:
        load_artifact(art)
    assert "\n" not in str(info.value)
    result = CliRunner().invoke(app, ["serve", "--model", str(art)])
    assert result.exit_code == 2, result.output
    assert result.output.count("error:") == 1 and "cannot load the torchscript model" in result.output
    assert "Traceback" not in result.output


def test_startup_failure_is_one_error_line_for_uvicorn(tmp_path):
    """Started as `uvicorn serve.app:create_app --factory`, a bad model is one `error:` line."""
    import asyncio

    from serve.app import create_app
    from serve.settings import Settings

    art = _copy(tiny_artifact(), tmp_path)
    (art / "model.ts").write_bytes(b"not a model")
    _rehash(art)
    app_ = create_app(Settings(model_dir=art, require_model=True))
    sent: list[dict] = []

    async def run() -> None:
        messages = [{"type": "lifespan.startup"}]

        async def receive() -> dict:
            return messages.pop(0) if messages else {"type": "lifespan.shutdown"}

        async def send(message: dict) -> None:
            sent.append(message)

        with pytest.raises(ArtifactError):
            await app_({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)

    asyncio.run(run())
    failed = [m for m in sent if m["type"] == "lifespan.startup.failed"]
    assert len(failed) == 1 and failed[0]["message"].startswith("error: ")
    assert "cannot load the torchscript model" in failed[0]["message"] and "\n" not in failed[0]["message"]
