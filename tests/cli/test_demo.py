"""The demo's first two stages (the training stages are covered by the train/evaluate tests)."""

from __future__ import annotations

from resistml.cli import demo


def test_examples_are_checked_and_simulated(capsys):
    forms = demo.check_examples(demo.example_files())
    assert len(forms) >= 6
    demo.simulate_examples(forms[:2])
    out = capsys.readouterr().out
    assert "claim coverage" in out and "uC/cm2" in out and "ok" in out
