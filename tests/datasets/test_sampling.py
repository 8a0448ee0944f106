"""Molecule enumeration and the formulation sampler."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdkit.Chem.rdMolDescriptors import CalcMolFormula

from resistml.chem.smiles import canonical_smiles, parse_smiles
from resistml.datasets import fragments as F
from resistml.datasets.molecules import (
    assemble,
    build_library,
    cap_hydroxyls,
    enumerate_family,
    enumerate_library,
)
from resistml.datasets.sampling import (
    DEFAULT_CONFIG,
    EXTRAPOLATION_ENERGY_KEV,
    fractions_for,
    sample_formulation_dict,
    sample_formulations,
    sample_shard,
    shard_rng,
)
from resistml.formulation import Role
from resistml.formulation.roles import classify_resin, classify_smiles, roles_for_classes


@pytest.fixture(scope="module")
def lib():
    return enumerate_library(0)


@pytest.fixture(scope="module")
def forms():
    return sample_formulations(1000, seed=0)


# ---- assembly reproduces known compounds (formulas from PubChem) -----------------------------
@pytest.mark.parametrize("smiles, formula", [
    (assemble("[*:1][S+]([*:2])[*:3]", [F.ONIUM_ARYLS["phenyl"]] * 3), "C18H15S+"),  # triphenylsulfonium
    (assemble(F.AMINO_CORES["melamine"], [F.AMINO_N_GROUPS["methoxymethyl"]] * 6), "C15H30N6O6"),  # HMMM
    (assemble(F.AMINO_CORES["glycoluril"], [F.AMINO_N_GROUPS["methoxymethyl"]] * 4), "C12H22N4O6"),  # TMMGU
    (cap_hydroxyls(F.POLYOLS["trimethylolpropane"], [F.POLYMERIZABLE_CAPS["acrylate"]] * 3), "C15H20O6"),  # TMPTA
    (cap_hydroxyls(F.POLYOLS["triethylene glycol"], [F.POLYMERIZABLE_CAPS["vinyl ether"]] * 2), "C10H18O4"),  # DVE-3
    (assemble("[*:1]S(=O)(=O)[*:2]", [F.IMIDE_OXY["succinimide"], F.SULFONYL_R["perfluoroalkyl"]["trifluoromethyl"]]),
     "C5H4F3NO5S"),  # N-hydroxysuccinimide triflate
])
def test_assembly_gives_known_compounds(smiles, formula):
    assert CalcMolFormula(parse_smiles(smiles)) == formula


def test_cap_hydroxyls_keeps_a_free_oh_for_partial_esters():
    peta = cap_hydroxyls(F.POLYOLS["pentaerythritol"], [F.POLYMERIZABLE_CAPS["acrylate"]] * 3 + [F.H])
    assert CalcMolFormula(parse_smiles(peta)) == "C14H18O7"  # pentaerythritol triacrylate
    with pytest.raises(ValueError, match="hydroxyls"):
        cap_hydroxyls("OCCO", [F.H])


def test_unjoined_attachment_point_is_an_error():
    with pytest.raises(ValueError, match="unjoined"):
        assemble("[*:1]C[*:2]", ["[*]C"])


# ---- the library -------------------------------------------------------------------------------
def test_library_has_2000_distinct_valid_canonical_molecules(lib):
    smiles = [m.smiles for m in lib.molecules]
    assert len(smiles) == len(set(smiles)) >= 2000
    assert all(canonical_smiles(s) == s for s in smiles)
    counts = lib.counts()
    assert counts["acid_generator"] >= 500 and counts["crosslinker"] >= 300
    assert counts["polymerizable"] >= 300 and counts["base"] >= 300 and counts["resin"] >= 100


def test_every_enumerated_molecule_is_recognised_as_its_role(lib):
    wrong = [(m.family, m.smiles) for m in lib.molecules
             if m.role not in roles_for_classes(classify_smiles(m.smiles))]
    assert wrong == []


def test_every_resin_template_is_an_alkali_soluble_resin(lib):
    for tpl in lib.resins:
        classes = classify_resin(list(tpl.units))
        assert "alkali_soluble_resin" in classes, tpl.name
        if tpl.family == "b_prime":
            assert "polymerizable_resin" in classes, tpl.name


def test_library_covers_the_issue_classes(lib):
    classes = Counter(c for m in lib.molecules for c in classify_smiles(m.smiles))
    for name in ("sulfonium_sulfonate", "iodonium_sulfonate", "perfluoroalkanesulfonate", "arenesulfonate",
                 "n_hydroxyimide_sulfonate", "disulfonyldiazomethane", "alkoxymethyl_melamine",
                 "alkoxymethyl_glycoluril", "alkoxymethyl_urea", "methylol_phenol", "acrylate",
                 "methacrylate", "vinyl_ether", "tertiary_amine", "amidine", "imidazole"):
        assert classes[name] >= 20, name
    fragments = {f for m in lib.molecules if "[S+]" in m.smiles or "[I+]" in m.smiles for f in m.smiles.split(".")}
    for acid_class, table in F.SULFONYL_R.items():  # onium salts of every sulfonate class
        anions = {canonical_smiles(f"[O-]S(=O)(=O){r.removeprefix('[*]')}") for r in table.values()}
        assert fragments & anions, acid_class


def test_library_is_deterministic_for_a_seed(lib):
    assert build_library(0) == lib
    onium = enumerate_family("sulfonium_sulfonate", 0)
    assert onium == [m.smiles for m in lib.molecules if m.family == "sulfonium_sulfonate"][:len(onium)]
    assert set(enumerate_family("sulfonium_sulfonate", 6)) != set(onium)
    with pytest.raises(ValueError, match="family:"):
        enumerate_family("peroxides")


# ---- the sampler -------------------------------------------------------------------------------
def _parts(form, role):
    return [c.parts for c in form.components if c.role is Role(role)]


def test_amounts_are_in_the_documented_ranges(forms):
    cfg = DEFAULT_CONFIG
    for f in forms:
        assert _parts(f, "resin") == [100.0]
        assert 1 <= len(_parts(f, "acid_generator")) <= 2
        assert all(cfg.generator_parts[0] - 1e-3 <= p <= cfg.generator_parts[1] + 1e-3 for p in _parts(f, "acid_generator"))
        assert all(5 - 1e-3 <= p <= 40 + 1e-3 for p in _parts(f, "crosslinker"))
        assert all(0 < p <= 40 + 1e-3 for p in _parts(f, "polymerizable"))
        assert all(0 < p <= 2 + 1e-3 for p in _parts(f, "base"))
    share = lambda pred: np.mean([pred(f) for f in forms])  # noqa: E731
    assert share(lambda f: not _parts(f, "polymerizable")) == pytest.approx(0.35, abs=0.05)
    assert share(lambda f: not _parts(f, "base")) == pytest.approx(0.30, abs=0.05)
    assert share(lambda f: len(_parts(f, "acid_generator")) == 2) == pytest.approx(0.15, abs=0.04)


def test_resins_span_mw_and_pdi(forms):
    resins = [c for f in forms for c in f.components if c.role is Role.resin and not c.name.startswith("PHS-")]
    mw = np.array([c.mw for c in resins if "(" in c.name])
    pdi = np.array([c.pdi for c in resins if "(" in c.name])
    assert 2000 <= mw.min() < 3000 and 45000 < mw.max() <= 60000
    assert 1.05 <= pdi.min() < 1.2 and 2.3 < pdi.max() <= 2.5
    assert any(len(c.repeat_units) == 3 for c in resins)


def test_process_ranges_and_the_100_keV_share(forms):
    xray = [f.process for f in forms if f.process.radiation == "xray"]
    electron = [f.process for f in forms if f.process.radiation == "electron"]
    assert len(xray) / len(forms) == pytest.approx(0.15, abs=0.04)
    assert all(0.5 <= p.photon_energy_keV <= 3.0 for p in xray)
    energies = np.array([p.beam_energy_keV for p in electron])
    assert energies.min() >= 5.0 and energies.max() <= 100.0
    assert np.mean(energies == EXTRAPOLATION_ENERGY_KEV) == pytest.approx(0.12, abs=0.04)
    for p in xray + electron:
        assert 50 <= p.thickness_nm <= 1000 and 80 <= p.peb_temp_C <= 140 and 30 <= p.peb_time_s <= 180


def test_sampled_formulations_are_valid_and_roles_consistent(forms):
    assert all(f.warnings() == [] for f in forms[:300])


def test_shards_are_pure_functions_of_seed_and_shard():
    lib = enumerate_library(0)
    one = [f.to_dict() for f in sample_shard(0, 7, 700, 20, lib=lib)]
    assert [f.to_dict() for f in sample_shard(0, 7, 700, 20, lib=lib)] == one
    assert [f.to_dict() for f in sample_shard(0, 8, 700, 20, lib=lib)] != one
    assert one[0]["name"] == "s0-00000700"
    a = sample_formulation_dict(shard_rng(0, 1), lib, "x")
    assert sample_formulation_dict(shard_rng(0, 1), lib, "x") == a


@given(seed=st.integers(0, 2**32 - 1), n_units=st.integers(1, 4))
@settings(max_examples=100, deadline=None)
def test_mole_fractions_are_positive_and_sum_to_one(seed, n_units):
    fractions = fractions_for(np.random.default_rng(seed), n_units)
    assert len(fractions) == n_units and min(fractions) >= 0.0098
    assert sum(fractions) == pytest.approx(1.0, abs=1e-9)


def test_negative_count_is_an_error():
    with pytest.raises(ValueError, match="n:"):
        sample_formulations(-1)
