"""Support-level thresholds as versioned config: read, change (each change a new version
with who, when and why) and preview what a change would do to past decisions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from functions.api.logic.concurrency import check_expected_revision
from functions.api.logic.ports import DecisionHistory, ThresholdsRepository
from functions.api.logic.tasks import check_time_range
from functions.shared.clock import utc_now
from functions.shared.errors import ConcurrentUpdate
from functions.shared.models import (
    LevelSnapshot,
    SupportLevel,
    Thresholds,
    ThresholdsRecord,
    ThresholdValues,
)
from functions.shared.support import support_level

PREVIEW_EXAMPLES = 5


def change_support_levels(
    proposed: ThresholdValues,
    *,
    reason: str,
    changed_by: str,
    expected_version: int | None,
    repository: ThresholdsRepository,
    now: Callable[[], datetime] = utc_now,
) -> tuple[ThresholdsRecord, bool]:
    """Makes the `proposed` thresholds the next version, recorded with who, when and why, if the
    version in force is still `expected_version`. Thresholds equal to those in force are
    no change: nothing is written, whatever the expected version. Returns the record in
    force and whether a new version was written.

    Raises PreconditionRequired (no expected version) and ConcurrentUpdate (another
    version is in force).
    """
    current = repository.current()
    in_force = current.thresholds
    unchanged = in_force.model_dump(exclude={"version"}) == proposed.model_dump()
    if expected_version is None or not unchanged:
        check_expected_revision(in_force.version, expected_version, "support-level config")
    if unchanged:
        return current, False
    record = ThresholdsRecord(
        thresholds=Thresholds(version=in_force.version + 1, **proposed.model_dump()),
        updated_at=now(),
        updated_by=changed_by,
        reason=reason,
    )
    try:
        repository.replace(record)
    except ConcurrentUpdate:
        latest = repository.current()
        if latest.thresholds.model_dump(exclude={"version"}) == proposed.model_dump():
            return latest, False
        raise
    return record, True


@dataclass(frozen=True)
class LevelChange:
    task_id: str
    category: str
    created_at: datetime
    negative: float
    current: SupportLevel
    proposed: SupportLevel


@dataclass(frozen=True)
class LevelPreview:
    """What proposed thresholds would do to the tasks of a period."""

    examined: int
    complete: bool
    changed: int
    changed_by_category: dict[str, int]
    examined_by_category: dict[str, int]
    examples: list[LevelChange] = field(default_factory=list)


def count_level_changes(
    snapshots: list[LevelSnapshot], proposed: ThresholdValues, complete: bool
) -> LevelPreview:
    """How many of `snapshots` would get another support level under `proposed`, in total
    and per category, with the first few as examples (newest first)."""
    changes = [
        LevelChange(
            task_id=snapshot.task_id,
            category=snapshot.category,
            created_at=snapshot.created_at,
            negative=snapshot.probabilities.negative,
            current=snapshot.support_level,
            proposed=level,
        )
        for snapshot in snapshots
        if (level := support_level(snapshot.probabilities, proposed)) != snapshot.support_level
    ]
    return LevelPreview(
        examined=len(snapshots),
        complete=complete,
        changed=len(changes),
        changed_by_category=dict(sorted(Counter(c.category for c in changes).items())),
        examined_by_category=dict(sorted(Counter(s.category for s in snapshots).items())),
        examples=changes[:PREVIEW_EXAMPLES],
    )


def preview_support_levels(
    proposed: ThresholdValues,
    created_from: datetime,
    created_to: datetime,
    limit: int,
    history: DecisionHistory,
) -> LevelPreview:
    """Recounts the stored decisions of a period (at most `limit`, newest first) under
    `proposed` thresholds. Raises InvalidTimeRange when the period ends before it starts."""
    check_time_range(created_from, created_to)
    snapshots, complete = history.level_snapshots(created_from, created_to, limit)
    return count_level_changes(snapshots, proposed, complete)
