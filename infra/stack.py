"""The embedded AWS: moto's server on loopback, provisioned from the template's resources."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.intrinsics import Known, substitute
from infra.template import ACCOUNT_ID, REGION, STACK_NAME, LocalPlan, replace_played

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class StackError(RuntimeError):
    """The emulator could not create the stack."""


def supported_types() -> frozenset[str]:
    """The resource types moto's CloudFormation can create."""
    from moto.cloudformation.parsing import get_model_map

    return frozenset(get_model_map())


def aws_environment(endpoint: str) -> dict[str, str]:
    """Variables that point every boto3 client of this process at the emulator."""
    return FAKE_CREDENTIALS | {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCOUNT_ID": ACCOUNT_ID,
        # No shared config or credential files may redirect or sign for a real account.
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


class Emulator:
    """moto's server, in this process, on a free loopback port."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        from infra import emulated_dynamodb

        emulated_dynamodb.install()
        # werkzeug would log every emulated AWS call on the console.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""

    def start(self) -> str:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self.endpoint

    def stop(self) -> None:
        self._server.stop()


@dataclass(frozen=True)
class Stack:
    """The created stack: physical ids by logical id, and resolved function environments."""

    physical_ids: dict[str, str]
    resource_types: dict[str, str]
    environments: dict[str, dict[str, str]]
    resolved: dict[str, str] = field(default_factory=dict)  # the `values` asked for


def emulator_client(service: str, endpoint: str, region: str = REGION) -> Any:
    """A boto3 client for `service` in the embedded AWS at `endpoint`."""
    import boto3

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def _with_environment_outputs(
    plan: LocalPlan, known: Known, values: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[tuple[str, str], str], dict[str, dict[str, str]]]:
    """Adds one stack output per non-literal environment value (and per entry of `values`,
    under the function name ""), so the emulator's own CloudFormation resolves Ref,
    Fn::GetAtt and Fn::Sub exactly as it provisioned them. References to resources created
    outside it (`known`: Cognito) are put in first."""
    template = substitute(plan.emulated, known)  # a new structure: the plan stays as it was
    outputs: dict[str, Any] = {}
    by_output: dict[tuple[str, str], str] = {}
    literal: dict[str, dict[str, str]] = {}
    wanted = [(f.logical_id, f.environment) for f in plan.functions.values()] + [("", values)]
    for owner, declared_values in wanted:
        literal[owner] = {}
        for name, declared in declared_values.items():
            value = substitute(declared, known)
            if isinstance(value, str | int | float | bool):
                literal[owner][name] = str(value)
                continue
            output = f"Env{len(outputs)}"
            outputs[output] = {"Value": replace_played(value, plan.played)}
            by_output[(owner, name)] = output
    if outputs:
        template["Outputs"] = outputs
    return template, by_output, literal


def create_stack(
    endpoint: str,
    plan: LocalPlan,
    known: Known | None = None,
    values: Mapping[str, Any] | None = None,
) -> Stack:
    """Creates the plan's resources in the emulator and resolves each function's environment,
    and `values` (name -> a value that may hold intrinsics: the event sources' queues and
    streams) into `Stack.resolved`.

    `known` holds the references to resources already created another way (Cognito).
    Raises StackError when the emulator rejects the stack.
    """
    template, by_output, environments = _with_environment_outputs(
        plan, known or Known(), values or {}
    )
    client = emulator_client("cloudformation", endpoint)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            client.create_stack(
                StackName=STACK_NAME,
                TemplateBody=json.dumps(template),
                Parameters=[
                    {"ParameterKey": name, "ParameterValue": value}
                    for name, value in plan.overrides.items()
                ],
            )
        except Exception as error:  # botocore's ClientError and moto's own failures alike
            raise StackError(f"the emulator could not create the stack: {error}") from error
    description = client.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    if description["StackStatus"] != "CREATE_COMPLETE":
        reason = description.get("StackStatusReason", "")
        raise StackError(f"stack {description['StackStatus']}: {reason}")
    outputs = {item["OutputKey"]: item["OutputValue"] for item in description.get("Outputs", [])}
    for (function, name), output in by_output.items():
        if output not in outputs:
            raise StackError(f"{function or 'event source'}: {name} did not resolve")
        environments[function][name] = outputs[output]
    summaries = client.list_stack_resources(StackName=STACK_NAME)["StackResourceSummaries"]
    resolved = environments.pop("")
    return Stack(
        physical_ids={s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries},
        resource_types={s["LogicalResourceId"]: s["ResourceType"] for s in summaries},
        environments=environments,
        resolved=resolved,
    )
