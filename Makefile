# carescore: `make run` starts the product locally, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8080
DATA ?= $(or $(CARESCORE_DATA),../shared/data/airline_tweets.csv)

CHROMIUM := /usr/bin/chromium
# The portal is rebuilt when its sources or the API contract change (its types come from it).
WEB_SOURCES := $(shell find web/src web/scripts -type f ! -name schema.d.ts 2>/dev/null) \
	web/index.html web/vite.config.ts web/tsconfig.json openapi.json

.PHONY: venv test lint model bench run clean build-ApiFunction build-AggregatorFunction portal browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[training,bench,dev]'
	touch $@

venv: $(STAMP)

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build

portal: web/dist/index.html

# The browser tier drives Debian's Chromium; Playwright never downloads a browser of its own.
$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

browser: $(CHROMIUM)

test: $(STAMP) portal browser
	cd web && npm test
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

model: $(STAMP)
	$(BIN)/carescore train --data $(DATA) --label-column airline_sentiment \
		--out model_build/default_model

run: $(STAMP) portal
	$(BIN)/carescore local --port $(PORT)

bench: $(STAMP)
	$(BIN)/python bench/model_bench.py --data $(DATA)

# Called by `sam build` (BuildMethod: makefile): each function's zip holds functions/ and
# the serving dependencies declared in pyproject.toml, built for the Lambda runtime.
build-ApiFunction build-AggregatorFunction:
	$(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"], sep="\n")' \
		| $(PYTHON) -m pip install --quiet --target "$(ARTIFACTS_DIR)" --only-binary=:all: \
			--platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
			--python-version 3.13 --implementation cp -r /dev/stdin
	cp -r functions "$(ARTIFACTS_DIR)/"
	find "$(ARTIFACTS_DIR)" -name __pycache__ -prune -exec rm -rf {} +

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache web/node_modules web/dist
