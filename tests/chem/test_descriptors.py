"""Descriptors from structure: classes, acid strength, group counts, base strength, resin Tg."""

import math

import pytest

from resistml.chem import descriptors as d

TPS_TF = "c1ccc([S+](c2ccccc2)c2ccccc2)cc1.[O-]S(=O)(=O)C(F)(F)F"
DPI_TF = "c1ccc([I+]c2ccccc2)cc1.[O-]S(=O)(=O)C(F)(F)F"
TPS_NF = "c1ccc([S+](c2ccccc2)c2ccccc2)cc1.[O-]S(=O)(=O)C(F)(F)C(F)(F)C(F)(F)C(F)(F)F"
TPS_TS = "c1ccc([S+](c2ccccc2)c2ccccc2)cc1.Cc1ccc(S(=O)(=O)[O-])cc1"
F_TPS_TF = "Fc1ccc([S+](c2ccc(F)cc2)c2ccc(F)cc2)cc1.[O-]S(=O)(=O)C(F)(F)F"
NHN_TF = "O=C1c2cccc3cccc(c23)C(=O)N1OS(=O)(=O)C(F)(F)F"
CSA_IMIDE = "CC1(C)C2CCC1(CS(=O)(=O)ON1C(=O)c3ccccc3C1=O)C(=O)C2"
HMMM = "COCN(COC)c1nc(N(COC)COC)nc(N(COC)COC)n1"


def test_generator_classes_and_capture_order():
    tps, dpi, nhn = (d.generator_descriptors(s) for s in (TPS_TF, DPI_TF, NHN_TF))
    assert (tps.generator_class, dpi.generator_class, nhn.generator_class) == (
        "sulfonium", "iodonium", "non_ionic")
    assert dpi.capture_efficiency > tps.capture_efficiency > nhn.capture_efficiency > 0


def test_electron_withdrawing_substituents_raise_capture():
    assert d.generator_descriptors(F_TPS_TF).hammett_sigma_sum == pytest.approx(3 * 0.06)
    assert d.generator_descriptors(F_TPS_TF).capture_efficiency > d.generator_descriptors(TPS_TF).capture_efficiency


@pytest.mark.parametrize("smiles, acid_class", [
    (TPS_TF, "perfluoroalkanesulfonic"), (TPS_NF, "perfluoroalkanesulfonic"),
    (TPS_TS, "arenesulfonic"), (CSA_IMIDE, "alkanesulfonic"), (NHN_TF, "perfluoroalkanesulfonic"),
    ("c1ccc([I+]c2ccccc2)cc1.F[Sb-](F)(F)(F)(F)F", "hexafluoroantimonic"),
    ("COc1ccc(C=Cc2nc(C(Cl)(Cl)Cl)nc(C(Cl)(Cl)Cl)n2)cc1", "hydrochloric"),
])
def test_generated_acid_class(smiles, acid_class):
    assert d.generator_descriptors(smiles).acid_class == acid_class


def test_acid_strength_and_size_order():
    tf, nf, ts = (d.generator_descriptors(s) for s in (TPS_TF, TPS_NF, TPS_TS))
    assert tf.acid_pka < ts.acid_pka  # triflic is a superacid, tosic much weaker
    assert nf.acid_volume_cm3_mol > tf.acid_volume_cm3_mol
    # McGowan volume of CF3SO3H from the atom increments (Abraham & McGowan 1987), by hand:
    v = 16.35 + 3 * 10.48 + 22.91 + 3 * 12.43 + 8.71 - 6.56 * 8
    assert tf.acid_volume_cm3_mol == pytest.approx(v)


def test_not_a_generator():
    assert d.generator_descriptors("CCO").generator_class == "none"
    assert math.isnan(d.generator_descriptors("CCO").acid_pka)


def test_crosslinker_groups():
    hmmm = d.crosslink_descriptors(HMMM)
    assert (hmmm.n_crosslink_groups, hmmm.crosslink_class) == (6, "n_alkoxymethyl")
    glycoluril = d.crosslink_descriptors("COCN1C(=O)N(COC)C2C1N(COC)C(=O)N2COC")
    assert glycoluril.n_crosslink_groups == 4
    benzylic = d.crosslink_descriptors("OCc1cc(C)cc(CO)c1O")
    assert (benzylic.n_crosslink_groups, benzylic.crosslink_class) == (2, "benzyl_methylol")
    assert benzylic.crosslink_rate < hmmm.crosslink_rate


@pytest.mark.parametrize("smiles, group, n, acid, radical", [
    ("C=CC(=O)OCC(COC(=O)C=C)(COC(=O)C=C)CC", "acrylate", 3, 0, 3),
    ("C=C(C)C(=O)OCCOCCOCCOC(=O)C(C)=C", "methacrylate", 2, 0, 2),
    ("C=COCCCCOC=C", "vinyl_ether", 2, 2, 0),
    ("C=Cc1ccc(C=C)cc1", "styrenic", 2, 2, 2),
    ("C=CCOCC(CC)(COCC=C)CO", "allyl", 2, 0, 2),
    ("CC(C)(c1ccc(OCC2CO2)cc1)c1ccc(OCC2CO2)cc1", "epoxide", 2, 2, 0),
])
def test_polymerizable_groups(smiles, group, n, acid, radical):
    x = d.crosslink_descriptors(smiles)
    assert x.cc_groups[group] == n
    assert (x.n_acid_groups, x.n_radical_groups) == (acid, radical)


@pytest.mark.parametrize("smiles, pka, strength", [
    ("CCCCCCCCN(CCCCCCCC)CCCCCCCC", 9.8, "strong"),
    ("C1CCC2=NCCCN2CC1", 12.5, "strong"),
    ("c1ccncc1", 5.2, "moderate"),
    ("CN(C)c1ccccc1", 5.1, "moderate"),
    ("C[N+](C)(C)C.[OH-]", 15.7, "strong"),
    ("c1ccc(Nc2ccccc2)cc1", 0.8, "weak"),
])
def test_base_strength(smiles, pka, strength):
    b = d.base_descriptors(smiles)
    assert b.pka_conjugate_acid == pka and b.strength_class == strength and b.n_basic_sites == 1


def test_dmap_counts_two_sites_strongest_first():
    b = d.base_descriptors("CN(C)c1ccncc1")
    assert b.pka_conjugate_acid == 9.6


@pytest.mark.parametrize("unit, tg_handbook", [
    ("[*]CC([*])c1ccccc1", 373.0), ("[*]CC([*])(C)C(=O)OC", 378.0), ("[*]CC([*])c1ccc(O)cc1", 453.0),
    ("[*]CC([*])OC(C)=O", 305.0),
])
def test_van_krevelen_tg_within_fit_error(unit, tg_handbook):
    assert d.tg_infinite_K(unit) == pytest.approx(tg_handbook, abs=45.0)


def test_resin_descriptors_copolymer_and_flory_fox():
    phs = d.resin_descriptors((("[*]CC([*])c1ccc(O)cc1", 1.0),), 1e6, 1.0)
    co = d.resin_descriptors((("[*]CC([*])c1ccc(O)cc1", 0.7), ("[*]CC([*])c1ccccc1", 0.3)), 1e6, 1.0)
    low = d.resin_descriptors((("[*]CC([*])c1ccc(O)cc1", 1.0),), 3000.0, 1.5)
    assert phs.phenolic_oh_per_unit == 1.0 and co.phenolic_oh_per_unit == pytest.approx(0.7)
    assert phs.aromatic_fraction == pytest.approx(6 / 9)
    assert phs.tg_K > co.tg_K  # styrene units lower Tg (Fox)
    assert phs.tg_K - low.tg_K == pytest.approx(d.FLORY_FOX_K / 2000.0 - d.FLORY_FOX_K / 1e6, rel=1e-6)


def test_every_catalog_component_gets_what_its_role_needs():
    """Structure-only descriptors must recognise every shipped component in its role."""
    from resistml.formulation import catalog

    for entry in catalog.entries():
        role, smiles = entry["role"], entry.get("smiles")
        if role == "acid_generator":
            g = d.generator_descriptors(smiles)
            assert g.generator_class != "none" and g.acids_per_molecule == 1.0, entry["name"]
        elif role == "crosslinker":
            assert d.crosslink_descriptors(smiles).n_crosslink_groups >= 2, entry["name"]
        elif role == "polymerizable":
            x = d.crosslink_descriptors(smiles)
            assert x.n_acid_groups + x.n_radical_groups >= 1, entry["name"]
        elif role == "base":
            assert d.base_descriptors(smiles).n_basic_sites >= 1, entry["name"]
