"""DynamoDB in the embedded AWS at the cost of what a request touches, not of the table.

moto makes two common requests cost time in proportion to everything a table holds: with the
demo history in, each task created and each stream record aggregated took a third of a
second and more, and slower with every row.
- A transaction deep-copies every table it names before it writes (its rollback), and a copy
  taken while another request writes to the same table fails ("dictionary changed size
  during iteration"). `transact_write_items` here checks every condition before it writes
  anything, as DynamoDB does, backs up only the items it writes, and runs one transaction at
  a time; reads and single-item writes stay concurrent.
- A query on a table's own key sorts every item of the table, then keeps one partition's.
  Here it reads that partition only. Queries on an index are left as moto makes them.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any

_ONE_AT_A_TIME = threading.Lock()
MAX_ITEMS = 100
NO_ERROR: tuple[None, None, None] = (None, None, None)


@dataclass
class _Write:
    kind: str  # ConditionCheck, Put, Delete or Update
    op: dict[str, Any]
    table: Any  # moto's Table
    key: dict[str, Any]


def install() -> None:
    """Puts `transact_write_items` and `query_partition` in moto's place (idempotent)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    global _MOTO_QUERY  # noqa: PLW0603
    if _MOTO_QUERY is None:
        _MOTO_QUERY = Table.query
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign,assignment]
    Table.query = query_partition  # type: ignore[method-assign,assignment]


_MOTO_QUERY: Any = None


def query_partition(table: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    """moto's Table.query, given only the queried partition when it reads the table's key.
    moto's backend passes the index name seventh after the hash key."""
    index_name = kwargs["index_name"] if "index_name" in kwargs else args[6:7] and args[6]
    on_table_key = not index_name and hash_key is not None
    view = _Partition(table, hash_key) if on_table_key else table
    return _MOTO_QUERY(view, hash_key, *args, **kwargs)


class _Partition:
    """A table as moto's query sees it, whose items are one partition's."""

    def __init__(self, table: Any, hash_key: Any) -> None:
        self._table = table
        self._hash_key = hash_key

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)

    def all_items(self) -> list[Any]:
        partition = self._table.items.get(self._hash_key)
        if partition is None:
            return []
        return list(partition.values()) if self._table.range_key_attr else [partition]


def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import (
        TooManyTransactionsException,
        TransactionCanceledException,
    )

    if len(transact_items) > MAX_ITEMS:
        raise TooManyTransactionsException()
    with _ONE_AT_A_TIME:
        writes = _parse(backend, transact_items)
        errors = [_reason(backend, write) for write in writes]
        if any(error != NO_ERROR for error in errors):
            raise TransactionCanceledException(errors)
        _apply(backend, writes)


def _parse(backend: Any, transact_items: list[dict[str, Any]]) -> list[_Write]:
    """Each operation with its table and key; raises moto's errors for a malformed request."""
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TransactWriteSingleOpException,
    )

    writes: list[_Write] = []
    seen: set[tuple[str, str]] = set()
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        kind, op = next(iter(item.items()))
        if kind not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        table = backend.get_table(op["TableName"])
        if kind == "Put":
            names = [table.hash_key_attr, table.range_key_attr]
            key = {name: op["Item"][name] for name in names if name is not None}
        else:
            key = op["Key"]
        identity = (op["TableName"], str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        writes.append(_Write(kind, op, table, key))
    return writes


def _reason(backend: Any, write: _Write) -> tuple[Any, Any, Any]:
    """The write's entry in CancellationReasons: NO_ERROR when its condition holds."""
    from moto.dynamodb.exceptions import MockValidationException

    try:
        return _check(backend, write)
    except MockValidationException:
        raise
    except Exception as error:
        return (type(error).__name__, str(error), None)


def _check(backend: Any, write: _Write) -> tuple[Any, Any, Any]:
    from moto.dynamodb.comparisons import get_filter_expression

    expression = write.op.get("ConditionExpression")
    if expression is None:
        return NO_ERROR
    current = backend.get_item(write.op["TableName"], write.key)
    condition = get_filter_expression(
        expression,
        write.op.get("ExpressionAttributeNames"),
        write.op.get("ExpressionAttributeValues"),
    )
    if condition.expr(current):
        return NO_ERROR
    wants_old = write.op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
    old = current.to_json()["Attributes"] if wants_old and current else None
    return ("ConditionalCheckFailed", "The conditional request failed", old)


def _apply(backend: Any, writes: list[_Write]) -> None:
    """Writes every operation; if one fails (an update that does not fit its item), puts the
    items and their stream records back as they were and cancels the transaction."""
    from moto.dynamodb.exceptions import MockValidationException, TransactionCanceledException

    backups = [_Backup.of(backend, write) for write in writes if write.kind != "ConditionCheck"]
    errors: list[tuple[Any, Any, Any]] = []
    try:
        for write in writes:
            _write(backend, write)
            errors.append(NO_ERROR)
    except MockValidationException:
        _restore(backups)
        raise
    except Exception as error:
        _restore(backups)
        errors.append((type(error).__name__, str(error), None))
        errors += [NO_ERROR] * (len(writes) - len(errors))
        raise TransactionCanceledException(errors) from error


def _write(backend: Any, write: _Write) -> None:
    op = write.op
    expressions = {
        "condition_expression": op.get("ConditionExpression"),
        "expression_attribute_names": op.get("ExpressionAttributeNames"),
        "expression_attribute_values": op.get("ExpressionAttributeValues"),
    }
    if write.kind == "Put":
        backend.put_item(op["TableName"], op["Item"], **expressions)
    elif write.kind == "Delete":
        backend.delete_item(op["TableName"], write.key, **expressions)
    elif write.kind == "Update":
        backend.update_item(
            op["TableName"], write.key, update_expression=op["UpdateExpression"], **expressions
        )


@dataclass
class _Backup:
    table: Any
    hash_value: Any
    range_value: Any
    item: Any  # moto's Item as it was, or None when there was none
    stream_length: int | None

    @classmethod
    def of(cls, backend: Any, write: _Write) -> _Backup:
        from moto.dynamodb.models.dynamo_type import DynamoType

        table = write.table
        hash_value = DynamoType(write.key[table.hash_key_attr])
        range_attr = table.range_key_attr
        range_value = DynamoType(write.key[range_attr]) if range_attr else None
        item = backend.get_item(write.op["TableName"], write.key)
        shard = table.stream_shard
        return cls(
            table,
            hash_value,
            range_value,
            copy.deepcopy(item),
            None if shard is None else len(shard.items),
        )

    def restore(self) -> None:
        items = self.table.items
        if self.range_value is None:
            if self.item is None:
                items.pop(self.hash_value, None)
            else:
                items[self.hash_value] = self.item
        elif self.item is None:
            items.get(self.hash_value, {}).pop(self.range_value, None)
        else:
            items[self.hash_value][self.range_value] = self.item
        shard = self.table.stream_shard
        if shard is not None and self.stream_length is not None:
            del shard.items[self.stream_length :]


def _restore(backups: list[_Backup]) -> None:
    for backup in reversed(backups):
        backup.restore()
