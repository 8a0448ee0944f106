"""Applicability-domain rules: recognised roles, substrates, ranges and embedding distance."""

from __future__ import annotations

import copy

import pytest
import torch

from resistml.formulation import Formulation, FormulationError
from resistml.inference.domain import DomainChecker, domain_notes, training_domain
from resistml.inference.novelty import NoveltyChecker, embedding_summary
from tests.formulation_fixtures import EXAMPLE
from tests.model_fixtures import random_formulations

DOMAIN = training_domain(random_formulations(200, seed=11) + [Formulation.from_dict(EXAMPLE)])


def _form(**changes) -> Formulation:
    doc = copy.deepcopy(EXAMPLE)
    for key, value in changes.items():
        if key == "generator":
            doc["components"][0] = value
        elif key in ("substrate", "beam_energy_keV"):
            doc["process"][key] = value
        elif key == "generator_parts":
            doc["components"][0]["parts"] = value
    return Formulation.from_dict(doc)


def test_the_example_is_inside():
    assert domain_notes(_form(), DOMAIN) == []
    assert DomainChecker(DOMAIN).notes(_form()) == []


def test_ethanol_as_acid_generator_is_outside_with_or_without_a_domain():
    ethanol = _form(generator={"name": "ethanol", "role": "acid_generator", "smiles": "CCO", "parts": 5})
    for notes in (domain_notes(ethanol, DOMAIN), domain_notes(ethanol, {}), DomainChecker({}).notes(ethanol)):
        assert any("no recognised acid generator" in n and "ethanol" in n for n in notes), notes


def test_no_crosslinking_chemistry_is_outside():
    doc = copy.deepcopy(EXAMPLE)  # the schema needs a crosslinker; hexane is not one
    doc["components"][2] = {"name": "hexane", "role": "crosslinker", "smiles": "CCCCCC", "parts": 10}
    notes = domain_notes(Formulation.from_dict(doc), DOMAIN)
    assert any("no recognised crosslinking chemistry" in n and "hexane" in n for n in notes), notes


def test_unknown_and_untrained_substrates_are_outside():
    # an unknown substrate never reaches the model: the one substrate rule refuses it at validation
    with pytest.raises(FormulationError, match="process.substrate: no Monte Carlo PSF grid for 'Unobtainium'"):
        _form(substrate="Unobtainium")
    gaas = domain_notes(_form(substrate="GaAs"), DOMAIN)
    assert any("'GaAs' not in the training data (trained on Si)" in n for n in gaas), gaas
    legacy = {k: v for k, v in DOMAIN.items() if k != "substrates"}  # artifacts before the substrate was recorded
    assert any("GaAs" in n for n in domain_notes(_form(substrate="GaAs"), legacy))
    assert domain_notes(_form(substrate="Si"), legacy) == []


def test_weight_fraction_and_energy_outside_the_training_ranges():
    notes = domain_notes(_form(generator_parts=60), DOMAIN)  # 35 %: within the composition limit (50 %), outside training
    assert any(n.startswith("amounts: acid_generator weight fraction") for n in notes), notes
    notes = DomainChecker(DOMAIN).notes(_form(beam_energy_keV=150))
    assert any("outside the training range" in n and "150" in n for n in notes), notes


def test_training_domain_records_substrates_and_molecules():
    assert DOMAIN["substrates"] == ["Si"]
    assert "c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F" in DOMAIN["molecules"]["acid_generator"] or any(
        "[S+]" in s for s in DOMAIN["molecules"]["acid_generator"])


def test_molecules_far_in_embedding_space_are_flagged():
    train = {"acid_generator": ["A", "B", "C", "D"]}
    points = {"A": [0.0, 0.0], "B": [1.0, 0.0], "C": [0.0, 1.0], "D": [1.0, 1.0], "near": [0.5, 0.4], "far": [9.0, 9.0]}

    def embed(smiles):
        return torch.tensor([points[s] for s in smiles])

    summary = embedding_summary(embed, train)
    assert 0.99 <= summary["threshold"]["acid_generator"] <= 1.0  # every leave-one-out distance is 1
    checker = NoveltyChecker({"molecules": train, "embedding": summary}, embed)
    assert checker.distance("acid_generator", "near") < summary["threshold"]["acid_generator"]
    assert checker.distance("acid_generator", "far") > 10
    assert not NoveltyChecker({}, embed).active  # older artifacts: no embedding summary, no check
