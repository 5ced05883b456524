# confkit: `make demo` and `make test` set everything up from a bare Python 3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export TZ := UTC
export MPLBACKEND := Agg

.PHONY: demo test lint unit nbval notebooks install clean bench bench-quick reliability lab report-check

# Notebooks, nbval and the demo use their own embedded server under build/, never the
# user's data directory, and stop it when done (even when a step fails).
NB_HOME := $(CURDIR)/build/confkit-home
NB_ENV := CONFKIT_HOME=$(NB_HOME) CONFKIT_REDIS_URL=
STOP_SERVER := $(NB_ENV) $(BIN)/python -m confkit.cli server stop >/dev/null
# One kernel per notebook, cells in order: never split a notebook across pytest-xdist
# workers (if ever run in parallel, use --dist loadfile).
NBVAL := $(BIN)/python -m pytest --nbval --nbval-current-env \
	--nbval-sanitize-with notebooks/sanitize.cfg notebooks

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The full demo: narrated walkthrough of every operation, then the four notebooks
# executed into build/ (notebooks, HTML report, PNG charts).
demo: $(STAMP)
	$(NB_ENV) $(BIN)/python -m confkit.demo && $(NB_ENV) $(BIN)/python -m confkit.report build --out build; \
	status=$$?; $(STOP_SERVER); exit $$status

# Re-execute the notebooks in place, after a deliberate change that alters their outputs.
notebooks: $(STAMP)
	$(NB_ENV) $(BIN)/python -m confkit.report refresh; status=$$?; $(STOP_SERVER); exit $$status

# JupyterLab on notebooks/, against the notebooks' own embedded server under build/
# (their own key namespace too); Ctrl-C twice (or SIGTERM) stops JupyterLab, then the server.
LAB_PORT ?= 8888
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(NB_ENV) $(BIN)/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser $(LAB_ROOT); \
	status=$$?; $(STOP_SERVER); exit $$status

# Open every page of the report in build/ in headless Chromium: fails on a failed or
# outside request, a missing image, a console error or a page wider than the window
# (screenshots in build/screenshots/). Without Chromium it says how to get it and skips.
report-check: $(STAMP)
	$(BIN)/python -m confkit.reportcheck build --screenshots build/screenshots

# Run the notebooks and compare every output with the stored one.
nbval: $(STAMP)
	$(NB_ENV) $(NBVAL); status=$$?; $(STOP_SERVER); exit $$status

test: $(STAMP) lint
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory nbval

unit: $(STAMP)
	$(BIN)/python -m pytest tests

# The reliability tests at full size (minutes); make test runs a short version of each.
# Prints the figures at the end and writes them to build/reliability.json.
reliability: $(STAMP)
	CONFKIT_RELIABILITY=full CONFKIT_FIGURES=build/reliability.json $(BIN)/python -m pytest tests/reliability -q

lint: $(STAMP)
	$(BIN)/ruff check confkit tests bench

# Benchmarks (not tests: nothing asserts a time). Results in bench/results/.
bench: $(STAMP)
	$(BIN)/python -m bench.run --cluster

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick --cluster

clean:
	-[ -x $(BIN)/python ] && $(STOP_SERVER)
	rm -rf $(VENV) build .pytest_cache
