#!/usr/bin/env bash
# One short, prepared GPU check (issue 6), run from the repo root on a CUDA machine:
#   DATA=datasets/default OUT=runs/gpu_check bash benchmarks/gpu_check.sh
# 1. model throughput (unique-molecule vs per-component encoding) on the GPU, default and gpu.yaml widths;
# 2. train/configs/gpu.yaml as shipped (DDP, bf16-mixed, all GPUs), bounded by GPU_TIME, then scored on
#    the random split's test part (a CSV logger stands in for MLflow where mlflow is not installed);
# 3. the accuracy harness (ResistNet, DeepSets and no-physics ablations, every split) on the GPU.
# Packages the machine lacks (rdkit, pydantic, jsonargparse...) may travel as wheels in .whl/.
set -u
OUT=${OUT:-runs/gpu_check}
DATA=${DATA:-datasets/default}
GPU_TIME=${GPU_TIME:-00:00:01:30}
BENCH_TIME=${BENCH_TIME:-00:00:02:45}
BENCH_JOBS=${BENCH_JOBS:-12}
mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$PWD" PYTHONUNBUFFERED=1
stamp() { echo "== $(date +%T) $*"; }

stamp environment
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
python3 -c "import torch, torch_geometric, lightning, rdkit; print('torch', torch.__version__, 'pyg',
torch_geometric.__version__, 'lightning', lightning.__version__, 'rdkit', rdkit.__version__,
torch.cuda.get_device_name())" | tee -a "$OUT/gpu.txt" || exit 1

stamp throughput
for hidden in 64 256; do
  timeout 120 python3 benchmarks/model_throughput.py --device cuda --threads 4 --repeats 10 --hidden $hidden
done 2>&1 | tee "$OUT/throughput.txt"

stamp "gpu.yaml for $GPU_TIME"
rm -rf runs/gpu
start=$(date +%s)
timeout 400 python3 -m train.cli fit --config train/configs/gpu.yaml --data.dataset "$DATA" \
  --trainer.max_time "$GPU_TIME" --trainer.max_epochs 40 --trainer.enable_progress_bar false \
  --trainer.logger lightning.pytorch.loggers.CSVLogger --trainer.logger.save_dir runs/gpu \
  > "$OUT/gpu_train.log" 2>&1
echo "gpu.yaml rc $? wall $(( $(date +%s) - start )) s" | tee -a "$OUT/gpu.txt"
cp runs/gpu/lightning_logs/version_0/metrics.csv "$OUT/gpu_metrics.csv" 2>/dev/null
best=$(ls -t runs/gpu/checkpoints/best-*.ckpt 2>/dev/null | head -1)
[ -n "$best" ] && timeout 120 python3 -m resistml evaluate --model "$best" --data "$DATA" --split random --json \
  > "$OUT/gpu_eval.json" 2>&1

stamp "accuracy harness, $BENCH_TIME per model, $BENCH_JOBS at once"
timeout 420 python3 benchmarks/bench_accuracy.py --data "$DATA" --models resistnet,deepsets,nophysics \
  --splits random,unseen_molecules,unseen_scaffolds,beam_energy_extrapolation --max-epochs 10 \
  --max-time "$BENCH_TIME" --jobs "$BENCH_JOBS" --accelerator gpu --num-workers 1 \
  --workdir runs/gpu_bench --json "$OUT/bench_accuracy.json" > "$OUT/bench_accuracy.txt" 2>&1
echo "bench rc $?" | tee -a "$OUT/gpu.txt"
tail -c 4000 "$OUT/bench_accuracy.txt"
stamp done
