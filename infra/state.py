"""The running local stack's sign-in details, in a file only its owner can read, and
tokens made from them (for `carescore token`, the e2e tests and the benchmark).

The file (`.carescore/local.json` in the repository, or $CARESCORE_STATE_FILE) holds the
gateway URL, the emulator endpoint, the user pool and app client ids, the demo users with
their passwords and the machine client's secret: all of them local and made up at start.
It is written when the stack is ready and removed when it stops cleanly.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_FILE = ROOT / ".carescore" / "local.json"


class NoLocalStack(RuntimeError):
    """No running local stack to get a token from."""


class TokenError(RuntimeError):
    """The stack refused to issue a token."""


@dataclass(frozen=True)
class UserLogin:
    role: str  # the group it belongs to (`customer-2`: a second customer)
    username: str
    password: str
    sub: str


@dataclass(frozen=True)
class LocalState:
    pid: int
    gateway_url: str
    moto_endpoint: str
    region: str
    user_pool_id: str
    issuer: str
    portal_client_id: str | None
    machine_client_id: str | None
    machine_client_secret: str | None
    token_url: str
    users: list[UserLogin] = field(default_factory=list)

    def user(self, role: str) -> UserLogin:
        for user in self.users:
            if user.role == role:
                return user
        known = ", ".join(user.role for user in self.users)
        raise NoLocalStack(f"no demo user for role {role!r} (there are: {known})")


def state_path() -> Path:
    configured = os.environ.get("CARESCORE_STATE_FILE")
    return Path(configured) if configured else DEFAULT_STATE_FILE


def write_state(state: LocalState, path: Path | None = None) -> Path:
    """Writes the file with mode 0600 (created that way, never readable by others)."""
    path = path or state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as target:
        json.dump(asdict(state), target, indent=2)
    os.chmod(temporary, 0o600)
    temporary.replace(path)
    return path


def remove_state(pid: int, path: Path | None = None) -> None:
    """Removes the file if it still belongs to process `pid`."""
    path = path or state_path()
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_state(path: Path | None = None) -> LocalState:
    """The running stack's state. Raises NoLocalStack when there is none (no file, or its
    process is gone)."""
    path = path or state_path()
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NoLocalStack(
            f"no local stack is running ({path} not found): start one with `make run`"
        ) from None
    except (OSError, ValueError) as error:
        raise NoLocalStack(f"cannot read {path}: {error}") from error
    if not _alive(int(raw.get("pid", 0))):
        raise NoLocalStack(f"the local stack that wrote {path} is no longer running")
    raw["users"] = [UserLogin(**user) for user in raw.get("users", [])]
    return LocalState(**raw)


def user_token(
    state: LocalState, role: str, client_id: str | None = None, kind: str = "access"
) -> str:
    """Signs in demo user `role` with USER_PASSWORD_AUTH against the emulated user pool
    through `client_id` (default: the portal client) and returns its access (or id) token."""
    from infra.stack import emulator_client

    user = state.user(role)
    client = emulator_client("cognito-idp", state.moto_endpoint, state.region)
    app_client = client_id or state.portal_client_id
    if app_client is None:
        raise NoLocalStack("the template has no portal app client")
    try:
        result = client.initiate_auth(
            ClientId=app_client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user.username, "PASSWORD": user.password},
        )
    except Exception as error:  # botocore's ClientError: wrong flow, unknown user...
        raise TokenError(f"sign-in as {role} failed: {error}") from error
    tokens = result["AuthenticationResult"]
    return str(tokens["IdToken"] if kind == "id" else tokens["AccessToken"])


def client_token(
    state: LocalState,
    scopes: list[str] | None = None,
    client_id: str | None = None,
    secret: str | None = None,
) -> str:
    """A client-credentials access token from the gateway's /oauth2/token (default: the
    template's machine client, all its scopes)."""
    client_id = client_id or state.machine_client_id
    secret = secret or state.machine_client_secret
    if not client_id or not secret:
        raise NoLocalStack("the template has no client-credentials app client")
    basic = base64.b64encode(
        f"{urllib.parse.quote(client_id)}:{urllib.parse.quote(secret)}".encode()
    ).decode()
    form = {"grant_type": "client_credentials"} | ({"scope": " ".join(scopes)} if scopes else {})
    request = urllib.request.Request(
        state.token_url,
        data=urllib.parse.urlencode(form).encode(),
        headers={
            "authorization": f"Basic {basic}",
            "content-type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return str(json.loads(response.read())["access_token"])
    except urllib.error.HTTPError as error:
        detail = error.read()[:200].decode(errors="replace")
        raise TokenError(f"token endpoint answered {error.code}: {detail}") from error
    except OSError as error:
        raise NoLocalStack(f"cannot reach {state.token_url}: {error}") from error
