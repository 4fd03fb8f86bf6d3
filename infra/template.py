"""Reads `template.yaml` and derives everything the local stack needs from it.

The SAM template is the single source of truth (DESIGN decision 7). This module transforms
it offline with aws-sam-translator and splits the result in two:

- the resources moto's CloudFormation provisions well (tables, buckets, queues, ...), as a
  CloudFormation template of their own;
- the parts the local stack plays itself: functions (handler, code path, environment) and
  the HTTP API routes that reach them.

Lambda functions, API Gateway and IAM are played by the local stack rather than by moto:
moto's ApiGatewayV2 support is missing from CloudFormation, and moto Lambda functions with
stream event-source mappings make it start Docker on every write.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from infra.intrinsics import SUB_VARIABLE

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
PLACEHOLDER_BUCKET = "carescore-local-code"
STACK_NAME = "carescore-local"

# Resource type prefixes the local stack emulates itself (never sent to moto's
# CloudFormation). Cognito resources are created through moto's cognito-idp API instead
# (infra/cognito.py): its CloudFormation has no user pool clients, groups or domains.
PLAYED_LOCALLY = (
    "AWS::Lambda::",
    "AWS::ApiGatewayV2::",
    "AWS::ApiGateway::",
    "AWS::IAM::",
    "AWS::Cognito::",
)
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
# Resource type prefixes the local stack deliberately provisions nowhere, with what stands
# in for them. The portal's CDN: moto has no CloudFront in its CloudFormation, and locally
# the gateway serves the built portal and its config.json on the API's own origin.
NOT_PROVISIONED_LOCALLY = {
    "AWS::CloudFront::": "the local gateway serves web/dist and /config.json itself",
}
# Parameters the local stack sets, as a deployment sets them with --parameter-overrides,
# when the template declares them with an empty default. PortalOrigin: empty means "the
# CloudFront distribution's domain", which does not exist locally.
LOCAL_PARAMETERS = {"PortalOrigin": "http://localhost:8080"}


class TemplateError(ValueError):
    """A template the local stack cannot run: unreadable, or failing the SAM transform."""


class _CfnLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    """A YAML loader that reads CloudFormation short-form intrinsics (`!Ref`, `!GetAtt`...)."""


def _intrinsic(loader: _CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = tag_suffix if tag_suffix in ("Ref", "Condition") else f"Fn::{tag_suffix}"
    value: Any
    if tag_suffix == "GetAtt" and isinstance(node, yaml.ScalarNode):
        value = str(loader.construct_scalar(node)).split(".", 1)
    elif isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    """Parses a SAM/CloudFormation YAML file, short-form intrinsics included."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)
    except (OSError, yaml.YAMLError) as error:
        raise TemplateError(f"cannot read {path}: {error}") from error
    if not isinstance(document, dict) or "Resources" not in document:
        raise TemplateError(f"{path} has no Resources")
    return document


def _with_s3_code_uris(sam: dict[str, Any]) -> dict[str, Any]:
    """The offline transform accepts only s3:// code locations and image URIs; local paths
    are swapped and a missing image URI is made up."""
    sam = copy.deepcopy(sam)
    functions = [
        (logical, resource)
        for logical, resource in sam.get("Resources", {}).items()
        if resource.get("Type") in ("AWS::Serverless::Function", "AWS::Serverless::LayerVersion")
    ]
    for logical, resource in functions:
        properties = resource.setdefault("Properties", {})
        if properties.get("PackageType") == "Image":
            # `sam build` sets the image from Metadata; the local stack runs no image.
            properties.setdefault(
                "ImageUri", f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/{logical.lower()}:local"
            )
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
                properties[key] = (
                    f"s3://{PLACEHOLDER_BUCKET}/{properties[key].strip('/') or 'root'}"
                )
    globals_function = sam.get("Globals", {}).get("Function", {})
    code_uri = globals_function.get("CodeUri")
    if isinstance(code_uri, str) and not code_uri.startswith("s3://"):
        globals_function["CodeUri"] = f"s3://{PLACEHOLDER_BUCKET}/{code_uri.strip('/') or 'root'}"
    return sam


def local_overrides(template: dict[str, Any]) -> dict[str, str]:
    """The LOCAL_PARAMETERS this template declares with an empty default (a default that
    names something, such as a test template's origin, is kept)."""
    declared = template.get("Parameters") or {}
    return {
        name: value
        for name, value in LOCAL_PARAMETERS.items()
        if isinstance(declared.get(name), dict) and not declared[name].get("Default")
    }


def parameter_defaults(template: dict[str, Any]) -> dict[str, Any]:
    """Each template parameter's default (or its local override), plus the pseudo
    parameters the transform needs."""
    values: dict[str, Any] = {
        name: spec["Default"]
        for name, spec in template.get("Parameters", {}).items()
        if isinstance(spec, dict) and "Default" in spec
    }
    values |= local_overrides(template)
    return values | {"AWS::Region": REGION, "AWS::Partition": "aws", "AWS::AccountId": ACCOUNT_ID}


def transform(sam: dict[str, Any]) -> dict[str, Any]:
    """Runs the SAM transform offline (region us-east-1, no managed-policy lookups) and
    returns the CloudFormation template. Raises TemplateError when SAM rejects it."""
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    translator = Translator({}, Parser(), boto_session=boto3.Session(region_name=REGION))
    try:
        result: dict[str, Any] = translator.translate(
            _with_s3_code_uris(sam),
            parameter_values=parameter_defaults(sam),
            get_managed_policy_map=dict,
        )
    except InvalidDocumentException as error:
        causes = "; ".join(str(cause) for cause in error.causes)
        raise TemplateError(f"SAM transform failed: {causes}") from error
    return result


@dataclass(frozen=True)
class Route:
    """One HTTP API route: `method` is upper case or ANY; `path` may hold {name} / {name+}."""

    method: str
    path: str
    function: str
    pattern: re.Pattern[str] = field(compare=False, repr=False)

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters when this route serves `method` `path`, else None."""
        if self.method not in ("ANY", method):
            return None
        found = self.pattern.fullmatch(path)
        return None if found is None else found.groupdict()

    @property
    def catch_all(self) -> bool:
        return self.path == "$default" or self.path.endswith("+}")

    @property
    def specificity(self) -> tuple[bool, int, int, bool]:
        """Sort key, most specific first, as API Gateway chooses among matching routes:
        literal segments over parameters, greedy parameters last, `$default` after all."""
        if self.path == "$default":
            return (True, 0, 0, True)
        segments = self.path.strip("/").split("/")
        greedy = sum(segment.endswith("+}") for segment in segments)
        literal = sum(not segment.startswith("{") for segment in segments)
        return (False, greedy, -literal, self.method == "ANY")


def _route_pattern(path: str) -> re.Pattern[str]:
    if path == "$default":
        return re.compile(r"(?P<__all>.*)")
    parts: list[str] = []
    for segment in path.strip("/").split("/"):
        parameter = re.fullmatch(r"\{([A-Za-z0-9_]+)(\+?)\}", segment)
        if parameter is None:
            parts.append(re.escape(segment))
        elif parameter.group(2):
            parts.append(f"(?P<{parameter.group(1)}>.+)")
        else:
            parts.append(f"(?P<{parameter.group(1)}>[^/]+)")
    return re.compile("/" + "/".join(parts))


def make_route(method: str, path: str, function: str) -> Route:
    method = method.upper()
    return Route(method, path, function, _route_pattern(path))


@dataclass(frozen=True)
class LocalFunction:
    """A function the local stack runs in worker processes of its own."""

    logical_id: str
    handler: str  # "package.module.attribute", as in the template
    code_uri: str | None
    environment: dict[str, Any]  # values may still hold intrinsics
    timeout: int
    memory: int
    reserved_concurrency: int | None = None
    image: bool = False  # PackageType Image: run from its handler module, not its image


@dataclass(frozen=True)
class LocalPlan:
    """What the local stack builds: moto's resources, the functions and their routes."""

    emulated: dict[str, Any]  # a CloudFormation template for moto
    played: dict[str, Any]  # logical id -> each resource the local stack plays itself
    functions: dict[str, LocalFunction]
    routes: tuple[Route, ...]
    template: dict[str, Any] = field(default_factory=dict)  # the whole transformed template
    sam: dict[str, Any] = field(default_factory=dict)  # the template as written (its Events)
    parameters: dict[str, Any] = field(default_factory=dict)  # defaults + pseudo parameters
    overrides: dict[str, str] = field(default_factory=dict)  # LOCAL_PARAMETERS it declares
    # logical id -> why nothing provisions it locally (deliberately, or no emulator model)
    not_provisioned: dict[str, str] = field(default_factory=dict)


def _placeholder(
    logical_id: str, resource: dict[str, Any], played: dict[str, Any], attribute: str | None
) -> Any:
    """A stand-in for a reference to a resource the local stack plays itself: its declared
    name (or logical id) for a Ref, an ARN-shaped string for an attribute."""
    service, kind = str(resource["Type"]).split("::")[1:3]
    if attribute in (None, "Name", "Id"):
        properties = resource.get("Properties") or {}
        name = properties.get(f"{kind}Name", properties.get("Name", logical_id))
        return replace_played(name, played)
    return f"arn:aws:{service.lower()}:{REGION}:{ACCOUNT_ID}:{kind.lower()}:{logical_id}"


def _replace_in_sub(value: Any, played: dict[str, Any]) -> Any:
    """Fn::Sub with `${Played}` or `${Played.Attr}` gets those as explicit variables."""
    text, variables = (value[0], dict(value[1])) if isinstance(value, list) else (value, {})
    if not isinstance(text, str):
        return value

    def swap(found: re.Match[str]) -> str:
        name = found.group(1)
        logical, _, attribute = name.partition(".")
        if name in variables or logical not in played:
            return found.group(0)
        variable = f"Local{len(variables)}"
        variables[variable] = _placeholder(logical, played[logical], played, attribute or None)
        return "${" + variable + "}"

    text = SUB_VARIABLE.sub(swap, text)
    variables = {key: replace_played(inner, played) for key, inner in variables.items()}
    return [text, variables] if variables else text


def replace_played(value: Any, played: dict[str, Any]) -> Any:
    """Replaces references to locally played resources (`played`: logical id -> resource)
    by placeholders moto accepts, in Ref, Fn::GetAtt and Fn::Sub alike."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in played:
            return _placeholder(value["Ref"], played[value["Ref"]], played, None)
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            logical, attribute = target.split(".", 1) if isinstance(target, str) else target
            if logical in played:
                return _placeholder(logical, played[logical], played, str(attribute))
        if set(value) == {"Fn::Sub"}:
            return {"Fn::Sub": _replace_in_sub(value["Fn::Sub"], played)}
        return {key: replace_played(inner, played) for key, inner in value.items()}
    if isinstance(value, list):
        return [replace_played(item, played) for item in value]
    return value


def _emulated_template(cfn: dict[str, Any], supported: frozenset[str]) -> dict[str, Any]:
    """The transformed template cut down to what moto provisions, references kept whole."""
    resources: dict[str, Any] = cfn["Resources"]
    kept = {
        logical: resource
        for logical, resource in resources.items()
        if resource["Type"] in supported
        and not resource["Type"].startswith(PLAYED_LOCALLY)
        and not resource["Type"].startswith(tuple(NOT_PROVISIONED_LOCALLY))
    }
    played = {logical: resource for logical, resource in resources.items() if logical not in kept}
    emulated_resources: dict[str, Any] = {}
    for logical, original in kept.items():
        resource = replace_played(copy.deepcopy(original), played)
        depends = resource.get("DependsOn")
        if depends is not None:
            names = [depends] if isinstance(depends, str) else depends
            names = [name for name in names if name in kept]
            if names:
                resource["DependsOn"] = names
            else:
                del resource["DependsOn"]
        emulated_resources[logical] = resource
    emulated = {
        key: value
        for key, value in cfn.items()
        if key in ("AWSTemplateFormatVersion", "Parameters", "Conditions", "Mappings")
    }
    emulated["Resources"] = emulated_resources
    return emulated


def _routes(sam: dict[str, Any]) -> tuple[Route, ...]:
    routes: list[Route] = []
    for logical, resource in sam["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in resource.get("Properties", {}).get("Events", {}).values():
            if event.get("Type") != "HttpApi":
                continue
            properties = event.get("Properties") or {}
            method = str(properties.get("Method", "ANY")).upper()
            if method in ("X-AMAZON-APIGATEWAY-ANY-METHOD", "*"):
                method = "ANY"
            routes.append(make_route(method, str(properties.get("Path", "$default")), logical))
    return tuple(sorted(routes, key=lambda route: route.specificity))


def _functions(sam: dict[str, Any], cfn: dict[str, Any]) -> dict[str, LocalFunction]:
    functions: dict[str, LocalFunction] = {}
    sam_globals = sam.get("Globals", {}).get("Function", {})
    for logical, resource in cfn["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        properties = resource.get("Properties", {})
        sam_resource = sam["Resources"].get(logical, {})
        image = properties.get("PackageType") == "Image"
        handler, code_uri = (
            _image_entry(logical, properties, sam_resource)
            if image
            else (
                str(properties["Handler"]),
                sam_resource.get("Properties", {}).get("CodeUri", sam_globals.get("CodeUri")),
            )
        )
        reserved = properties.get("ReservedConcurrentExecutions")
        functions[logical] = LocalFunction(
            logical_id=logical,
            handler=handler,
            code_uri=code_uri if isinstance(code_uri, str) else None,
            environment=dict(properties.get("Environment", {}).get("Variables", {})),
            timeout=int(properties.get("Timeout", 3)),
            memory=int(properties.get("MemorySize", 128)),
            reserved_concurrency=int(reserved) if reserved is not None else None,
            image=image,
        )
    return functions


def _image_entry(
    logical: str, properties: dict[str, Any], sam_resource: dict[str, Any]
) -> tuple[str, str | None]:
    """An image function's handler and code directory: the handler is the image's command
    (`ImageConfig.Command`, what the Lambda base image runs), the code is the Docker build
    context (`Metadata.DockerContext`). The image itself is built only for the cloud."""
    command = properties.get("ImageConfig", {}).get("Command") or []
    if not command or not isinstance(command[0], str):
        raise TemplateError(f"{logical}: an Image function needs ImageConfig.Command (its handler)")
    context = sam_resource.get("Metadata", {}).get("DockerContext")
    return command[0], context if isinstance(context, str) else None


def _not_provisioned(cfn: dict[str, Any], emulated: dict[str, Any]) -> dict[str, str]:
    """The resources neither the emulator creates nor the local stack plays, and why."""
    found: dict[str, str] = {}
    for logical, resource in cfn["Resources"].items():
        kind = str(resource["Type"])
        if logical in emulated["Resources"] or kind.startswith(PLAYED_LOCALLY):
            continue
        reason = next(
            (why for prefix, why in NOT_PROVISIONED_LOCALLY.items() if kind.startswith(prefix)),
            "the emulator's CloudFormation cannot create it",
        )
        found[logical] = f"{kind}: {reason}"
    return found


def plan(template_path: Path, supported: frozenset[str]) -> LocalPlan:
    """Reads and transforms `template_path` and splits it for the local stack.

    `supported` names the resource types the emulator can create (moto's CloudFormation
    model map). Raises TemplateError when the template cannot be read or transformed.
    """
    sam = load_template(template_path)
    cfn = transform(sam)
    emulated = _emulated_template(cfn, supported)
    return LocalPlan(
        emulated=emulated,
        played={
            logical: resource
            for logical, resource in cfn["Resources"].items()
            if logical not in emulated["Resources"]
        },
        functions=_functions(sam, cfn),
        routes=_routes(sam),
        template=cfn,
        sam=sam,
        parameters=parameter_defaults(sam) | {"AWS::StackName": STACK_NAME},
        overrides=local_overrides(sam),
        not_provisioned=_not_provisioned(cfn, emulated),
    )
