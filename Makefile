# confkit: `make demo` and `make test` set everything up from a bare Python 3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export TZ := UTC
export MPLBACKEND := Agg

.PHONY: demo test lint unit install clean bench bench-quick

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

lint: $(STAMP)
	$(BIN)/ruff check confkit tests bench

# Benchmarks (not tests: nothing asserts a time). Results in bench/results/.
bench: $(STAMP)
	$(BIN)/python -m bench.run --cluster

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick --cluster

clean:
	rm -rf $(VENV) build .pytest_cache
