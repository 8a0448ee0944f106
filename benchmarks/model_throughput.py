"""Throughput of ResistNet with unique-molecule encoding versus encoding every component.

Usage: ``python benchmarks/model_throughput.py [--batch 256] [--repeats 5] [--threads 2] [--device cuda]
[--hidden 64]``.
Draws a batch of formulations from the shipped catalog (A + B + C, D and E at random, random
amounts and beam energies) and times collate, inference forward and a training step
(forward + Gaussian NLL + backward) for ``collate_formulations(unique=True)`` and ``unique=False``.
"""

from __future__ import annotations

import argparse
import random
import time

import torch

from resistml.features.collate import collate_formulations
from resistml.formulation import Formulation, catalog
from resistml.model import ResistNet, predict_batch


def catalog_formulations(n: int, seed: int = 0) -> list[Formulation]:
    """``n`` random formulations built from catalog entries."""
    rng = random.Random(seed)
    pools = {
        role: catalog.names(role)
        for role in ("acid_generator", "resin", "crosslinker", "polymerizable", "base")
    }
    out = []
    for i in range(n):
        comps = [
            {"catalog": rng.choice(pools["acid_generator"]), "parts": rng.uniform(1, 10)},
            {"catalog": rng.choice(pools["resin"]), "parts": 100.0},
            {"catalog": rng.choice(pools["crosslinker"]), "parts": rng.uniform(5, 30)},
        ]
        if pools["polymerizable"] and rng.random() < 0.6:
            comps.append(
                {"catalog": rng.choice(pools["polymerizable"]), "parts": rng.uniform(5, 40)}
            )
        if pools["base"] and rng.random() < 0.5:
            comps.append({"catalog": rng.choice(pools["base"]), "parts": rng.uniform(0.1, 1)})
        process = {"beam_energy_keV": rng.choice([25.0, 50.0, 75.0, 100.0])}
        out.append(
            Formulation.from_dict({"name": f"f{i}", "components": comps, "process": process})
        )
    return out


def _sync(device: torch.device | None) -> None:
    if device is not None and device.type == "cuda":
        torch.cuda.synchronize(device)


def _best(fn, repeats: int, device: torch.device | None = None) -> float:
    fn()  # warm-up
    _sync(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - start)
    return min(times)


def measure(batch: int, repeats: int, device: str = "cpu", hidden: int = 64) -> dict[str, dict[str, float]]:
    """Formulations per second for collate (CPU), inference and training step on ``device``, unique vs separate."""
    dev = torch.device(device)
    forms = catalog_formulations(batch)
    torch.manual_seed(0)
    model = ResistNet(hidden=hidden).to(dev)
    targets = torch.randn(batch, model.num_targets, device=dev)
    results: dict[str, dict[str, float]] = {}
    for unique in (True, False):
        fb = collate_formulations(forms, unique=unique).to(dev)

        def infer(fb=fb):
            with torch.no_grad():
                predict_batch(model.eval(), fb)

        def train_step(fb=fb):
            model.train().zero_grad()
            mean, var = predict_batch(model, fb)
            torch.nn.functional.gaussian_nll_loss(mean, targets, var).backward()

        key = "unique" if unique else "separate"
        results[key] = {
            "graphs": float(fb.graphs.num_graphs),
            "collate": batch
            / _best(lambda u=unique: collate_formulations(forms, unique=u), repeats),
            "inference": batch / _best(infer, repeats, dev),
            "train_step": batch / _best(train_step, repeats, dev),
        }
        r = results[key]
        r["collate_and_train"] = 1.0 / (1.0 / r["collate"] + 1.0 / r["train_step"])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="torch device for the model: cpu, cuda, ...")
    parser.add_argument("--hidden", type=int, default=64, help="model width (64 = default.yaml, 256 = gpu.yaml)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    res = measure(args.batch, args.repeats, args.device, args.hidden)
    print(f"batch {args.batch}, {args.threads} threads, device {args.device}, hidden {args.hidden}, "
          f"formulations/s (best of {args.repeats})")
    header = ("graphs", "collate", "inference", "train_step", "collate_and_train")
    print(f"{'encoding':10}" + "".join(f"{h:>18}" for h in header))
    for key, r in res.items():
        print(f"{key:10}" + "".join(f"{r[h]:18.0f}" for h in header))
    u, s = res["unique"], res["separate"]
    ratios = {k: u[k] / s[k] for k in header[2:]}
    print("speed-up (unique / separate): " + ", ".join(f"{k} x{v:.1f}" for k, v in ratios.items()))


if __name__ == "__main__":
    main()
