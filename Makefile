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

.PHONY: venv test fuzz lint lock model bench run clean build-ApiFunction build-AggregatorFunction \
	portal browser deploy-venv validate package publish-portal

# The deployment tools (aws-sam-cli) live in a venv of their own: see requirements/deploy.in.
DEPLOY_VENV := .venv-deploy
DEPLOY_BIN := $(DEPLOY_VENV)/bin
DEPLOY_STAMP := $(DEPLOY_VENV)/.installed
# SAM CLI offline: a region and made-up credentials for its boto3 clients, every AWS API
# pointed at a closed loopback port (a call fails at once instead of reaching AWS), and no
# telemetry. Nothing here needs an AWS account.
SAM_OFFLINE := AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 \
	AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline AWS_SESSION_TOKEN=offline \
	AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_EC2_METADATA_DISABLED=true \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null SAM_CLI_TELEMETRY=0

# Installs exactly what requirements/dev.txt pins, each file checked against its hash; then
# the project itself, without resolving anything again.
$(STAMP): pyproject.toml requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

venv: $(STAMP)

$(DEPLOY_STAMP): requirements/deploy.txt
	$(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_BIN)/pip install --quiet --require-hashes --no-deps -r requirements/deploy.txt
	touch $@

deploy-venv: $(DEPLOY_STAMP)

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

# The slowest tests are listed at the end, so a suite that grows slow says where.
test: $(STAMP) portal browser
	cd web && npm test
	$(BIN)/pytest --durations=15

# The contract fuzz at length: many more cases per operation, a new seed each run.
fuzz: $(STAMP)
	CARESCORE_FUZZ_EXAMPLES=$(or $(EXAMPLES),300) CARESCORE_FUZZ_SEED= \
		$(BIN)/pytest -s tests/e2e/test_contract_fuzz.py

# Re-pins requirements/ after a change to the dependencies in pyproject.toml: dev.txt for
# this venv and CI (Python 3.11), lambda.txt for the API function's zip (Python 3.13, Linux).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra training --extra bench --extra dev \
		--python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock" \
		-o requirements/dev.txt
	$(BIN)/uv pip compile pyproject.toml --python-version 3.13 \
		--python-platform x86_64-manylinux_2_28 --generate-hashes --quiet \
		--custom-compile-command "make lock" -o requirements/lambda.txt
	$(BIN)/uv pip compile requirements/deploy.in --python-version 3.11 --generate-hashes \
		--quiet --custom-compile-command "make lock" -o requirements/deploy.txt

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true $(BIN)/cfn-lint template.yaml

# `sam validate --lint`: the SAM transform and cfn-lint, offline.
validate: $(DEPLOY_STAMP)
	$(SAM_OFFLINE) $(DEPLOY_BIN)/sam validate --lint --template template.yaml

# Builds every zip function with `sam build` and checks each unzipped package stays under
# 200 MB (Lambda's limit is 250 MB). Image functions need Docker and are built only in the
# cloud: skipped, and said so.
package: $(STAMP) $(DEPLOY_STAMP) validate
	$(SAM_OFFLINE) $(BIN)/python -m infra.package --sam $(DEPLOY_BIN)/sam

# Puts the built portal in a deployed stack's bucket and writes its config.json from the
# stack's outputs: make publish-portal STACK=carescore-dev [REGION=eu-west-1] [PROFILE=...]
publish-portal: $(STAMP) portal
	@test -n "$(STACK)" || { echo "usage: make publish-portal STACK=<stack> [REGION=<region>]"; exit 2; }
	$(BIN)/carescore publish-portal --stack $(STACK) $(if $(REGION),--region $(REGION)) \
		$(if $(PROFILE),--profile $(PROFILE))

model: $(STAMP)
	$(BIN)/carescore train --data $(DATA) --label-column airline_sentiment \
		--out model_build/default_model

run: $(STAMP) portal
	$(BIN)/carescore local --port $(PORT)

bench: $(STAMP)
	$(BIN)/python bench/model_bench.py --data $(DATA)

# Called by `sam build` (BuildMethod: makefile): each function's zip holds functions/ and
# the serving dependencies pinned in requirements/lambda.txt, built for the Lambda runtime.
# --ignore-requires-python: with --no-deps, pip checks each package's Requires-Python
# against the Python running pip rather than --python-version; lambda.txt is resolved for
# 3.13 already, and --python-version still picks the cp313 wheels.
build-ApiFunction build-AggregatorFunction:
	$(PYTHON) -m pip install --quiet --target "$(ARTIFACTS_DIR)" --only-binary=:all: \
		--platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
		--python-version 3.13 --implementation cp --require-hashes --no-deps \
		--ignore-requires-python -r requirements/lambda.txt
	cp -r functions "$(ARTIFACTS_DIR)/"
	find "$(ARTIFACTS_DIR)" -name __pycache__ -prune -exec rm -rf {} +

clean:
	rm -rf $(VENV) $(DEPLOY_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache \
		web/node_modules web/dist
