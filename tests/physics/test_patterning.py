"""Line/space image, trigonometric evaluation, sizing, LER scaling and resolution crossing."""

import numpy as np
import pytest
from scipy.special import erf

from resistml.physics import patterning as pt
from resistml.physics.film import build_batch
from resistml.physics.simulator import run_batch
from tests.simhelpers import resist


class _Exp:
    def __init__(self, alpha, beta=5000.0, eta=0.5):
        self.alpha_nm, self.beta_nm, self.eta = (np.array([v]) for v in (alpha, beta, eta))


def _image(alpha, half_pitch, nx=pt.NX):
    period = np.array([[2.0 * half_pitch]])
    return pt._synth(pt.image_coefficients(period, _Exp(alpha), nx), nx)[0, 0]


def test_image_mean_and_symmetric_edge():
    """A 1:1 grating averages to 1/2 and its nominal edge gets exactly half the open-frame energy."""
    for alpha, hp in [(2.0, 20.0), (8.0, 15.0), (30.0, 100.0)]:
        img = _image(alpha, hp)
        assert img.mean() == pytest.approx(0.5, abs=1e-12)
        assert img[pt.NX // 4] == pytest.approx(0.5, abs=1e-12)


def test_image_matches_erf_profile_for_wide_lines():
    """Forward term of a wide grating: (erf((x+p/2)/a) - erf((x-p/2)/a))/2, backscatter = eta/2."""
    alpha, hp, eta = 20.0, 200.0, 0.5
    img = _image(alpha, hp, nx=256)
    x = np.arange(256) / 256 * 2 * hp
    x = np.where(x > hp, x - 2 * hp, x)
    fwd = 0.5 * (erf((x + hp / 2) / alpha) - erf((x - hp / 2) / alpha))
    expected = (fwd + eta * 0.5) / (1 + eta)
    assert np.allclose(img, expected, atol=0.01)


def test_trigonometric_evaluation_reproduces_grid():
    x = np.arange(pt.NX) / pt.NX
    signal = 1.0 + 0.4 * np.cos(2 * np.pi * x) + 0.1 * np.cos(6 * np.pi * x)
    spec = np.fft.rfft(signal)
    assert np.allclose(pt._at(spec, x), signal)
    assert pt._at(spec, np.array([0.125]))[0] == pytest.approx(1.0 + 0.4 * np.cos(np.pi / 4) + 0.1 * np.cos(3 * np.pi / 4))


def test_sizing_dose_puts_threshold_at_edge():
    res = run_batch(build_batch([resist()]))
    ls = pt.LineSpace(res.response, res.exposure)
    dose = ls.sizing_dose(res.contrast.q50, res.contrast.sensitivity)
    q_edge = ls.state(dose, np.array([0.25])).q[0, :, 0]
    ok = np.isfinite(dose[0])
    assert ok.sum() >= 5
    assert np.allclose(q_edge[ok], res.contrast.q50[0], rtol=1e-4)
    # wide lines: edge gets half the energy of the open frame -> about twice the pad D50
    assert 1.3 < dose[0, -1] / res.contrast.sensitivity[0] < 4.0


def test_ler_sensitivity_tradeoff():
    """Gallatin's RLS trade-off: a more sensitive resist (more generator, same blur) prints with
    fewer electrons and gets rougher edges."""
    res = run_batch(build_batch([resist(base=None, gen=("TPS-Tf", 2.0)), resist(base=None, gen=("TPS-Tf", 10.0))]))
    ler = res.pattern.ler_nm
    ok = np.isfinite(ler).all(axis=0) & (res.pattern.half_pitch[0] > 30)
    assert ok.any() and np.all(ler[0, ok] > 0) and np.all(ler[1, ok] > ler[0, ok])
    assert np.all(res.pattern.dose[1] < res.pattern.dose[0])


def test_crossing_interpolates_in_log_pitch():
    margin = np.array([[-1.0, -0.5, 0.5, 1.0, 2.0]])
    k, t = pt._crossing(margin)
    assert k[0] == 2 and t[0] == pytest.approx(0.5)
    hp = np.array([[10.0, 20.0, 40.0, 80.0, 160.0]])
    assert pt._interp(hp, k, t)[0] == pytest.approx(np.sqrt(20.0 * 40.0))
    k, _ = pt._crossing(np.array([[1.0, -1.0, 1.0, 1.0, 1.0]]))
    assert k[0] == 2  # the smallest pitch from which all larger pass
    assert np.isnan(pt._interp(hp, *pt._crossing(np.array([[1.0, 1.0, 1.0, 1.0, -1.0]]))))[0]


def test_resolution_is_continuous_in_the_inputs():
    """No snapping to the pitch grid: a small change of bake time moves the resolution a little."""
    times = np.linspace(55.0, 65.0, 6)
    res = run_batch(build_batch([resist(peb_time_s=t) for t in times])).pattern.resolution_nm
    steps = np.diff(res)
    assert np.all(steps > 0) and np.max(steps) < 0.05 * res[0]
    assert len(np.unique(np.round(res, 6))) == len(times)


def test_ler_at_resolution_never_exceeds_the_ler_criterion_of_the_passing_pitch():
    """At the resolution limit LER <= 0.2 x the smallest passing half-pitch (no runaway interpolation)."""
    import numpy as np

    from resistml.physics.patterning import _ler_at_resolution

    ler = np.array([[1e6, 3.0, 2.0], [8.0, 4.0, 2.0]])
    k, t = np.array([1, 1]), np.array([0.5, 0.5])
    out = _ler_at_resolution(ler, k, t)
    assert out[0] == 3.0  # capped by the passing pitch, not sqrt(1e6 * 3)
    assert out[1] == 4.0  # min(sqrt(8 x 4), 4)
