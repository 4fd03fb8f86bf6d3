"""CloudFormation intrinsic functions, evaluated locally for resources the local stack creates
itself (Cognito through its API, the HTTP API's authorizer and CORS settings).

Values come from three places: parameters (defaults and pseudo parameters), the physical
ids of resources already created (`Ref`), and their attributes (`Fn::GetAtt`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NO_VALUE = "AWS::NoValue"
SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


class UnresolvedReference(LookupError):
    """A Ref, GetAtt or Sub variable names something not (yet) known."""


@dataclass
class Known:
    """What references resolve to: parameters and created resources by logical id."""

    refs: dict[str, Any] = field(default_factory=dict)
    attributes: dict[tuple[str, str], Any] = field(default_factory=dict)
    conditions: dict[str, bool] = field(default_factory=dict)

    def ref(self, name: str) -> Any:
        if name not in self.refs:
            raise UnresolvedReference(name)
        return self.refs[name]

    def attribute(self, logical: str, name: str) -> Any:
        if (logical, name) not in self.attributes:
            raise UnresolvedReference(f"{logical}.{name}")
        return self.attributes[(logical, name)]


class _Dropped:
    """Fn::If's AWS::NoValue: the enclosing key or list item disappears."""


DROPPED = _Dropped()


def _sub(value: Any, known: Known) -> str:
    text, variables = (value[0], value[1]) if isinstance(value, list) else (value, {})

    def swap(found: re.Match[str]) -> str:
        name = found.group(1)
        if name in variables:
            return str(resolve(variables[name], known))
        logical, _, attribute = name.partition(".")
        return str(known.attribute(logical, attribute) if attribute else known.ref(name))

    return SUB_VARIABLE.sub(swap, str(text)).replace("${!", "${")


def condition(value: Any, known: Known) -> bool:
    """Evaluates a condition body (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)."""
    if isinstance(value, dict) and len(value) == 1:
        name, inner = next(iter(value.items()))
        if name == "Fn::Equals":
            return bool(resolve(inner[0], known) == resolve(inner[1], known))
        if name == "Fn::Not":
            return not condition(inner[0], known)
        if name == "Fn::And":
            return all(condition(item, known) for item in inner)
        if name == "Fn::Or":
            return any(condition(item, known) for item in inner)
        if name == "Condition":
            return known.conditions[str(inner)]
    raise UnresolvedReference(f"condition {value!r}")


def evaluate_conditions(template: Mapping[str, Any], known: Known) -> dict[str, bool]:
    """Every condition of `template`, in dependency order (a condition may name another)."""
    pending = dict(template.get("Conditions") or {})
    while pending:
        progressed = False
        for name, body in list(pending.items()):
            try:
                known.conditions[name] = condition(body, known)
            except (KeyError, UnresolvedReference):
                continue
            del pending[name]
            progressed = True
        if not progressed:
            raise UnresolvedReference(f"conditions {sorted(pending)}")
    return known.conditions


def resolve(value: Any, known: Known) -> Any:  # noqa: PLR0911  # one return per intrinsic
    """`value` with every intrinsic evaluated. Raises UnresolvedReference for a name that
    `known` does not hold."""
    if isinstance(value, dict):
        if len(value) == 1:
            name, inner = next(iter(value.items()))
            if name == "Ref":
                return DROPPED if inner == NO_VALUE else known.ref(str(inner))
            if name == "Fn::GetAtt":
                logical, attribute = inner.split(".", 1) if isinstance(inner, str) else inner
                return known.attribute(str(logical), str(attribute))
            if name == "Fn::Sub":
                return _sub(inner, known)
            if name == "Fn::Join":
                return str(inner[0]).join(str(resolve(item, known)) for item in inner[1])
            if name == "Fn::If":
                chosen = inner[1] if known.conditions[str(inner[0])] else inner[2]
                return resolve(chosen, known)
            if name == "Fn::Select":
                return resolve(inner[1], known)[int(resolve(inner[0], known))]
            if name == "Fn::Split":
                return str(resolve(inner[1], known)).split(str(inner[0]))
        resolved = {key: resolve(inner, known) for key, inner in value.items()}
        return {key: inner for key, inner in resolved.items() if inner is not DROPPED}
    if isinstance(value, list):
        items = [resolve(item, known) for item in value]
        return [item for item in items if item is not DROPPED]
    return value


def substitute(value: Any, known: Known) -> Any:
    """Replaces only the references `known` can answer (Ref, Fn::GetAtt, and variables
    inside Fn::Sub), leaving everything else for CloudFormation to resolve."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in known.refs:
            return known.refs[value["Ref"]]
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            logical, attribute = target.split(".", 1) if isinstance(target, str) else target
            if (logical, attribute) in known.attributes:
                return known.attributes[(logical, attribute)]
        if set(value) == {"Fn::Sub"}:
            inner = value["Fn::Sub"]
            text, variables = (inner[0], inner[1]) if isinstance(inner, list) else (inner, {})

            def swap(found: re.Match[str]) -> str:
                name = found.group(1)
                logical, _, attribute = name.partition(".")
                if name in variables:
                    return found.group(0)
                if attribute and (logical, attribute) in known.attributes:
                    return str(known.attributes[(logical, attribute)])
                if not attribute and name in known.refs and "::" not in name:
                    return str(known.refs[name])
                return found.group(0)

            text = SUB_VARIABLE.sub(swap, str(text))
            variables = {key: substitute(inner, known) for key, inner in variables.items()}
            return {"Fn::Sub": [text, variables] if variables else text}
        return {key: substitute(inner, known) for key, inner in value.items()}
    if isinstance(value, list):
        return [substitute(item, known) for item in value]
    return value
