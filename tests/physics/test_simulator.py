"""simulate / simulate_many: published orders of magnitude, limits, noise, robustness."""

import glob
import json
import math

import numpy as np
import pytest

from resistml.chem.material import film_material
from resistml.formulation import Component, load_formulation
from resistml.physics.electron import collision_stopping_power
from resistml.physics.exposure import film_stopping_power
from resistml.physics.film import build_batch
from resistml.physics.simulator import run_batch, simulate, simulate_many
from tests.simhelpers import resist

EXAMPLES = sorted(glob.glob("data/examples/*.yaml"))


@pytest.mark.parametrize("energy", [50.0, 75.0, 100.0])
def test_typical_negative_car_orders_of_magnitude(energy):
    """PHS + melamine + onium triflate: of order 1-100 uC/cm2 and 20-200 nm, like real negative CARs."""
    row = simulate_many([resist(beam_energy_keV=energy)]).iloc[0]
    assert row["status"] == "ok" and row["dose_unit"] == "uC/cm2"
    assert 1.0 <= row["sensitivity"] <= 100.0
    assert 15.0 <= row["resolution_nm"] <= 200.0  # "of order 20-200 nm" (no pattern collapse model)
    assert 5.0 <= row["acid_diffusion_length_nm"] <= 20.0
    assert row["gel_dose"] < row["sensitivity"]
    assert 0.0 < row["ler_nm"] <= 0.2 * row["resolution_nm"] + 1e-9


def test_sensitivity_ratio_100_over_50_keV_thin_film():
    df = simulate_many([resist(beam_energy_keV=e, thickness_nm=100.0) for e in (50.0, 100.0)])
    assert 1.4 <= df["sensitivity"][1] / df["sensitivity"][0] <= 2.2


def test_no_generator_gives_no_gel_until_the_resin_itself_crosslinks():
    """No generator: no chemically amplified gel; the resin gels only by its own radiation
    crosslinking (Charlesby G(X), issue 12 dose ceiling) at mC/cm^2, like non-amplified PHS."""
    f = resist(gen=None)
    df = simulate_many([f, resist()])
    assert df["status"][0] == "no_acid" and df["status"][1] == "ok"
    assert df.loc[0, ["sensitivity", "gel_dose", "resolution_nm", "ler_nm"]].isna().all()
    res = run_batch(build_batch([f]))
    doses = np.geomspace(1e-3, 1e6, 50)[None, :]
    energy = doses * res.exposure.energy_per_dose[:, None]
    q = res.response.crosslink_density(res.response.pad_latent(energy), energy)
    h = res.response.thickness(q)[0]
    assert np.all(h[doses[0] < 300.0] == 0.0)  # 100x above the amplified resist's dose: nothing
    assert h[-1] > 0.5 and 300.0 < res.contrast.gel_dose[0] < 1e4  # PHS-8k radiation gel, ~1.5 mC/cm^2


def test_zero_dose_full_dissolution():
    res = run_batch(build_batch([resist(), resist(d=("TMPTA", 10.0))]))
    zero = np.zeros((2, 1))
    q = res.response.crosslink_density(res.response.pad_latent(zero), zero)
    assert np.all(res.response.thickness(q) == 0.0)


def test_batch_equals_single_and_order_independent():
    forms = [load_formulation(p) for p in EXAMPLES]
    batch = simulate_many(forms)
    rev = simulate_many(forms[::-1]).iloc[::-1].reset_index(drop=True)
    cols = ["sensitivity", "gel_dose", "contrast", "resolution_nm", "ler_nm"]
    assert np.allclose(batch[cols].to_numpy(float), rev[cols].to_numpy(float), equal_nan=True)
    i = int(np.flatnonzero(batch["status"] == "ok")[0])
    single = simulate(forms[i])
    assert single.sensitivity == pytest.approx(batch["sensitivity"][i], rel=1e-9)
    assert single.resolution_nm == pytest.approx(batch["resolution_nm"][i], rel=1e-9)


def test_examples_never_inf_and_json_clean():
    forms = [load_formulation(p) for p in EXAMPLES]
    df = simulate_many(forms)
    numeric = df.select_dtypes("number").to_numpy(float)
    assert not np.isinf(numeric).any()
    ok = df["status"] == "ok"
    assert np.isfinite(df.loc[ok, ["sensitivity", "gel_dose", "contrast", "resolution_nm", "ler_nm"]]).all().all()
    assert (df["dose_unit"] == np.where(df["radiation"] == "xray", "mJ/cm2", "uC/cm2")).all()
    text = json.dumps(simulate(forms[0]).to_dict(), allow_nan=False)
    assert "sensitivity" in text


def test_noise_is_seeded_and_multiplicative():
    forms = [resist(), resist(beam_energy_keV=100.0)]
    clean = simulate_many(forms)
    a, b = simulate_many(forms, noise=0.1, seed=3), simulate_many(forms, noise=0.1, seed=3)
    c = simulate_many(forms, noise=0.1, seed=4)
    assert a["sensitivity"].equals(b["sensitivity"]) and not a["sensitivity"].equals(c["sensitivity"])
    ratio = a["sensitivity"] / clean["sensitivity"]
    assert np.all((ratio > 0.5) & (ratio < 2.0)) and not np.allclose(ratio, 1.0)
    with pytest.raises(ValueError, match="noise"):
        simulate_many(forms, noise=-1.0)


def test_bad_row_reported_not_raised():
    bad = resist(extra=())
    comps = [*bad.components, Component(role="base", smiles="[Cf]N", parts=0.1)]
    bad = bad.model_copy(update={"components": comps})
    df = simulate_many([resist(), bad])
    assert df["status"][0] == "ok" and df["status"][1].startswith("error:")
    assert "McGowan" in df["status"][1]


def test_vectorised_stopping_power_equals_bethe():
    forms = [load_formulation(p) for p in EXAMPLES]
    film = build_batch(forms)
    for i, f in enumerate(forms):
        for e in (5.0, 50.0, 100.0, 300.0):
            ref = float(collision_stopping_power(e, film_material(f)))
            got = film_stopping_power(np.array([e]), film.z_over_a[i:i + 1], film.mean_excitation_eV[i:i + 1])
            assert got[0] == pytest.approx(ref, rel=1e-10)


def test_simulation_result_intermediates():
    r = simulate(resist())
    assert r.properties["status"] == "ok"
    h = np.array(r.contrast_thickness)
    assert h[0] == 0.0 and h[-1] > 0.9 and np.all(np.diff(h) >= -1e-12)
    cd = np.array(r.cd_nm)
    assert np.all(np.diff(cd) >= -1e-9)  # more dose, wider lines
    hp = r.cd_half_pitch_nm
    i = int(np.argmin(np.abs(np.array(r.cd_dose) - r.properties["dose_to_size"])))
    assert cd[i] == pytest.approx(hp, rel=0.1)
    assert math.isfinite(r.psf["alpha_nm"]) and r.film["q50"] > 0


def test_film_batch_matches_material_and_fox():
    forms = [resist(), resist(d=("BDDVE", 30.0))]
    film = build_batch(forms)
    for i, f in enumerate(forms):
        m = film_material(f)
        assert film.density[i] == pytest.approx(m.density_g_cm3, rel=1e-12)
        assert film.mean_excitation_eV[i] == pytest.approx(m.mean_excitation_eV, rel=1e-12)
    # 5 parts TPS-Tf (412.5 g/mol) in 120.3 parts: n = rho w / M x N_A per nm^3
    w = 5.0 / 120.3
    assert film.n_gen[0] == pytest.approx(film.density[0] * w / 412.45 * 602.214, rel=1e-3)
    assert film.tg_K[1] < film.tg_K[0]  # the divinyl ether plasticises (Fox)


def test_random_catalog_formulations_are_well_formed():
    """300 random catalog formulations (10 % X-ray): no inf, ok rows finite and self-consistent."""
    from resistml.formulation import Formulation, catalog

    rng = np.random.default_rng(7)
    pools = {r: catalog.names(r) for r in ("acid_generator", "resin", "crosslinker", "polymerizable", "base")}
    forms = []
    for i in range(300):
        comps = [{"catalog": str(rng.choice(pools[r])), "parts": float(p)} for r, p in
                 (("acid_generator", rng.uniform(1, 15)), ("resin", 100.0), ("crosslinker", rng.uniform(5, 30)))]
        for role, lo, hi in (("polymerizable", 2, 20), ("base", 0.05, 1.0)):
            if rng.random() < 0.5:
                comps.append({"catalog": str(rng.choice(pools[role])), "parts": float(rng.uniform(lo, hi))})
        proc = {"radiation": "xray" if rng.random() < 0.1 else "electron",
                "beam_energy_keV": float(rng.uniform(5, 100)), "photon_energy_keV": float(rng.uniform(0.5, 3)),
                "thickness_nm": float(rng.uniform(30, 1000)), "peb_temp_C": float(rng.uniform(80, 140)),
                "peb_time_s": float(rng.uniform(30, 180))}
        forms.append(Formulation.from_dict({"name": f"r{i}", "components": comps, "process": proc}))
    df = simulate_many(forms)
    assert not np.isinf(df.select_dtypes("number").to_numpy(float)).any()
    ok = df[df["status"] == "ok"]
    assert len(ok) > 200
    targets = ok[["sensitivity", "gel_dose", "contrast", "resolution_nm", "ler_nm"]].to_numpy(float)
    assert np.isfinite(targets).all() and (targets > 0).all()
    assert (ok["gel_dose"] <= ok["sensitivity"] * (1 + 1e-9)).all()
    assert (ok["ler_nm"] <= 0.2 * ok["resolution_nm"] * (1 + 1e-6)).all()
    assert set(df["status"]) <= {"ok", "no_gel", "thin_gel", "unresolved", "collapsed", "microbridged",
                                 "resolution_below_grid"}
