# The two commands a newcomer needs:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# CPU wheel on these machines; GPU users: `make TORCH_SPEC=torch setup` or install their own build first.
TORCH_SPEC ?= torch==2.13.0
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-slow lint psf-cache data model export-model clean

# Default training set and shipped model (`make data`, `make model`).
DATA_DIR   ?= datasets/default
DATA_N     ?= 60000
MODEL_TIME ?= 00:01:00:00
MODEL_DIR  ?= data/models/default

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP)

demo: setup
	$(BIN)/resistml demo

test: setup
	$(BIN)/python -m pytest -q

# pytest exits 5 when no test carries the mark; that is not a failure.
test-slow: setup
	$(BIN)/python -m pytest -q -m slow || [ $$? -eq 5 ]

lint: setup
	$(BIN)/ruff check resistml tests train serve

psf-cache: setup
	$(BIN)/resistml psf-grid --out data/psf/default_grid.csv

data: setup
	$(BIN)/resistml generate --n $(DATA_N) --out $(DATA_DIR) --seed 0

# Trains the default config (bounded by MODEL_TIME on CPU) and exports the best checkpoint: the export
# fits sigma scaling on the random split's val part and writes the test-part metrics into the metadata.
model: data
	rm -rf runs/default
	$(BIN)/python -m train.cli fit --config train/configs/default.yaml --data.dataset $(DATA_DIR) \
		--trainer.max_time $(MODEL_TIME)
	$(MAKE) export-model CKPT="$$(ls -t runs/default/checkpoints/best-*.ckpt | head -n 1)"

export-model:
	$(BIN)/resistml export --checkpoint "$(CKPT)" --out $(MODEL_DIR) --data $(DATA_DIR) --split random \
		--name resistnet-default --version 1

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
