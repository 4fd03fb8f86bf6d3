"""The local stack as a subprocess (`carescore local`), and a small HTTP client for it that
signs in as the stack's demo users or its machine client."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.process import StackDidNotStart, StackProcess
from infra.state import LocalState, client_token, read_state, user_token

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
ECHO_ENV = {"CARESCORE_TEMPLATE": str(FIXTURES / "template.yaml"), "CARESCORE_INSTALL_MODEL": "0"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class LocalStack(StackProcess):
    """A running `carescore local` process, with tokens of its demo users and machine client
    and an HTTP client for its gateway."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self._tokens: dict[tuple[str, ...], str] = {}
        try:
            super().__init__(env)
        except StackDidNotStart as error:
            pytest.fail(str(error))

    @property
    def state(self) -> LocalState:
        """The sign-in details the stack wrote (demo users, machine client, endpoints)."""
        return read_state(self.state_file)

    def token(self, role: str) -> str:
        """An access token of the demo user with `role` (customer, customer-2, agent...)."""
        if ("user", role) not in self._tokens:
            self._tokens[("user", role)] = user_token(self.state, role)
        return self._tokens[("user", role)]

    def machine_token(self, *scopes: str) -> str:
        """A client-credentials token of the machine client (all its scopes if none given)."""
        key = ("client", *scopes)
        if key not in self._tokens:
            self._tokens[key] = client_token(self.state, list(scopes) or None)
        return self._tokens[key]

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        *,
        token: str | None = None,
        timeout: float = 30,
    ) -> Reply:
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        auth = {"authorization": f"Bearer {token}"} if token else {}
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"content-type": "application/json"} | auth | (headers or {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Reply(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers.items()), error.read())


def _start(env: dict[str, str]) -> Iterator[LocalStack]:
    stack = LocalStack(env)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def start_stack() -> Iterator[Callable[[dict[str, str]], LocalStack]]:
    """Starts stacks a test controls itself (to stop them with a signal); stops leftovers."""
    started: list[LocalStack] = []

    def start(env: dict[str, str]) -> LocalStack:
        started.append(LocalStack(env))
        return started[-1]

    yield start
    for stack in started:
        stack.stop()


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    """The product's own stack, from template.yaml, with the default model active."""
    yield from _start(_product_env())


def _product_env() -> dict[str, str]:
    if not (ROOT / "template.yaml").is_file():
        pytest.skip("template.yaml is not in the repository yet")
    # The default model without its training data: a supervisor's dataset from reviews is
    # then refused (409) however the tests before have reviewed tasks, rather than training
    # on the airline data inside the stack every e2e test shares.
    return {"CARESCORE_SEED": "0", "CARESCORE_DEFAULT_TRAINING_DATA": "0"}


@pytest.fixture(scope="session")
def local_env() -> dict[str, str]:
    return _product_env()


@pytest.fixture(scope="session")
def echo_env() -> dict[str, str]:
    return dict(ECHO_ENV)


@pytest.fixture(scope="session")
def echo_stack() -> Iterator[LocalStack]:
    """The local stack built from a small stand-in template with an echoing handler, to check
    the gateway and provisioning plumbing independently of the product's API."""
    yield from _start(ECHO_ENV)
