"""The `carescore` command line: train, evaluate and predict with carescore models; run the
local stack and print its tokens."""

from __future__ import annotations

import argparse
import csv
import ipaddress
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from functions.scoring.model import InvalidText, ModelLoadError, SentimentModel, check_text
from infra.csv_input import (
    CsvInputError,
    count_rows,
    read_header,
    read_records,
    written_atomically,
)
from model_build import DEFAULT_MODEL_DIR
from model_build.dataset import ColumnMapping, DatasetError

PREDICT_CHUNK = 1000
REPORT_FILE = "validation_report.json"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done, self._drawn = total, label, 0, 0.0
        self._tty = sys.stderr.isatty()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._drawn < 0.1 and self.done < self.total:
            return
        self._drawn = now
        width = 30
        filled = width * self.done // max(self.total, 1)
        line = f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
        print(("\r" if self._tty else "") + line, end="" if self._tty else "\n", file=sys.stderr)
        if self.done >= self.total and self._tty:
            print(file=sys.stderr)


def _load_model(path: Path | None) -> SentimentModel:
    return SentimentModel.load(path or DEFAULT_MODEL_DIR)


def _mapping(args: argparse.Namespace) -> ColumnMapping:
    return ColumnMapping(text=args.text_column, label=args.label_column)


def _train(args: argparse.Namespace) -> int:
    from model_build.dataset import prepare
    from model_build.train import ParityError, TrainParams, build_model

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    _say(f"reading {args.data}" + (f" and {args.test}" if args.test else ""))
    try:
        data = prepare(
            args.data, args.test, mapping=_mapping(args), test_size=args.test_size, seed=args.seed
        )
    except DatasetError as error:
        if error.report is not None:
            _write_report(out, error.report.to_dict())
        _say(f"error: {error}")
        return 2
    _write_report(out, data.report.to_dict())
    counts = data.train.class_counts()
    _say(f"training on {len(data.train.texts)} rows {counts}, testing on {len(data.test.texts)}")
    try:
        card = build_model(data, out, TrainParams(seed=args.seed), _say)
    except ParityError as error:
        _say(f"error: {error}; no model written")
        return 3
    print(json.dumps({"version": card["version"], "metrics": card["metrics"]}, indent=2))
    return 0


def _write_report(out: Path, report: dict[str, object]) -> None:
    with written_atomically(out / REPORT_FILE) as target:
        target.write(json.dumps(report, indent=2) + "\n")
    _say(f"validation report: {out / REPORT_FILE}")


def _evaluate(args: argparse.Namespace) -> int:
    from model_build.dataset import FileReport, read_labelled_csv
    from model_build.train import evaluate_probabilities

    model = _load_model(args.model)
    read_header(args.data, [args.text_column, args.label_column])
    data = read_labelled_csv(args.data, _mapping(args), FileReport(path=str(args.data)))
    probabilities = model.probabilities(data.texts)
    metrics = evaluate_probabilities(probabilities, data.labels)
    print(json.dumps({"model_version": model.version, "metrics": metrics}, indent=2))
    return 0


def _chunks(rows: Iterator[dict[str, str]], size: int) -> Iterator[list[dict[str, str]]]:
    chunk: list[dict[str, str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _predict(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    columns = read_header(args.input, [args.text_column])
    total = count_rows(args.input)
    added = ["label", *(f"p_{label}" for label in model.labels), "confidence"]
    progress = _Progress(total, "scoring")
    with written_atomically(args.output) as target:
        writer = csv.DictWriter(target, fieldnames=columns + added)
        writer.writeheader()
        for rows in _chunks(read_records(args.input), PREDICT_CHUNK):
            _predict_rows(model, rows, args.text_column, writer)
            progress.advance(len(rows))
    _say(f"wrote {args.output}")
    return 0


def _scorable(text: str) -> bool:
    try:
        check_text(text)
    except InvalidText:
        return False
    return True


def _predict_rows(
    model: SentimentModel, rows: list[dict[str, str]], column: str, writer: csv.DictWriter[str]
) -> None:
    """Scores the rows that can be scored; rows with blank or over-long text get no label."""
    scorable = [row for row in rows if _scorable(row[column] or "")]
    for row, prediction in zip(scorable, model.score([r[column] for r in scorable]), strict=True):
        row["label"] = prediction.label
        row |= {f"p_{label}": f"{p:.6f}" for label, p in prediction.probabilities.items()}
        row["confidence"] = f"{prediction.confidence:.6f}"
    writer.writerows(rows)


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (127.0.0.0/8, ::1 or localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _local(args: argparse.Namespace) -> int:
    from infra.local import serve

    if not is_loopback(args.host) and not args.expose_on_network:
        _say(
            f"error: --host {args.host} would let anyone who can reach this machine use the "
            "local stack: its demo sign-ins, its data and its token endpoint. Add "
            "--expose-on-network if that is what you want."
        )
        return 2
    return int(serve(host=args.host, port=args.port))


def _token(args: argparse.Namespace) -> int:
    from infra.state import NoLocalStack, TokenError, client_token, read_state, user_token

    try:
        state = read_state()
        if args.client:
            print(client_token(state, args.scope or None))
        else:
            print(user_token(state, args.role, kind="id" if args.id_token else "access"))
    except (NoLocalStack, TokenError) as error:
        _say(f"error: {error}")
        return 2
    return 0


def _local_aggregator_environment() -> dict[str, str]:
    """The running local stack's emulator and the names the aggregator and its failure
    queue got there, as the variables a redrive reads."""
    from infra.stack import aws_environment, emulator_client
    from infra.state import read_state
    from infra.template import STACK_NAME

    state = read_state()
    cloudformation = emulator_client("cloudformation", state.moto_endpoint, state.region)
    summaries = cloudformation.list_stack_resources(StackName=STACK_NAME)
    ids = {
        summary["LogicalResourceId"]: summary["PhysicalResourceId"]
        for summary in summaries["StackResourceSummaries"]
    }
    return aws_environment(state.moto_endpoint) | {
        "AGGREGATES_TABLE": ids["AggregatesTable"],
        "REGISTRY_TABLE": ids["RegistryTable"],
        "EVENT_BUS_NAME": ids["EventBus"],
        "AGGREGATOR_FAILURES_QUEUE_URL": ids["AggregatorFailuresQueue"],
    }


def _redrive(args: argparse.Namespace) -> int:
    import os

    import boto3

    from functions.aggregator.app import apply_record
    from functions.aggregator.redrive import redrive
    from infra.state import NoLocalStack

    if args.local:
        try:
            os.environ.update(_local_aggregator_environment())
        except NoLocalStack as error:
            _say(f"error: {error}")
            return 2
    queue_url = args.queue_url or os.environ.get("AGGREGATOR_FAILURES_QUEUE_URL")
    if not queue_url:
        _say("error: give --queue-url (the stack's AggregatorFailuresQueueUrl) or --local")
        return 2

    def report(record: dict[str, object], error: Exception) -> None:
        _say(f"record {record.get('eventID')} failed again: {type(error).__name__}")

    result = redrive(
        boto3.client("sqs"), boto3.client("dynamodbstreams"), queue_url, apply_record, report
    )
    print(json.dumps(vars(result)))
    return 1 if result.failed else 0


def _publish_portal(args: argparse.Namespace) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from infra.publish import PublishError, publish

    try:
        session = boto3.Session(region_name=args.region, profile_name=args.profile)
        published = publish(
            session, args.stack, args.dist, prune=args.prune, dry_run=args.dry_run, say=_say
        )
    except (PublishError, BotoCoreError, ClientError) as error:
        _say(f"error: {error}")
        return 2
    if args.dry_run:
        for upload in published.uploads:
            _say(f"would upload {upload.key} ({upload.content_type}; {upload.cache_control})")
        for key in published.removed:
            _say(f"would remove {key}")
        _say(f"would invalidate {', '.join(published.invalidation)}")
    _say("config.json: " + json.dumps(published.config))
    print(published.portal_url)
    return 0


def _install_model(args: argparse.Namespace) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from infra.publish import PublishError, install_model

    try:
        session = boto3.Session(region_name=args.region, profile_name=args.profile)
        version = install_model(session, args.stack, args.model or DEFAULT_MODEL_DIR)
    except (PublishError, BotoCoreError, ClientError) as error:
        _say(f"error: {error}")
        return 2
    _say(f"active model of {args.stack}: {version}")
    print(version)
    return 0


def _deployed_stack_commands(commands: Any) -> None:
    """The commands that act on a stack deployed with `sam deploy`."""

    def stack(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--stack", required=True, help="the stack's name (sam deploy)")
        sub.add_argument("--region", help="the stack's region; default: the AWS CLI's")
        sub.add_argument("--profile", help="an AWS CLI profile; default: the environment's")

    publish = commands.add_parser(
        "publish-portal",
        help="upload the built portal to a deployed stack and write its config.json",
    )
    stack(publish)
    publish.add_argument(
        "--dist", type=Path, default=Path("web/dist"), help="the built portal (make portal)"
    )
    publish.add_argument("--prune", action="store_true", help="also delete files of earlier builds")
    publish.add_argument(
        "--dry-run", action="store_true", help="read the stack and the build; change nothing"
    )
    publish.set_defaults(run=_publish_portal)

    install = commands.add_parser(
        "install-model", help="make a model the active version of a deployed stack"
    )
    stack(install)
    install.add_argument("--model", type=Path, help="model directory; default: the default model")
    install.set_defaults(run=_install_model)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carescore", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def columns(sub: argparse.ArgumentParser, label: bool) -> None:
        sub.add_argument("--text-column", default="text", help="column holding the text")
        if label:
            sub.add_argument("--label-column", default="label", help="column holding the label")

    train = commands.add_parser("train", help="train, evaluate and export a model")
    train.add_argument("--data", type=Path, required=True, help="training CSV (UTF-8)")
    train.add_argument("--test", type=Path, help="separate test CSV; default: a split")
    train.add_argument("--test-size", type=float, default=0.2, help="test share of a split")
    train.add_argument("--seed", type=int, default=42)
    train.add_argument("--out", type=Path, required=True, help="model directory to write")
    columns(train, label=True)
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("evaluate", help="print a model's metrics on labelled data")
    evaluate.add_argument("--model", type=Path, help="model directory; default: the default model")
    evaluate.add_argument("--data", type=Path, required=True)
    columns(evaluate, label=True)
    evaluate.set_defaults(run=_evaluate)

    predict = commands.add_parser("predict", help="add predictions to the rows of a CSV")
    predict.add_argument("--model", type=Path, help="model directory; default: the default model")
    predict.add_argument("--input", type=Path, required=True)
    predict.add_argument("--output", type=Path, required=True)
    columns(predict, label=False)
    predict.set_defaults(run=_predict)

    local = commands.add_parser("local", help="start the whole product on this machine")
    local.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    local.add_argument(
        "--expose-on-network",
        action="store_true",
        help="allow a --host other than loopback: the demo sign-ins, data and token "
        "endpoint become reachable from the network",
    )
    local.add_argument("--port", type=int, default=8080)
    local.set_defaults(run=_local)

    token = commands.add_parser("token", help="print a bearer token from the running local stack")
    who = token.add_mutually_exclusive_group(required=True)
    who.add_argument("--role", help="sign in as this role's demo user (customer, agent, ...)")
    who.add_argument("--client", action="store_true", help="as the machine client")
    token.add_argument("--scope", action="append", help="with --client: a scope to ask for")
    token.add_argument("--id-token", action="store_true", help="with --role: the ID token")
    token.set_defaults(run=_token)

    redrive = commands.add_parser(
        "redrive",
        help="apply again the stream batches the aggregator gave up on (each record counts once)",
        description="Reads each batch on the aggregator's on-failure queue back from the tasks "
        "stream (within its 24 hours) and applies its records; a batch leaves the queue once "
        "all its records went through. Against AWS, set AGGREGATES_TABLE, REGISTRY_TABLE and "
        "EVENT_BUS_NAME as for the function.",
    )
    target = redrive.add_mutually_exclusive_group(required=True)
    target.add_argument("--queue-url", help="the stack's AggregatorFailuresQueueUrl output")
    target.add_argument("--local", action="store_true", help="the running local stack")
    redrive.set_defaults(run=_redrive)

    _deployed_stack_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (CsvInputError, DatasetError, ModelLoadError, OSError) as error:
        _say(f"error: {error}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
