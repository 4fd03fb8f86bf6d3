"""Trends benchmark, in process against moto (design decision 5: trend and risk reads cost
the same whatever the number of stored tasks).

Read latency: for 1,000 and for 100,000 synthetic tasks (10 categories, 6 products, 8 days,
a third as many accounts as tasks), the aggregates those tasks produce are written through
the aggregator's own logic (each task's count changes and each account's risk assessment),
then GET /v1/trends/categories (by day and by week), GET /v1/trends/summary and
GET /v1/accounts/at-risk are called through the API handler, as a machine client with
`carescore/trends.read`, the two sizes' calls interleaved: median and p90 of --reads calls
each, the 100k/1k ratio, and the items DynamoDB reads per call (its ScannedCount: the cost
DynamoDB charges and the one that must not grow). The tasks themselves are not stored: no
read touches them. moto answers every Query by walking all the items of the table, so its
latency grows with the table where DynamoDB's follows the items read.

Aggregator throughput: --records stream records (task creations and reviews) through the
aggregator's handler in batches of 100, as the stream would deliver them; records/s.

    .venv/bin/python bench/trends_bench.py [--reads 15] [--records 400] [--out bench/results]

Prints a table and writes bench/results/trends_bench-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from functions.aggregator.records import TaskFacts, counter_deltas  # noqa: E402
from functions.shared.risk import DEFAULT_AT_RISK_RULE, AccountRequest, RiskState, assess  # noqa: E402
from functions.shared.risk_items import risk_item  # noqa: E402
from infra.http_events import Request, build_event  # noqa: E402
from infra.lambda_runtime import LambdaContext  # noqa: E402
from infra.template import load_template, make_route  # noqa: E402

REGION = "eu-west-1"
SIZES = (1_000, 100_000)
CATEGORIES = tuple(f"category-{n}" for n in range(10))
PRODUCTS = ("Virgin America", "United", "Southwest", "Delta", "US Airways", "American")
LABELS = ("negative", "neutral", "positive")
LABEL_WEIGHTS = (0.6, 0.22, 0.18)  # roughly the airline data's mix
FIRST_DAY = datetime(2015, 2, 16, tzinfo=UTC)
DAYS = 8
READS = {
    "trends by day": ("/v1/trends/categories", "from=2015-02-16&to=2015-02-23&granularity=day"),
    "trends by week": ("/v1/trends/categories", "from=2015-02-16&to=2015-02-23&granularity=week"),
    "summary": ("/v1/trends/summary", "from=2015-02-16&to=2015-02-23"),
    "at-risk list": ("/v1/accounts/at-risk", "limit=25"),
}
CLAIMS = {
    "jwt": {
        "claims": {"sub": "bench-client", "client_id": "bench-client", "token_use": "access"},
        "scopes": ["carescore/trends.read"],
    }
}


def synthetic_tasks(count: int, seed: int = 7) -> list[TaskFacts]:
    generator = random.Random(seed)
    accounts = max(1, count // 3)
    tasks = []
    for number in range(count):
        created = FIRST_DAY + timedelta(seconds=generator.randrange(DAYS * 86400))
        label = generator.choices(LABELS, LABEL_WEIGHTS)[0]
        task_id = f"{number:032x}"
        tasks.append(
            TaskFacts(
                account_id=f"account-{generator.randrange(accounts)}",
                product=generator.choice(PRODUCTS),
                day=created.date().isoformat(),
                request=AccountRequest(
                    task_id=task_id,
                    created_at=created,
                    created_key=f"{created.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{task_id}",
                    label=label,  # type: ignore[arg-type]
                    support_level="escalate" if label == "negative" else "standard",
                    category=generator.choice(CATEGORIES),
                    revision=1,
                ),
            )
        )
    return tasks


@contextmanager
def emulator() -> Iterator[None]:
    from moto import mock_aws

    environment = {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    with mock.patch.dict(os.environ, environment), mock_aws():
        import boto3

        boto3.client("events", region_name=REGION).create_event_bus(Name="bench-bus")
        yield


def create_tables(suffix: str) -> dict[str, str]:
    """The template's tables, named with `suffix`; returns logical id -> name."""
    import boto3

    template = load_template(ROOT / "template.yaml")
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    names = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        properties = resource["Properties"]
        request = {
            key: properties[key]
            for key in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes")
            if key in properties
        }
        if "StreamSpecification" in properties:
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": properties["StreamSpecification"]["StreamViewType"],
            }
        names[logical_id] = f"bench-{suffix}-{logical_id}"
        dynamodb.create_table(TableName=names[logical_id], BillingMode="PAY_PER_REQUEST", **request)
    return names


def use_tables(names: dict[str, str]) -> None:
    """Points the API and the aggregator at one set of tables."""
    from functions.aggregator import app
    from functions.api import deps

    os.environ.update(
        {
            "TASKS_TABLE": names["TasksTable"],
            "REGISTRY_TABLE": names["RegistryTable"],
            "IDEMPOTENCY_TABLE": names["IdempotencyTable"],
            "AGGREGATES_TABLE": names["AggregatesTable"],
            "MODELS_BUCKET": "bench-models",
            "DATASETS_BUCKET": "bench-datasets",
            "EVENT_BUS_NAME": "bench-bus",
        }
    )
    deps.reset()
    app.reset()


def write_aggregates(table: str, tasks: list[TaskFacts]) -> int:
    """Writes what the aggregator keeps for `tasks`: every count (summed through its own
    count changes) and the risk state of every account at risk. Returns items written."""
    import boto3

    totals: dict[Any, Counter[str]] = defaultdict(Counter)  # counter -> label -> tasks
    for task in tasks:
        for counter, changes in counter_deltas(None, task).items():
            totals[counter].update(dict(changes))
    items = []
    for counter, changes in totals.items():
        item = {
            "pk": {"S": counter.partition},
            "sk": {"S": counter.sort},
            "dimension": {"S": counter.dimension},
            "day": {"S": counter.day},
            "name": {"S": counter.name},
        } | {label: {"N": str(count)} for label, count in changes.items()}
        if counter.product is not None:
            item["product"] = {"S": counter.product}
        items.append(item)
    by_account: dict[str, list[AccountRequest]] = defaultdict(list)
    for task in tasks:
        by_account[task.account_id].append(task.request)
    for account, found in by_account.items():
        recent = sorted(found, key=lambda request: request.created_key, reverse=True)
        assessment = assess(recent, DEFAULT_AT_RISK_RULE)
        if assessment.at_risk:
            state = RiskState(
                account_id=account,
                assessment=assessment,
                rule_version=DEFAULT_AT_RISK_RULE.version,
                latest_request_key=recent[0].created_key,
                at_risk_since=recent[0].created_at,
                revision=1,
            )
            items.append(risk_item(state))
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems")
    return len(items)


class ItemsRead:
    """Counts the items DynamoDB reads for the API (ScannedCount of its queries): the cost
    that must not grow with the number of stored tasks."""

    def __init__(self) -> None:
        self.items = 0

    def __call__(self, parsed: dict[str, Any], **_: Any) -> None:
        self.items += int(parsed.get("ScannedCount", 0)) + int("Item" in parsed)


def time_reads(stacks: dict[int, dict[str, str]], reads: int) -> dict[int, dict[str, Any]]:
    """Median and p90 latency and items read per call, the sizes' calls interleaved so that
    a busy spell of the machine weighs on both alike."""
    from functions.api.app import lambda_handler
    from functions.shared.aws import dynamodb_client

    context = LambdaContext("ApiFunction", 1024, 29)
    samples: dict[int, dict[str, list[float]]] = {size: defaultdict(list) for size in stacks}
    items: dict[int, dict[str, int]] = {size: {} for size in stacks}
    for round_number in range(reads + 1):  # round 0 warms each route up
        for size, names in stacks.items():
            use_tables(names)
            counter = ItemsRead()
            dynamodb_client().meta.events.register("after-call.dynamodb.*", counter)
            for name, (path, query) in READS.items():
                route = make_route("GET", path, "ApiFunction")
                request = Request("GET", f"{path}?{query}", [("host", "x")], b"", "127.0.0.1")
                event = build_event(request, route, {})
                event["requestContext"]["authorizer"] = CLAIMS
                counter.items = 0
                started = time.perf_counter()
                result = lambda_handler(event, context)
                elapsed = (time.perf_counter() - started) * 1000
                if result["statusCode"] != 200:
                    raise RuntimeError(f"{name}: {result['statusCode']} {result.get('body')}")
                if round_number:
                    samples[size][name].append(elapsed)
                    items[size][name] = counter.items
    return {
        size: {
            name: {
                "median_ms": round(statistics.median(found), 2),
                "p90_ms": round(statistics.quantiles(found, n=10)[-1], 2),
                "items_read": items[size][name],
            }
            for name, found in samples[size].items()
        }
        for size in stacks
    }


def stream_records(count: int) -> list[dict[str, Any]]:
    """Creation records for most of `count`, review records for the rest, as DynamoDB
    stream records of the tasks table."""
    from functions.api.data.task_store import task_item
    from functions.shared.models import Decision, Probabilities, Task

    records = []
    tasks = synthetic_tasks(count, seed=11)
    for number, facts in enumerate(tasks):
        request = facts.request
        task = Task(
            id=request.task_id,
            text="synthetic",
            account_id=facts.account_id,
            category=request.category,
            channel="bench",
            product=facts.product,
            status="open",
            created_at=request.created_at,
            updated_at=request.created_at,
            revision=1,
            decision=Decision(
                label=request.label,
                probabilities=Probabilities(negative=0.5, neutral=0.3, positive=0.2),
                confidence=0.5,
                top_terms=[],
                support_level=request.support_level,
                model_version="bench",
                thresholds_version=1,
                input_sha256="0" * 64,
                decided_at=request.created_at,
            ),
        )
        image = task_item(task)
        change: dict[str, Any] = {"NewImage": image, "SequenceNumber": f"{number:021d}"}
        name = "INSERT"
        if number % 5 == 4:  # a review of the task: its effective label changes
            reviewed = task.model_copy(update={"revision": 2})
            change = {
                "OldImage": image,
                "NewImage": task_item(reviewed) | {"effective_label": {"S": "neutral"}},
                "SequenceNumber": f"{number:021d}",
            }
            name = "MODIFY"
        records.append(
            {
                "eventID": f"bench-{number}",
                "eventName": name,
                "eventSource": "aws:dynamodb",
                "dynamodb": change,
            }
        )
    return records


def aggregator_throughput(records: int) -> dict[str, float]:
    from functions.aggregator import app

    context = LambdaContext("AggregatorFunction", 512, 60)
    batch = stream_records(records)
    started = time.perf_counter()
    for start in range(0, len(batch), 100):
        result = app.lambda_handler({"Records": batch[start : start + 100]}, context)
        if result["batchItemFailures"]:
            raise RuntimeError(f"aggregator failures: {result['batchItemFailures'][:3]}")
    seconds = time.perf_counter() - started
    return {
        "records": records,
        "seconds": round(seconds, 2),
        "records_per_s": round(records / seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=15)
    parser.add_argument("--records", type=int, default=400)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    results: dict[str, Any] = {"environment": platform.platform()}
    with emulator():
        stacks = {}
        for size in SIZES:
            stacks[size] = create_tables(str(size))
            started = time.perf_counter()
            written = write_aggregates(stacks[size]["AggregatesTable"], synthetic_tasks(size))
            results[f"aggregate_items_{size}"] = written
            print(
                f"{size:>7} tasks: {written} aggregate items written in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
        reads = time_reads(stacks, args.reads)
        results["reads"] = reads
        small, large = (reads[size] for size in SIZES)
        print(f"\n{'read':<16}{'1k ms':>9}{'100k ms':>10}{'ratio':>7}{'items 1k':>10}{'100k':>7}")
        for name in READS:
            ratio = large[name]["median_ms"] / small[name]["median_ms"]
            results.setdefault("ratio", {})[name] = round(ratio, 2)
            print(
                f"{name:<16}{small[name]['median_ms']:>9.1f}{large[name]['median_ms']:>10.1f}"
                f"{ratio:>7.2f}{small[name]['items_read']:>10}{large[name]['items_read']:>7}"
            )
        use_tables(create_tables("aggregator"))
        results["aggregator"] = aggregator_throughput(args.records)
    aggregator = results["aggregator"]
    print(
        f"\naggregator: {aggregator['records']} records in {aggregator['seconds']} s = "
        f"{aggregator['records_per_s']} records/s (in-process moto)"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"trends_bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
