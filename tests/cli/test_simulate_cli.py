"""``resistml simulate``: JSON fields, overrides, plot, noise, user errors."""

import json

from typer.testing import CliRunner

from resistml.cli import app

runner = CliRunner()
REF = "data/examples/reference-no-d-50keV.yaml"
XRAY = "data/examples/claim1-xray-1keV.yaml"
FIELDS = ("sensitivity", "gel_dose", "dose_unit", "contrast", "resolution_nm", "resolution_limit", "ler_nm",
          "acid_yield_per_100eV", "acid_diffusion_length_nm", "stopping_power_MeV_cm2_g", "psf")


def _json(*args):
    result = runner.invoke(app, ["simulate", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_fields_and_units():
    doc = _json(REF)
    assert all(k in doc for k in FIELDS)
    assert set(doc["psf"]) >= {"alpha_nm", "beta_nm", "eta"}
    assert doc["dose_unit"] == "uC/cm2" and doc["status"] == "ok"
    assert doc["gel_dose"] < doc["sensitivity"]
    assert doc["resolution_limit"] in ("blur", "ler", "microbridging", "collapse")
    assert _json(XRAY)["dose_unit"] == "mJ/cm2"


def test_beam_energy_override_raises_dose():
    d50, d100 = _json(REF)["sensitivity"], _json(REF, "--beam-energy", "100")["sensitivity"]
    assert 1.3 < d100 / d50 < 2.3


def test_table_and_plot(tmp_path):
    png = tmp_path / "out.png"
    result = runner.invoke(app, ["simulate", REF, "--plot", str(png)])
    assert result.exit_code == 0 and "sensitivity" in result.stdout
    assert "resolution_limit" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_noise_seeded():
    a, b = _json(REF, "--noise", "0.2", "--seed", "5"), _json(REF, "--noise", "0.2", "--seed", "5")
    c = _json(REF)
    assert a["sensitivity"] == b["sensitivity"] != c["sensitivity"]


def test_user_errors_exit_2_with_one_line():
    for args, needle in [
        ([XRAY, "--beam-energy", "50"], "--beam-energy"),
        ([REF, "--beam-energy", "1000"], "beam_energy_keV"),
        ([REF, "--noise", "-1"], "--noise"),
        (["no/such/file.yaml"], "cannot read"),
    ]:
        result = runner.invoke(app, ["simulate", *args])
        assert result.exit_code == 2, (args, result.output)
        assert needle in result.stderr and "Traceback" not in result.output
