"""Domain errors. They carry a machine-readable code and a message safe to show a caller,
but no HTTP meaning: `functions.api.http_errors` maps them to status codes in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the API reports on purpose."""

    code = "error"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class TaskNotFound(DomainError):
    code = "task_not_found"


class TaskExists(DomainError):
    """A task with this id is stored already."""

    code = "task_exists"


class FollowUpNotFound(DomainError):
    code = "follow_up_not_found"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class ConcurrentUpdate(DomainError):
    """The record changed since the caller read it (its revision or version moved on)."""

    code = "concurrent_update"


class PreconditionRequired(DomainError):
    """A change that could overwrite someone else's came without the revision it expects."""

    code = "precondition_required"


class InvalidCursor(DomainError):
    code = "invalid_cursor"


class InvalidTimeRange(DomainError):
    code = "invalid_time_range"


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"


class RequestInProgress(DomainError):
    code = "request_in_progress"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class MalformedBody(DomainError):
    """A request body that is not UTF-8 JSON of reasonable depth."""

    code = "malformed_body"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"


class ModelUnavailable(DomainError):
    code = "model_unavailable"


class StoreUnavailable(DomainError):
    code = "store_unavailable"


class ServiceUnhealthy(DomainError):
    code = "unhealthy"


class Unauthenticated(DomainError):
    """No verified identity came with the request."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    code = "forbidden"


class ActiveModelChanged(ConcurrentUpdate):
    """The active-model pointer moved between reading it and moving it."""

    code = "active_model_changed"


class ModelVersionNotFound(DomainError):
    code = "model_not_found"


class DatasetNotFound(DomainError):
    code = "dataset_not_found"


class TrainingRunNotFound(DomainError):
    code = "training_run_not_found"


class NotComparable(DomainError):
    """Two model versions that were never evaluated on the same test data."""

    code = "not_comparable"


class PointerUnchanged(DomainError):
    """A promotion of the version that is active already, or a rollback with nowhere to go."""

    code = "nothing_to_change"


class NoReviewsYet(DomainError):
    code = "no_reviews"


class TrainingDataUnavailable(DomainError):
    """A dataset from reviews needs the active model's training data, which is not stored
    (or no model is active)."""

    code = "training_data_unavailable"
