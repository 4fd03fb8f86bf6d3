"""Data access for the at-risk rule, versioned in the registry table like the support-level
thresholds.

Keys: ``CONFIG#at_risk`` / ``CURRENT`` holds the rule in force with who set it, when and
why; ``CONFIG#at_risk`` / ``VERSION#<n>`` keeps every version ever used.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from functions.shared.aws import refused_by_condition, transact_write
from functions.shared.clock import utc_now
from functions.shared.dynamo import from_item, item_key, to_item
from functions.shared.errors import ConcurrentUpdate
from functions.shared.risk import DEFAULT_AT_RISK_RULE, AtRiskRule, AtRiskRuleRecord

AT_RISK_RULE_PARTITION = "CONFIG#at_risk"
CURRENT_SORT = "CURRENT"


def read_at_risk_rule(dynamodb: Any, table: str) -> AtRiskRuleRecord:
    """The rule in force with who set it; seeds the default when there is none yet."""
    response = dynamodb.get_item(
        TableName=table, Key=item_key(AT_RISK_RULE_PARTITION, CURRENT_SORT), ConsistentRead=True
    )
    item = response.get("Item")
    if item is None:
        return _seed(dynamodb, table)
    data = from_item(item)
    return AtRiskRuleRecord(
        rule=AtRiskRule.model_validate({name: data[name] for name in AtRiskRule.model_fields}),
        updated_at=data["updated_at"],
        updated_by=data["updated_by"],
        reason=data["reason"],
    )


def replace_at_risk_rule(dynamodb: Any, table: str, record: AtRiskRuleRecord) -> None:
    """Makes `record` the rule in force and keeps it as its own version, in one transaction,
    if the version in force is still the one before it. Raises ConcurrentUpdate when
    another change got there first."""
    current, version = _puts(table, record)
    current["ConditionExpression"] = "version = :previous"
    current["ExpressionAttributeValues"] = {":previous": {"N": str(record.rule.version - 1)}}
    try:
        transact_write(dynamodb, [{"Put": current}, {"Put": version}])
    except ClientError as error:
        if not refused_by_condition(error):
            raise
        raise ConcurrentUpdate(
            "the at-risk rule changed since it was read; read it and try again"
        ) from None


def _seed(dynamodb: Any, table: str) -> AtRiskRuleRecord:
    record = AtRiskRuleRecord(
        rule=DEFAULT_AT_RISK_RULE, updated_at=utc_now(), updated_by="system", reason="default"
    )
    current, version = _puts(table, record)
    current["ConditionExpression"] = "attribute_not_exists(pk)"
    try:
        transact_write(dynamodb, [{"Put": current}, {"Put": version}])
    except ClientError as error:
        if not refused_by_condition(error):
            raise
        return read_at_risk_rule(dynamodb, table)
    return record


def _puts(table: str, record: AtRiskRuleRecord) -> tuple[dict[str, Any], dict[str, Any]]:
    """The CURRENT item and the VERSION#<n> item of `record`; a version is written once."""
    values = record.rule.model_dump() | {
        "updated_at": record.updated_at.isoformat(timespec="seconds"),
        "updated_by": record.updated_by,
        "reason": record.reason,
    }
    version_sort = f"VERSION#{record.rule.version:06d}"
    current = {
        "TableName": table,
        "Item": to_item(values | {"pk": AT_RISK_RULE_PARTITION, "sk": CURRENT_SORT}),
    }
    version = {
        "TableName": table,
        "Item": to_item(values | {"pk": AT_RISK_RULE_PARTITION, "sk": version_sort}),
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    return current, version
