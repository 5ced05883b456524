# confkit: `make demo` and `make test` set everything up from a bare Python 3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export TZ := UTC
export MPLBACKEND := Agg

.PHONY: demo test lint unit install clean reliability

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m confkit.demo

test: $(STAMP) lint
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest tests

# The reliability tests at full size (minutes); make test runs a short version of each.
# Prints the figures at the end and writes them to build/reliability.json.
reliability: $(STAMP)
	CONFKIT_RELIABILITY=full CONFKIT_FIGURES=build/reliability.json $(BIN)/python -m pytest tests/reliability -q

lint: $(STAMP)
	$(BIN)/ruff check confkit tests

clean:
	rm -rf $(VENV) build .pytest_cache
