# carescore: `make run` starts the product locally, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8080
DATA ?= $(or $(CARESCORE_DATA),../shared/data/airline_tweets.csv)

.PHONY: venv test lint model bench run clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[training,bench,dev]'
	touch $@

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

model: $(STAMP)
	$(BIN)/carescore train --data $(DATA) --label-column airline_sentiment \
		--out model_build/default_model

run: $(STAMP)
	$(BIN)/carescore local --port $(PORT)

bench: $(STAMP)
	$(BIN)/python bench/model_bench.py --data $(DATA)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
