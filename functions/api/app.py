"""The API function: one APIGatewayHttpResolver with a Router per resource under /v1.

SAM Handler: ``functions.api.app.lambda_handler``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from functions.api import http_errors
from functions.api.auth import SECURITY_SCHEME
from functions.api.idempotency import register_context
from functions.api.request_body import MAX_JSON_DEPTH, check_body
from functions.api.routes import (
    config,
    datasets,
    models,
    reviews,
    risk,
    sentiment,
    system,
    tasks,
    training_runs,
    trends,
)
from functions.api.schemas import MAX_BODY_BYTES
from functions.scoring.model import InvalidText
from functions.shared.errors import DomainError

API_TITLE = "carescore API"
API_VERSION = "1.0.0"
API_DESCRIPTION = (
    "Sentiment, support levels and tasks for customer-service requests. Every error has "
    'the body `{"error": {"code", "message"}}`. Limits: 1 to 100 texts per scoring call, '
    f"5,000 characters per text, request bodies up to {MAX_BODY_BYTES} bytes. Every route "
    "but health and these docs needs a Cognito access token as `Authorization: Bearer "
    "<token>`: people sign in through the portal (groups customer, agent, supervisor); "
    "internal systems use the client-credentials flow with `carescore/*` scopes. Each "
    "operation's `x-carescore-access` lists the roles and scopes it allows. A missing or "
    "invalid token is a 401, a role or scope that does not allow the call a 403. API "
    "Gateway answers some requests itself, before this API runs, in its own body "
    '`{"message": "..."}`: a missing or invalid token (`{"message": "Unauthorized"}`, 401), '
    'a path or method with no route (`{"message": "Not Found"}`, 404), a body over 10 MB '
    "(413). Request bodies must be UTF-8 JSON (`application/json`, else 415) nested at most "
    f"{MAX_JSON_DEPTH} levels deep (else 400). A 503 carries `Retry-After`."
)
SECURITY_SCHEMES = {
    SECURITY_SCHEME: HTTPBearer(
        bearerFormat="JWT",
        description=(
            "A Cognito access token: a signed-in user's (roles from `cognito:groups`) or a "
            "client-credentials token (scopes `carescore/score`, `carescore/tasks.read`, "
            "`carescore/tasks.write`, `carescore/trends.read`)."
        ),
    )
}

METRICS_NAMESPACE = "carescore"

logger = Logger()
# Named here, not only by environment, so metrics flush wherever the module was imported.
metrics = Metrics(namespace=METRICS_NAMESPACE)
tracer = Tracer()


POWERTOOLS_422 = {"$ref": "#/components/schemas/HTTPValidationError"}


class CarescoreResolver(APIGatewayHttpResolver):
    """Documents only the error responses a route declares, all in our error shape.

    powertools would otherwise stamp its own ResponseValidationError schema on every 500
    and its HTTPValidationError 422 on every route, including routes with nothing to
    validate; neither is the body our exception handlers return.
    """

    def _add_resolver_response_validation_error_response_to_route(
        self, route_openapi_path: tuple[dict[str, Any], dict[str, Any]]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        path, definitions = route_openapi_path
        for operation in path.values():
            responses = operation["responses"]
            default = responses.get(422, {}).get("content", {}).get("application/json", {})
            if default.get("schema") == POWERTOOLS_422:
                del responses[422]
        return path, definitions


app = CarescoreResolver(enable_validation=True, response_validation_error_http_code=500)
app.include_router(sentiment.router, prefix="/v1")
app.include_router(tasks.router, prefix="/v1")
app.include_router(system.router, prefix="/v1")
app.include_router(datasets.router, prefix="/v1")
app.include_router(reviews.router, prefix="/v1")
app.include_router(config.router, prefix="/v1")
app.include_router(training_runs.router, prefix="/v1")
app.include_router(models.router, prefix="/v1")
app.include_router(trends.router, prefix="/v1")
app.include_router(risk.router, prefix="/v1")
app.configure_openapi(
    title=API_TITLE,
    version=API_VERSION,
    description=API_DESCRIPTION,
    security_schemes=SECURITY_SCHEMES,  # type: ignore[arg-type]
)
# The docs page and `functions.api.openapi` take title, version and schemes from here.
app.enable_swagger(path="/v1/docs")


# Every error leaves through http_errors, in one body shape.
app.exception_handler(DomainError)(http_errors.handle_domain_error)
app.exception_handler(InvalidText)(http_errors.handle_invalid_text)
app.exception_handler(RequestValidationError)(http_errors.handle_validation_error)
app.exception_handler(RequestUnsupportedContentType)(http_errors.handle_unsupported_media_type)
app.exception_handler([BotoCoreError, ClientError])(http_errors.handle_aws_error)
app.exception_handler(Exception)(http_errors.handle_unexpected)
app.not_found(http_errors.handle_not_found)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        check_body(event)
    except DomainError as error:
        # Refused before parsing: such a body is never read into a model.
        refused = http_errors.handle_domain_error(error)
        return {
            "statusCode": refused.status_code,
            "headers": {"Content-Type": "application/json"},
            "body": refused.body,
            "isBase64Encoded": False,
        }
    if hasattr(context, "get_remaining_time_in_millis"):
        register_context(context)
    return app.resolve(event, context)
