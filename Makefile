# carescore: `make run` starts the product locally, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8080
DATA ?= $(or $(CARESCORE_DATA),../shared/data/airline_tweets.csv)

.PHONY: venv test lint model bench run clean build-ApiFunction

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
	$(BIN)/lint-imports

model: $(STAMP)
	$(BIN)/carescore train --data $(DATA) --label-column airline_sentiment \
		--out model_build/default_model

run: $(STAMP)
	$(BIN)/carescore local --port $(PORT)

bench: $(STAMP)
	$(BIN)/python bench/model_bench.py --data $(DATA)

# Called by `sam build` (BuildMethod: makefile): the API function's zip holds functions/ and
# the serving dependencies declared in pyproject.toml, built for the Lambda runtime.
build-ApiFunction:
	$(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"], sep="\n")' \
		| $(PYTHON) -m pip install --quiet --target "$(ARTIFACTS_DIR)" --only-binary=:all: \
			--platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
			--python-version 3.13 --implementation cp -r /dev/stdin
	cp -r functions "$(ARTIFACTS_DIR)/"
	find "$(ARTIFACTS_DIR)" -name __pycache__ -prune -exec rm -rf {} +

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
