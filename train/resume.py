"""Exact, automatic resume of a training run, into the same MLflow run.

Three pieces:

* :class:`ResumeState` (a callback the CLI always adds) saves the RNG states (python, numpy, torch,
  CUDA) and the MLflow run id in every checkpoint and restores the RNG states when training
  resumes, so dropout draws the same masks as in an uninterrupted run. It also keeps
  ``<checkpoint dir>/train_state.json`` (run id, pid, ``running``/``finished``/``killed``/``failed``,
  epochs) up to date, and, when resuming, sets the MLflow run back to RUNNING and tags it.
* :func:`plan` decides, before the CLI builds the trainer, what re-running a command means: resume
  from ``<checkpoint dir>/last.ckpt`` (or the checkpoint given), say that a finished run is
  complete, and which MLflow run to log into; an MLflow run left RUNNING by a process that died
  (SIGKILL, power loss) and that is not the one resumed is marked KILLED.
* :func:`interrupted` is what the CLI calls when a run ends by SIGINT/SIGTERM (Lightning stops it
  between batches and marks it FAILED; a signal is a kill, so it becomes KILLED; exit 130/143).

Also needed for an exact resume: ``last.ckpt`` must be the last epoch
(:class:`train.callbacks.ResumableCheckpoint`; Lightning's follows only top-k saves), and the data
loaders must not draw from the global RNG (:mod:`train.datamodule` gives them their own generators).

End-of-epoch checkpoints resume exactly. A mid-epoch checkpoint (``every_n_train_steps``) resumes
exactly as well: the training loader of :mod:`train.datamodule` is resumable (it skips the batches
already seen in the epoch).
"""

from __future__ import annotations

import json
import os
import random
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from lightning.pytorch.loggers import MLFlowLogger
from lightning.pytorch.utilities import rank_zero_info, rank_zero_warn

STATE_FILE = "train_state.json"
TAG_RESUMED = "resistml.resumed_from"
TAG_RESUMES = "resistml.resume_count"
TAG_KILLED = "resistml.killed"


# ---- RNG states (checkpoint-safe: tensors, ints, strings only, so `weights_only` loading works) ----
def rng_state() -> dict[str, Any]:
    """The python, numpy, torch and (when present) CUDA random states."""
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": [kind, torch.from_numpy(np.asarray(keys, dtype=np.int64)), int(pos), int(has_gauss), float(gauss)],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore the states written by :func:`rng_state`."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state["cuda"])


# ---- the run-state file -------------------------------------------------------------------------
def read_state(ckpt_dir: str | Path) -> dict[str, Any]:
    path = Path(ckpt_dir) / STATE_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def write_state(ckpt_dir: str | Path, **values: Any) -> dict[str, Any]:
    """Update ``<ckpt_dir>/train_state.json`` (written whole to a temporary file, then renamed)."""
    path = Path(ckpt_dir) / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {**read_state(ckpt_dir), **values, "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(tmp, path)
    return state


def _alive(pid: int | None, host: str | None) -> bool:
    """Whether another process with this pid runs on this host (own pid: no)."""
    if not pid or pid == os.getpid() or host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---- checkpoints --------------------------------------------------------------------------------
def last_checkpoint(ckpt_dir: str | Path) -> Path | None:
    """``last.ckpt`` in ``ckpt_dir`` (the newest ``last*.ckpt``, as Lightning's ``ckpt_path="last"``)."""
    found = [p for p in Path(ckpt_dir).glob("last*.ckpt") if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def checkpoint_info(path: str | Path) -> dict[str, Any]:
    """Epoch, global step, model hyperparameters and MLflow run id stored in a checkpoint."""
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=False, mmap=True)
    except Exception as exc:  # a truncated or foreign file: say which one
        raise ValueError(f"checkpoint {str(path)!r} cannot be read ({type(exc).__name__}: {exc}); "
                         "delete it or pass another --ckpt-path") from exc
    state = (ckpt.get("callbacks") or {}).get(ResumeState.__qualname__) or {}
    return {
        "epoch": ckpt.get("epoch"),
        "global_step": ckpt.get("global_step"),
        "hyper_parameters": dict(ckpt.get("hyper_parameters") or {}),
        "mlflow_run_id": state.get("mlflow_run_id"),
    }


ARCHITECTURE = ("hidden", "gnn_layers", "heads", "set_blocks", "pooling", "use_physics", "physics", "targets")


def _norm(value: Any) -> Any:
    return list(value) if isinstance(value, tuple | list) else value


def architecture_mismatch(saved: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """``--model.<key>`` settings that differ from the checkpoint's (the weights would not load)."""
    return [f"--model.{k} {_norm(wanted[k])!r} (checkpoint: {_norm(saved[k])!r})"
            for k in ARCHITECTURE if k in saved and k in wanted and wanted[k] is not None
            and _norm(saved[k]) != _norm(wanted[k])]


# ---- MLflow -------------------------------------------------------------------------------------
def _client(tracking_uri: str):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri)


def run_status(tracking_uri: str, run_id: str) -> str | None:
    """The MLflow status of ``run_id`` (None: no such run in this store)."""
    try:
        return _client(tracking_uri).get_run(run_id).info.status
    except Exception:
        return None


def mark_killed(tracking_uri: str, run_id: str, why: str) -> bool:
    """Set a run's status to KILLED (with a tag saying why); False when the store lacks the run."""
    try:
        client = _client(tracking_uri)
        client.set_tag(run_id, TAG_KILLED, why)
        client.set_terminated(run_id, "KILLED")
        return True
    except Exception:
        return False


# ---- what re-running a command means ------------------------------------------------------------
@dataclass
class Plan:
    """Outcome of :func:`plan`: the checkpoint to resume, the MLflow run to log into, messages."""

    ckpt_path: str | None = None
    run_id: str | None = None
    complete: str | None = None  # set: the run finished; nothing to train
    messages: list[str] = field(default_factory=list)


def plan(ckpt_dir: str | Path, ckpt_path: str | None, max_epochs: int | None,
         tracking_uri: str | None, model_args: dict[str, Any] | None = None, rank_zero: bool = True) -> Plan:
    """Resume decision for a ``fit`` whose ModelCheckpoint writes to ``ckpt_dir``.

    ``ckpt_path``: as given (None: resume from ``last.ckpt`` when there is one; "last": the same,
    explicitly; a path). Raises ValueError for an unreadable checkpoint, a checkpoint of another
    architecture, or another live process training into ``ckpt_dir``. Only ``rank_zero`` checks
    for that process and marks stale runs (other DDP ranks start while rank 0 already trains).
    """
    ckpt_dir = Path(ckpt_dir)
    out = Plan(ckpt_path=ckpt_path)
    state = read_state(ckpt_dir) if rank_zero else {}
    if state.get("status") == "running" and _alive(state.get("pid"), state.get("host")):
        raise ValueError(f"{ckpt_dir}: another training process (pid {state['pid']}) is writing to it; "
                         f"wait for it or stop it (or delete {STATE_FILE} there if pid {state['pid']} is not one)")
    if ckpt_path in (None, "last"):
        found = last_checkpoint(ckpt_dir) if ckpt_dir.is_dir() else None
        if found is None:
            if ckpt_path == "last":
                out.messages.append(f"--ckpt-path last: no last*.ckpt in {ckpt_dir}; training from scratch")
                out.ckpt_path = None
            _stale(state, None, tracking_uri, out)
            return out
        done = read_state(ckpt_dir)  # (every rank: all must skip a complete run)
        if done.get("status") == "finished" and max_epochs is not None and done.get("max_epochs") is not None \
                and max_epochs <= done["max_epochs"]:
            out.complete = (f"training in {ckpt_dir} is complete ({done.get('epochs')} epochs, "
                            f"global step {done.get('global_step')}, max_epochs {done['max_epochs']}); nothing to do "
                            "(raise --trainer.max_epochs to train on, or use another trainer.default_root_dir)")
            out.ckpt_path = None
            return out
        out.ckpt_path = str(found)
    info = checkpoint_info(out.ckpt_path)
    wrong = architecture_mismatch(info["hyper_parameters"], model_args or {})
    if wrong:
        raise ValueError(f"checkpoint {out.ckpt_path} has another architecture: {'; '.join(wrong)} "
                         "(use another trainer.default_root_dir to train a new model)")
    run_id = info["mlflow_run_id"]
    if run_id and tracking_uri:
        if run_status(tracking_uri, run_id) is None:
            out.messages.append(f"MLflow run {run_id} is not in {tracking_uri}; logging to a new run")
            run_id = None
    out.run_id = run_id if tracking_uri else None
    into = f" into MLflow run {out.run_id}" if out.run_id else ""
    out.messages.insert(0, f"Resuming from {out.ckpt_path} (saved in epoch {info['epoch']}, global step "
                           f"{info['global_step']}){into}")
    _stale(state, out.run_id, tracking_uri, out)
    return out


def _stale(state: dict[str, Any], resumed: str | None, tracking_uri: str | None, out: Plan) -> None:
    """Mark the run of a dead process KILLED unless it is the one being resumed."""
    old = state.get("run_id")
    if not old or old == resumed or not tracking_uri or state.get("tracking_uri") not in (None, tracking_uri):
        return
    if run_status(tracking_uri, old) == "RUNNING" and mark_killed(
            tracking_uri, old, f"process {state.get('pid')} ended without finishing; found RUNNING on re-run"):
        out.messages.append(f"MLflow run {old} of a killed process (pid {state.get('pid')}) marked KILLED")


class Interrupted(SystemExit):
    """A training run stopped by a signal (exit status 128 + signal number)."""


def interrupted(trainer: L.Trainer, exc: SystemExit, tracking_uri: str | None) -> Interrupted:
    """Mark the MLflow run of a run stopped by SIGINT/SIGTERM KILLED; the exit to raise."""
    from lightning.pytorch.utilities.exceptions import SIGTERMException

    name, code = ("SIGTERM", 143) if isinstance(exc, SIGTERMException) else ("SIGINT", 130)
    callback = next((c for c in trainer.callbacks if isinstance(c, ResumeState)), None)
    run_id = callback.run_id if callback is not None else None
    where = f"epoch {trainer.current_epoch}, global step {trainer.global_step}"
    killed = ""
    if run_id and tracking_uri and trainer.is_global_zero and mark_killed(
            tracking_uri, run_id, f"stopped by {name} at {where}"):
        killed = f"; MLflow run {run_id} marked KILLED"
    announce([f"training stopped by {name} at {where}{killed}; re-run the same command to resume"])
    return Interrupted(code)


# ---- the callback -------------------------------------------------------------------------------
def _mlflow_logger(trainer: L.Trainer) -> MLFlowLogger | None:
    return next((lg for lg in trainer.loggers if isinstance(lg, MLFlowLogger)), None)


def _ckpt_dir(trainer: L.Trainer) -> str | None:
    callback = trainer.checkpoint_callback
    return getattr(callback, "dirpath", None) if callback is not None else None


class ResumeState(L.Callback):
    """Checkpoint the RNG states and MLflow run id; restore the RNG when training resumes.

    The RNG states are restored in ``on_train_start`` - after the sanity check and the data loader
    set-up, right before the first resumed batch - which is where an uninterrupted run stands when
    it writes the checkpoint (the loaders of :mod:`train.datamodule` draw from their own generators).
    """

    def __init__(self) -> None:
        self._rng: dict[str, Any] | None = None
        self.run_id: str | None = None
        self.resumed = False

    def state_dict(self) -> dict[str, Any]:
        return {"rng": rng_state(), "mlflow_run_id": self.run_id}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._rng = state_dict.get("rng")
        self.resumed = True

    # ---- hooks ---------------------------------------------------------------------------------
    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        logger = _mlflow_logger(trainer)
        if logger is not None:
            self.run_id = logger.run_id  # creates the run, or opens the one passed as run_id
        if not trainer.is_global_zero:
            return
        if logger is not None and self.resumed:  # a killed run: RUNNING again
            logger.experiment.update_run(self.run_id, status="RUNNING")
        ckpt_dir = _ckpt_dir(trainer)
        if ckpt_dir:
            write_state(ckpt_dir, status="running", run_id=self.run_id, checkpoint_dir=str(ckpt_dir),
                        tracking_uri=getattr(logger, "_tracking_uri", None) if logger else None,
                        pid=os.getpid(), host=socket.gethostname(), max_epochs=trainer.max_epochs,
                        epochs=None, global_step=None)

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        logger = _mlflow_logger(trainer)
        if logger is not None and self.resumed and trainer.is_global_zero:  # (loop state restored by now)
            client = logger.experiment
            count = int(client.get_run(self.run_id).data.tags.get(TAG_RESUMES, "0")) + 1
            client.set_tag(self.run_id, TAG_RESUMES, str(count))
            client.set_tag(self.run_id, TAG_RESUMED, f"{trainer.ckpt_path} (epoch {trainer.current_epoch}, "
                                                     f"global step {trainer.global_step})")
        if self._rng is not None:
            set_rng_state(self._rng)
            self._rng = None
        loop = trainer.fit_loop
        if getattr(loop, "restarted_mid_epoch", False):
            # Lightning builds the train loader before it restores the loop state (configure_optimizers
            # asks for estimated_stepping_batches), so it never hands the saved position to the loader
            done = int(loop.epoch_loop.batch_progress.current.processed)
            loaders = trainer.train_dataloader
            loaders = loaders.values() if isinstance(loaders, dict) else loaders if isinstance(loaders, list) else [loaders]
            for loader in loaders:
                resume_at = getattr(loader, "resume_at", None)
                if not (callable(resume_at) and resume_at(done)):
                    rank_zero_warn(f"resuming mid-epoch: {type(loader).__name__} cannot skip the {done} batches "
                                   "already trained on; the resumed epoch is not the uninterrupted one")

    def _finish(self, trainer: L.Trainer, status: str) -> None:
        ckpt_dir = _ckpt_dir(trainer)
        if ckpt_dir and trainer.is_global_zero:
            write_state(ckpt_dir, status=status, epochs=int(trainer.current_epoch),
                        global_step=int(trainer.global_step), max_epochs=trainer.max_epochs)

    def teardown(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        # called only when fit returns normally (after on_fit_end): the run is complete
        if stage == "fit" and not trainer.interrupted:
            self._finish(trainer, "finished")

    def on_exception(self, trainer: L.Trainer, pl_module: L.LightningModule, exception: BaseException) -> None:
        self._finish(trainer, "killed" if isinstance(exception, KeyboardInterrupt | SystemExit) else "failed")


def announce(messages: list[str]) -> None:
    for message in messages:
        rank_zero_info(message)
