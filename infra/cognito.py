"""Cognito in the embedded AWS, created from the template's own `AWS::Cognito::*` resources.

moto's CloudFormation creates no user pool clients, groups, resource servers or domains, so
each resource is created through the cognito-idp API instead, with the resource's template
Properties as the call's parameters (only those the API takes; CloudFormation-only names
are mapped). References between them (`!Ref UserPool`, `!Sub "${ResourceServer}/score"`)
resolve to what was created, and the results resolve references elsewhere in the template
(function environments, the HTTP API's JWT authorizer).

Also: a fresh signing key for the pool in place of the one bundled with moto; demo users,
one per group, with fresh random passwords; and a signer that issues tokens with the
pool's key (the one behind the JWKS the emulator serves).
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.intrinsics import Known, UnresolvedReference, evaluate_conditions, resolve
from infra.stack import emulator_client
from infra.state import UserLogin
from infra.template import ACCOUNT_ID, REGION

ISSUER_PREFIX = f"https://cognito-idp.{REGION}.amazonaws.com/"
CLIENT_CREDENTIALS_TTL_SECONDS = 3600

# Creation order (clients name resource-server scopes and identity providers) and, per
# type, the API call plus template property names that differ from the API's.
OPERATIONS: dict[str, tuple[str, dict[str, str]]] = {
    "AWS::Cognito::UserPool": ("create_user_pool", {"UserPoolName": "PoolName"}),
    "AWS::Cognito::UserPoolResourceServer": ("create_resource_server", {}),
    "AWS::Cognito::UserPoolIdentityProvider": ("create_identity_provider", {}),
    "AWS::Cognito::UserPoolClient": ("create_user_pool_client", {}),
    "AWS::Cognito::UserPoolGroup": ("create_group", {}),
    "AWS::Cognito::UserPoolDomain": ("create_user_pool_domain", {}),
}
# Names the API requires that a template may leave to CloudFormation to generate.
GENERATED_NAMES = {
    "AWS::Cognito::UserPool": "PoolName",
    "AWS::Cognito::UserPoolClient": "ClientName",
    "AWS::Cognito::UserPoolGroup": "GroupName",
}


class CognitoError(RuntimeError):
    """A Cognito resource of the template could not be created in the emulator."""


@dataclass(frozen=True)
class AppClient:
    logical_id: str
    client_id: str
    name: str
    secret: str | None
    flows: tuple[str, ...]
    scopes: tuple[str, ...]


@dataclass
class CognitoStack:
    """What was created: references by logical id, the pool and its app clients."""

    known: Known = field(default_factory=Known)
    pool_id: str = ""
    pool_logical_id: str = ""
    clients: dict[str, AppClient] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    domain: str | None = None
    skipped: list[str] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return ISSUER_PREFIX + self.pool_id

    def client_by_id(self, client_id: str) -> AppClient | None:
        return next((c for c in self.clients.values() if c.client_id == client_id), None)

    def clients_scopes(self, client_id: str) -> tuple[str, ...]:
        """The OAuth scopes app client `client_id` may be granted (none if unknown)."""
        client = self.client_by_id(client_id)
        return client.scopes if client else ()


def cognito_client(endpoint: str) -> Any:
    return emulator_client("cognito-idp", endpoint)


def _api_parameters(
    client: Any, operation: str, renames: Mapping[str, str], properties: Mapping[str, Any]
) -> dict[str, Any]:
    """The properties the API call accepts, renamed where CloudFormation differs."""
    model = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[operation])
    members = model.input_shape.members
    renamed = {renames.get(name, name): value for name, value in properties.items()}
    return {name: value for name, value in renamed.items() if name in members}


def _record(stack: CognitoStack, logical: str, kind: str, created: Mapping[str, Any]) -> None:
    known = stack.known
    if kind == "AWS::Cognito::UserPool":
        pool = created["UserPool"]
        stack.pool_id, stack.pool_logical_id = pool["Id"], logical
        known.refs[logical] = pool["Id"]
        known.attributes |= {
            (logical, "Arn"): pool["Arn"],
            (logical, "UserPoolId"): pool["Id"],
            (logical, "ProviderName"): f"cognito-idp.{REGION}.amazonaws.com/{pool['Id']}",
            (logical, "ProviderURL"): ISSUER_PREFIX + pool["Id"],
        }
    elif kind == "AWS::Cognito::UserPoolClient":
        app = created["UserPoolClient"]
        known.refs[logical] = app["ClientId"]
        known.attributes |= {
            (logical, "ClientId"): app["ClientId"],
            (logical, "Name"): app["ClientName"],
            (logical, "ClientSecret"): app.get("ClientSecret", ""),
        }
        stack.clients[logical] = AppClient(
            logical_id=logical,
            client_id=app["ClientId"],
            name=app["ClientName"],
            secret=app.get("ClientSecret"),
            flows=tuple(app.get("AllowedOAuthFlows") or ()),
            scopes=tuple(app.get("AllowedOAuthScopes") or ()),
        )
    elif kind == "AWS::Cognito::UserPoolGroup":
        known.refs[logical] = created["Group"]["GroupName"]
        stack.groups.append(created["Group"]["GroupName"])
    elif kind == "AWS::Cognito::UserPoolResourceServer":
        known.refs[logical] = created["ResourceServer"]["Identifier"]
    elif kind == "AWS::Cognito::UserPoolIdentityProvider":
        known.refs[logical] = created["IdentityProvider"]["ProviderName"]
    elif kind == "AWS::Cognito::UserPoolDomain":
        stack.domain = str(created["_domain"])
        known.refs[logical] = stack.domain
        known.attributes[(logical, "CloudFrontDistribution")] = created.get(
            "CloudFrontDomain", f"{stack.domain}.auth.{REGION}.amazoncognito.com"
        )


def provision(
    endpoint: str, template: Mapping[str, Any], parameters: Mapping[str, Any]
) -> CognitoStack:
    """Creates the template's Cognito resources in the emulator at `endpoint`.

    `template` is the transformed (CloudFormation) template; `parameters` the parameter
    values and pseudo parameters. Resources whose Condition is false are skipped, as
    CloudFormation would. Raises CognitoError when a resource cannot be created.
    """
    client = cognito_client(endpoint)
    stack = CognitoStack()
    stack.known.refs.update(parameters)
    evaluate_conditions(template, stack.known)
    resources: Mapping[str, Any] = template.get("Resources", {})
    for kind, (operation, renames) in OPERATIONS.items():
        for logical, resource in resources.items():
            if resource.get("Type") != kind:
                continue
            if "Condition" in resource and not stack.known.conditions[resource["Condition"]]:
                stack.skipped.append(logical)
                continue
            try:
                properties = resolve(resource.get("Properties") or {}, stack.known)
            except UnresolvedReference as error:
                raise CognitoError(f"{logical}: cannot resolve {error}") from error
            generated = GENERATED_NAMES.get(kind)
            parameters_ = _api_parameters(client, operation, renames, properties)
            if generated and generated not in parameters_:
                parameters_[generated] = f"carescore-local-{logical}"
            try:
                created = getattr(client, operation)(**parameters_)
            except Exception as error:  # botocore validation and moto errors alike
                raise CognitoError(f"{logical} ({kind}): {error}") from error
            if kind == "AWS::Cognito::UserPoolDomain":
                created = dict(created) | {"_domain": parameters_["Domain"]}
            _record(stack, logical, kind, created)
    for logical, resource in resources.items():
        if str(resource.get("Type", "")).startswith("AWS::Cognito::") and (
            resource["Type"] not in OPERATIONS
        ):
            stack.skipped.append(logical)
    return stack


def _password() -> str:
    # Meets any Cognito password policy: upper, lower, digit and symbol, 20+ characters.
    return secrets.token_urlsafe(15) + "aA1!"


def seed_users(endpoint: str, stack: CognitoStack) -> list[UserLogin]:
    """One confirmed demo user per group (two for `customer`, so ownership can be shown),
    each with a fresh random password. Returns them in creation order."""
    client = cognito_client(endpoint)
    pool = client.describe_user_pool(UserPoolId=stack.pool_id)["UserPool"]
    by_email = "email" in (pool.get("UsernameAttributes") or [])
    wanted = [(group, f"demo-{group}") for group in stack.groups]
    if "customer" in stack.groups:
        wanted.append(("customer", "demo-customer-2"))
    users = []
    for group, name in wanted:
        email = f"{name}@example.com"
        username = email if by_email else name
        password = _password()
        created = client.admin_create_user(
            UserPoolId=stack.pool_id,
            Username=username,
            TemporaryPassword=_password(),
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
            ],
        )["User"]
        client.admin_set_user_password(
            UserPoolId=stack.pool_id, Username=username, Password=password, Permanent=True
        )
        client.admin_add_user_to_group(UserPoolId=stack.pool_id, Username=username, GroupName=group)
        sub = next(a["Value"] for a in created["Attributes"] if a["Name"] == "sub")
        users.append(
            UserLogin(
                role=group if name == f"demo-{group}" else f"{group}-2",
                username=username,
                password=password,
                sub=sub,
            )
        )
    return users


# The key id moto writes into the header of every token it signs.
MOTO_KID = "dummy"


def replace_signing_key(pool_id: str) -> None:
    """Gives user pool `pool_id` a fresh RSA key, made now and never stored, in place of the
    private key that ships inside the moto package (anyone with pip has that one and could
    sign tokens for any role). moto runs in this process: the pool signs its InitiateAuth
    tokens with the new key, and the JWKS it serves, hence the gateway's authorizer,
    holds only the new public key."""
    from joserfc.jwk import RSAKey
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.cognitoidp.responses import CognitoIdpJsonWebKeyResponse

    key = RSAKey.generate_key(2048, parameters={"kid": MOTO_KID, "alg": "RS256", "use": "sig"})
    cognitoidp_backends[ACCOUNT_ID][REGION].user_pools[pool_id].json_web_key = key
    public = {"keys": [key.as_dict(private=False)]}
    CognitoIdpJsonWebKeyResponse.json_web_key = json.dumps(public).encode()


def pool_signer(pool_id: str) -> Callable[[dict[str, Any]], str]:
    """Signs claims with the key user pool `pool_id` signs its own tokens with (moto runs
    in this process), so they verify against the JWKS it serves."""
    from joserfc import jwt
    from moto.cognitoidp.models import cognitoidp_backends

    pool = cognitoidp_backends[ACCOUNT_ID][REGION].user_pools[pool_id]

    def sign(claims: dict[str, Any]) -> str:
        return str(jwt.encode({"kid": MOTO_KID, "alg": "RS256"}, claims, pool.json_web_key))

    return sign


def client_credentials_claims(
    issuer: str, client_id: str, scopes: list[str], now: float | None = None
) -> dict[str, Any]:
    """The claims of a Cognito client-credentials access token."""
    issued = int(now if now is not None else time.time())
    return {
        "sub": client_id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": issued,
        "iss": issuer,
        "exp": issued + CLIENT_CREDENTIALS_TTL_SECONDS,
        "iat": issued,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "client_id": client_id,
    }
