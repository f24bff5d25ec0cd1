# Two commands do all the set-up on a fresh clone:
#   make run    create .venv, install, harvest the bundled corpus snapshot and extract it into evidence.db
#   make test   create .venv, install with the dev extra, lint, type-check and run the tests
#               (installing Debian's chromium and chromium-driver for the browser test if missing)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DB ?= evidence.db

.PHONY: run test lint browser serve bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/extractor run --offline --db $(DB)

test: $(BIN)/.installed lint browser
	$(BIN)/python -m pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; exit $$status

# The browser test drives Debian's headless Chromium; EXTRACTOR_NO_BROWSER=1 skips it.
browser:
	@if [ "$$EXTRACTOR_NO_BROWSER" != 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends chromium chromium-driver; \
	fi

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
