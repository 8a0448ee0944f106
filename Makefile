# The two commands a newcomer needs:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# CPU wheel on these machines; GPU users: `make TORCH_SPEC=torch setup` or install their own build first.
TORCH_SPEC ?= torch==2.13.0
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-slow lint psf-cache clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

demo: setup
	$(BIN)/python -m resistml.demo

test: setup
	$(BIN)/python -m pytest -q

# pytest exits 5 when no test carries the mark; that is not a failure.
test-slow: setup
	$(BIN)/python -m pytest -q -m slow || [ $$? -eq 5 ]

lint: setup
	$(BIN)/ruff check resistml tests train serve

psf-cache: setup
	$(BIN)/resistml psf-grid --out data/psf/default_grid.csv

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
