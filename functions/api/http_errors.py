"""The one place where errors become HTTP responses, all in the shape of ErrorResponse."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from functions.api.schemas import ErrorDetail, ErrorResponse, GatewayError
from functions.scoring.model import InvalidText
from functions.shared import errors
from functions.shared.aws import is_unavailable

logger = Logger(child=True)
# What a 503 asks the caller to wait before retrying.
RETRY_AFTER_SECONDS = 2

STATUS: dict[type[Exception], HTTPStatus] = {
    errors.Unauthenticated: HTTPStatus.UNAUTHORIZED,
    errors.Forbidden: HTTPStatus.FORBIDDEN,
    errors.TaskNotFound: HTTPStatus.NOT_FOUND,
    errors.FollowUpNotFound: HTTPStatus.NOT_FOUND,
    errors.TaskExists: HTTPStatus.CONFLICT,
    errors.InvalidTransition: HTTPStatus.CONFLICT,
    errors.ConcurrentUpdate: HTTPStatus.PRECONDITION_FAILED,
    errors.PreconditionRequired: HTTPStatus.PRECONDITION_REQUIRED,
    errors.ActiveModelChanged: HTTPStatus.CONFLICT,
    errors.RequestInProgress: HTTPStatus.CONFLICT,
    errors.IdempotencyKeyReused: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.InvalidCursor: HTTPStatus.BAD_REQUEST,
    errors.InvalidTimeRange: HTTPStatus.BAD_REQUEST,
    errors.PayloadTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    errors.MalformedBody: HTTPStatus.BAD_REQUEST,
    errors.UnsupportedMediaType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    errors.DatasetNotFound: HTTPStatus.NOT_FOUND,
    errors.TrainingRunNotFound: HTTPStatus.NOT_FOUND,
    errors.ModelVersionNotFound: HTTPStatus.NOT_FOUND,
    errors.NotComparable: HTTPStatus.CONFLICT,
    errors.PointerUnchanged: HTTPStatus.CONFLICT,
    errors.NoReviewsYet: HTTPStatus.CONFLICT,
    errors.TrainingDataUnavailable: HTTPStatus.CONFLICT,
    errors.ModelUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
    errors.StoreUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
    errors.ServiceUnhealthy: HTTPStatus.SERVICE_UNAVAILABLE,
}


def error_response(
    status: HTTPStatus, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response[str]:
    """The one error body; a 503 also says when to come back (`Retry-After`)."""
    body = ErrorResponse(error=ErrorDetail(code=code, message=message, details=details))
    headers = (
        {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if status == HTTPStatus.SERVICE_UNAVAILABLE
        else None
    )
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(exclude_none=True),
        headers=headers,
    )


def status_of(error: errors.DomainError) -> HTTPStatus:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return HTTPStatus.INTERNAL_SERVER_ERROR


def handle_domain_error(error: errors.DomainError) -> Response[str]:
    status = status_of(error)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        logger.warning("request failed", extra={"error_code": error.code, "status": status})
    else:
        logger.info("request refused", extra={"error_code": error.code, "status": status})
    return error_response(status, error.code, error.message, error.details)


def handle_invalid_text(error: InvalidText) -> Response[str]:
    logger.info("request refused", extra={"error_code": error.code, "status": 422})
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, error.code, str(error))


def handle_validation_error(error: RequestValidationError) -> Response[str]:
    """Malformed JSON is a 400; a body or parameter that breaks the schema is a 422. The
    details name the field and the rule, never the value sent."""
    problems = error.errors()
    if any(problem.get("type") == "json_invalid" for problem in problems):
        logger.info("request refused", extra={"error_code": "malformed_json"})
        return error_response(
            HTTPStatus.BAD_REQUEST, "malformed_json", "the request body is not valid JSON"
        )
    details = [
        {
            "location": [str(part) for part in problem.get("loc", ())],
            "type": problem.get("type", "invalid"),
            "message": _safe_message(problem),
        }
        for problem in problems
    ]
    logger.info(
        "request refused",
        extra={"error_code": "validation_error", "fields": [d["location"] for d in details]},
    )
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "validation_error",
        "the request does not match the API schema",
        details,
    )


def handle_unsupported_media_type(_: RequestUnsupportedContentType) -> Response[str]:
    logger.info("request refused", extra={"error_code": "unsupported_media_type"})
    return error_response(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as application/json",
    )


def _safe_message(problem: dict[str, Any]) -> str:
    # pydantic messages describe the rule ("String should have at most 64 characters") and
    # do not echo the input; a model validator's message is ours.
    message = str(problem.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def handle_not_found(_: Exception | None = None) -> Response[str]:
    return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such route")


def handle_aws_error(error: Exception) -> Response[str]:
    """An AWS call that still failed after its bounded retries: a 503 when the service was
    busy or unreachable, otherwise the unexpected error it is."""
    if is_unavailable(error):
        return handle_domain_error(
            errors.StoreUnavailable("the service is busy right now; retry in a moment")
        )
    return handle_unexpected(error)


def handle_unexpected(error: Exception) -> Response[str]:
    logger.exception("unexpected error", extra={"error_type": type(error).__name__})
    return error_response(
        HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side"
    )


ERROR_DESCRIPTIONS = {
    400: "Malformed JSON, a body that is not UTF-8 or nests too deep, a cursor this caller "
    "was not given for this filter, or a backwards time range",
    401: "No valid access token. Refused by API Gateway's JWT authorizer in its own shape "
    '(`{"message": "Unauthorized"}`); a token it passes that is not an access token, in '
    "the error body",
    403: "The caller's role or scopes do not allow this",
    404: "Not found",
    409: "Conflict: invalid status transition, concurrent update, request in progress, or a "
    "model change that no longer applies",
    412: "If-Match names a revision that is no longer current",
    413: "Request body too large: over 3 MiB in the error body; over API Gateway's 10 MB in "
    'its own shape (`{"message": "Request Entity Too Large"}`)',
    415: "The body is not application/json (UTF-8)",
    422: "The request breaks the schema, a text cannot be scored, or an Idempotency-Key was "
    "used with another body",
    428: "If-Match is required: send the ETag from the last read",
    500: "Internal error",
    503: "No model is active, or the store is busy or unreachable; retry after `Retry-After` "
    "seconds",
}
# Statuses API Gateway may answer itself, in its own shape, as well as the function.
GATEWAY_STATUSES = frozenset({401, 413})


def documented(
    status: int, model: type[BaseModel], description: str, *errors: int
) -> dict[int, OpenAPIResponse]:
    """The `responses=` of a route: its success and each error status it can return (500
    is possible on every route), in the ErrorResponse shape, or either that or
    GatewayError where API Gateway may refuse first."""
    documented_errors = {
        code: {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {
                "application/json": {
                    "model": ErrorResponse | GatewayError
                    if code in GATEWAY_STATUSES
                    else ErrorResponse
                }
            },
        }
        for code in sorted({*errors, 500})
    }
    success = {"description": description, "content": {"application/json": {"model": model}}}
    return cast(dict[int, OpenAPIResponse], {status: success} | documented_errors)
