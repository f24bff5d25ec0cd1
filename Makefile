# Two commands do all the set-up on a fresh clone:
#   make run    create .venv, install, harvest the bundled corpus snapshot and extract it into evidence.db
#   make test   create .venv, install with the dev extra, lint, type-check and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DB ?= evidence.db

.PHONY: run test lint serve bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/extractor run --offline --db $(DB)

test: $(BIN)/.installed lint
	$(BIN)/python -m pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; exit $$status

lint: $(BIN)/.installed
	$(BIN)/ruff check extractor tests benchmarks
	$(BIN)/ruff format --check extractor tests benchmarks
	$(BIN)/mypy extractor

serve: run
	$(BIN)/extractor serve --db $(DB)

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) $(DB) .pytest_cache .ruff_cache
