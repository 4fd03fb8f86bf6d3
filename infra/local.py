"""`carescore local`: the whole product on one machine, built from `template.yaml`.

Starts moto's server in process on loopback, provisions the template's tables, buckets and
queues in it through moto's CloudFormation, installs and activates the default model, runs
every function in workers of its own with its own environment (names resolved from the
created stack), plays every event source the template declares (infra/lambdas.py), and
serves the HTTP API (every request turned into the API Gateway payload-2.0 event for the
function the route names) and the portal. Stops cleanly on Ctrl-C or SIGTERM.

The terminal gets a few lines (infra/console.py); everything else goes to
`.carescore/local.log`.

Environment knobs: CARESCORE_TEMPLATE (another template file), CARESCORE_DATA (the
airline CSV to replay, and the default model's training data), CARESCORE_SEED=0 (no demo
tasks), CARESCORE_INSTALL_MODEL=0 (no default model), CARESCORE_DEFAULT_TRAINING_DATA=0 (the
default model without its training data), CARESCORE_ACCESS_LOG=1 (one line per request),
CARESCORE_VERBOSE=1 (every log line on the terminal too).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from infra import demo
from infra.auth import ApiSecurity, KeySource, api_security
from infra.cognito import (
    ISSUER_PREFIX,
    CognitoError,
    CognitoStack,
    pool_signer,
    provision,
    replace_signing_key,
    seed_users,
)
from infra.console import Console
from infra.gateway import SCHEDULES_PATH, TOKEN_PATH, Gateway
from infra.http_server import GatewayServer
from infra.intrinsics import Known, UnresolvedReference, evaluate_conditions
from infra.lambdas import RunningFunctions, start_functions, trigger_values
from infra.oauth import TokenEndpoint, emulator_lookup
from infra.stack import Emulator, StackError, aws_environment, create_stack, supported_types
from infra.state import LocalState, UserLogin, remove_state, state_path, write_state
from infra.template import REGION, LocalPlan, TemplateError, plan

ROOT = Path(__file__).resolve().parent.parent
PORTAL_DIR = ROOT / "web" / "dist"  # `make portal` builds it
READY_MARKER = "carescore local ready:"
TRAINING_DATA_CACHE = ROOT / ".carescore" / "training-data"
# The serving function's variables that name the model registry and bucket.
MODEL_VARIABLES = ("REGISTRY_TABLE", "MODELS_BUCKET")


def _install_default_model(
    environments: Mapping[str, Mapping[str, str]], served: list[str]
) -> str | None:
    """Uploads the default model to the models bucket an HTTP function reads and activates
    it in its registry (both named by that function's environment); None when no served
    function has a registry."""
    environment = next(
        (
            environments[name]
            for name in served
            if all(variable in environments.get(name, {}) for variable in MODEL_VARIABLES)
        ),
        None,
    )
    if environment is None:
        return None
    from functions.shared.aws import dynamodb_client, s3_client
    from functions.shared.registry import install_model
    from model_build import DEFAULT_MODEL_DIR

    return install_model(
        DEFAULT_MODEL_DIR,
        environment["REGISTRY_TABLE"],
        environment["MODELS_BUCKET"],
        dynamodb_client(),
        s3_client(),
        training_data=default_training_data(),
    )


def default_training_data() -> bytes | None:
    """The default model's training data (functions/shared/training_data.py), prepared again
    from the airline CSV when that is the very file its card fingerprints; None without it
    (then a dataset from reviews cannot start from the default model). Remembered under
    `.carescore/training-data/` per model version and file hash."""
    from model_build import DEFAULT_MODEL_DIR, shared_data_file

    source = shared_data_file()
    if source is None or os.environ.get("CARESCORE_DEFAULT_TRAINING_DATA") == "0":
        return None
    card = json.loads((DEFAULT_MODEL_DIR / "model_card.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    remembered = TRAINING_DATA_CACHE / f"{card['version']}-{digest[:16]}.csv"
    if remembered.is_file():
        return remembered.read_bytes()
    from model_build.lineage import rebuild_training_data

    body = rebuild_training_data(DEFAULT_MODEL_DIR, source)
    if body is not None:
        TRAINING_DATA_CACHE.mkdir(parents=True, exist_ok=True)
        staging = remembered.with_suffix(f".{os.getpid()}.tmp")
        staging.write_bytes(body)
        staging.replace(remembered)
    return body


@dataclass
class RunningStack:
    """The emulator, the provisioned stack, the running functions and the HTTP server."""

    emulator: Emulator
    plan: LocalPlan
    functions: RunningFunctions
    gateway: Gateway
    console: Console
    cognito: CognitoStack | None = None
    users: list[UserLogin] = field(default_factory=list)
    server: GatewayServer | None = None
    base_url: str = ""
    state_written: bool = False

    def machine_client(self) -> tuple[str, str] | None:
        """The client-credentials app client for internal systems: (id, secret)."""
        if self.cognito is None:
            return None
        for client in self.cognito.clients.values():
            if client.secret and "client_credentials" in client.flows:
                return client.client_id, client.secret
        return None

    def state(self) -> LocalState:
        cognito = self.cognito or CognitoStack()
        machine = self.machine_client()
        return LocalState(
            pid=os.getpid(),
            gateway_url=self.base_url,
            moto_endpoint=self.emulator.endpoint,
            region=REGION,
            user_pool_id=cognito.pool_id,
            issuer=cognito.issuer if cognito.pool_id else "",
            portal_client_id=portal_client(self.cognito),
            machine_client_id=machine[0] if machine else None,
            machine_client_secret=machine[1] if machine else None,
            token_url=self.base_url + TOKEN_PATH,
            users=list(self.users),
        )

    def serve_http(self, host: str, port: int) -> str:
        """Starts the HTTP server in a thread; returns its base URL."""
        self.server = GatewayServer((host, port), self.gateway)
        self.server.serve_in_thread()
        bound_host, bound_port = self.server.server_address[:2]
        shown = "127.0.0.1" if str(bound_host) == "0.0.0.0" else str(bound_host)
        self.base_url = f"http://{shown}:{bound_port}"
        return self.base_url

    def close(self) -> None:
        if self.state_written:
            remove_state(os.getpid())
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        self.functions.close()
        self.emulator.stop()


def portal_client(cognito: CognitoStack | None) -> str | None:
    """The app client people sign in through: no secret, password sign-in allowed."""
    if cognito is None:
        return None
    for client in cognito.clients.values():
        if client.secret is None:
            return client.client_id
    return None


def portal_config(endpoint: str, cognito: CognitoStack | None) -> dict[str, str] | None:
    """The portal's /config.json: the API on the portal's own origin ("/") and the emulated
    user pool, which the browser signs in to directly. None without a portal client."""
    client_id = portal_client(cognito)
    if cognito is None or client_id is None:
        return None
    return {
        "apiBaseUrl": "/",
        "region": REGION,
        "userPoolId": cognito.pool_id,
        "userPoolClientId": client_id,
        "userPoolEndpoint": endpoint,
    }


def build(template_path: Path | None = None, console: Console | None = None) -> RunningStack:
    """Starts the emulator, provisions the template's resources, installs the default model,
    and starts every function's workers and every event source's player.

    Side effects: os.environ is pointed at the emulator (this process installs the model as
    a deployment would; functions get their own environments). Raises TemplateError,
    StackError or ValueError (an event source that cannot be played), after stopping what
    it started.
    """
    console = console or Console()
    template_path = template_path or Path(
        os.environ.get("CARESCORE_TEMPLATE", ROOT / "template.yaml")
    )
    emulator = Emulator()
    endpoint = emulator.start()
    try:
        os.environ.update(aws_environment(endpoint))
        local_plan = plan(template_path, supported_types())
        cognito = _provision_cognito(endpoint, local_plan, console)
        created = Known()
        if cognito is not None:
            # Only what was created goes to the CloudFormation stack: parameters stay its own.
            created.refs = {
                logical: value
                for logical, value in cognito.known.refs.items()
                if logical in local_plan.template.get("Resources", {})
            }
            created.attributes = dict(cognito.known.attributes)
        stack = create_stack(endpoint, local_plan, created, trigger_values(local_plan))
        console.say(
            f"embedded AWS (moto) on {endpoint}: {len(stack.physical_ids)} resources "
            f"from {template_path.name}"
        )
        console.detail("provisioned: " + ", ".join(sorted(stack.physical_ids)))
        _say_not_provisioned(local_plan, console)
        served = sorted({route.function for route in local_plan.routes})
        if os.environ.get("CARESCORE_INSTALL_MODEL") != "0":
            version = _install_default_model(stack.environments, served)
            if version:
                console.say(f"active model: {version}")
        security = _security(local_plan, cognito)
        users = seed_users(endpoint, cognito) if cognito is not None else []
        functions = start_functions(local_plan, stack, endpoint, ROOT, console.function_line)
    except BaseException:
        emulator.stop()
        raise
    for line in functions.notifications:
        console.detail(f"bucket notifications: {line}")
    gateway = Gateway(
        local_plan.routes,
        functions.workers.invoke,
        local_plan.functions,
        PORTAL_DIR,
        log=console.say,
        security=security,
        keys=KeySource(lambda issuer: emulator_jwks(endpoint, issuer)),
        token_endpoint=_token_endpoint(endpoint, cognito),
        fire_schedule=functions.players.fire,
        access_log=os.environ.get("CARESCORE_ACCESS_LOG") == "1",
        portal_config=portal_config(endpoint, cognito),
    )
    return RunningStack(emulator, local_plan, functions, gateway, console, cognito, users)


def _say_not_provisioned(local_plan: LocalPlan, console: Console) -> None:
    """Names what the template declares but the local stack does not create: the portal's
    CDN on the terminal (the gateway stands in for it), the rest in the log."""
    hosting = {
        logical: why
        for logical, why in local_plan.not_provisioned.items()
        if why.startswith("AWS::CloudFront::")
    }
    if hosting:
        reason = next(iter(hosting.values())).split(": ", 1)[1]
        console.say(f"not provisioned locally: {', '.join(sorted(hosting))} (CloudFront; {reason})")
    for logical, why in sorted(local_plan.not_provisioned.items()):
        if logical not in hosting:
            console.detail(f"not provisioned locally: {logical} ({why})")
    for name, value in local_plan.overrides.items():
        console.detail(f"parameter {name}={value} (the local stack's override)")


def _provision_cognito(
    endpoint: str, local_plan: LocalPlan, console: Console
) -> CognitoStack | None:
    resources = local_plan.template.get("Resources", {}).values()
    if not any(r.get("Type") == "AWS::Cognito::UserPool" for r in resources):
        return None
    try:
        cognito = provision(endpoint, local_plan.template, local_plan.parameters)
    except (CognitoError, UnresolvedReference) as error:
        raise StackError(f"Cognito: {error}") from error
    replace_signing_key(cognito.pool_id)
    console.detail(
        f"Cognito user pool {cognito.pool_id}: groups {', '.join(cognito.groups) or '-'}; "
        f"app clients {', '.join(sorted(cognito.clients)) or '-'}"
        + (f"; not created locally: {', '.join(cognito.skipped)}" if cognito.skipped else "")
    )
    return cognito


def _security(local_plan: LocalPlan, cognito: CognitoStack | None) -> ApiSecurity:
    """The HTTP API's authorizers and CORS, references resolved to what was created."""
    known = cognito.known if cognito is not None else Known(refs=dict(local_plan.parameters))
    try:
        if not known.conditions:
            evaluate_conditions(local_plan.template, known)
        return api_security(local_plan.template, known)
    except UnresolvedReference as error:
        raise TemplateError(f"HTTP API authorizer or CORS: cannot resolve {error}") from error


def emulator_jwks(endpoint: str, issuer: str) -> dict[str, object]:
    """The issuer's JWKS. Cognito issuers are served by the emulator; nothing else is
    fetched (the local stack never calls out)."""
    if not issuer.startswith(ISSUER_PREFIX):
        raise ValueError("issuer outside the emulator")
    pool_id = issuer[len(ISSUER_PREFIX) :]
    url = f"{endpoint}/{urllib.parse.quote(pool_id)}/.well-known/jwks.json"
    with urllib.request.urlopen(url, timeout=10) as response:
        keys: dict[str, object] = json.loads(response.read())
    return keys


def _token_endpoint(endpoint: str, cognito: CognitoStack | None) -> TokenEndpoint | None:
    if cognito is None or not cognito.pool_id:
        return None
    from infra.cognito import cognito_client

    return TokenEndpoint(
        cognito.issuer,
        emulator_lookup(cognito_client(endpoint), cognito.pool_id),
        pool_signer(cognito.pool_id),
    )


def _seed(running: RunningStack) -> None:
    if os.environ.get("CARESCORE_SEED", "1") == "0":
        return
    if all(route.match("POST", "/v1/tasks/import") is None for route in running.plan.routes):
        return
    token = None
    machine = running.machine_client()
    if machine is not None:
        from infra.state import TokenError, client_token

        try:  # demo traffic comes in as an internal system would send it
            token = client_token(running.state())
        except (TokenError, OSError) as error:
            running.console.say(f"warning: seeding: no machine token ({error})")
            return
    customer = next((user.sub for user in running.users if user.role == "customer"), None)
    started = time.monotonic()
    created, problems = demo.seed(
        running.base_url, demo.owned_by(demo.demo_tasks(), customer), token
    )
    seeded = time.monotonic()
    running.console.say(f"seeded {created} demo tasks in {seeded - started:.1f} s")
    for problem in problems[:3]:
        running.console.say(f"warning: seeding: {problem}")
    # Trends and accounts at risk come from the tasks stream: the stack is ready once the
    # aggregator (and every other function the tasks trigger) has caught up.
    if running.functions.players.wait_until_drained(demo.CATCH_UP_TIMEOUT_SECONDS):
        caught_up = time.monotonic() - seeded
        running.console.say(f"the functions the demo tasks trigger caught up in {caught_up:.1f} s")
    else:
        running.console.say(
            "warning: seeding: the functions the demo tasks trigger had not caught up after "
            f"{demo.CATCH_UP_TIMEOUT_SECONDS:.0f} s; trends fill in as they do"
        )


def serve(host: str, port: int) -> int:
    """Runs the local stack until Ctrl-C or SIGTERM; returns the process exit code."""
    started = time.monotonic()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    console = Console(verbose=os.environ.get("CARESCORE_VERBOSE") == "1")
    console.say(f"carescore local: logs in {console.log_file}")
    try:
        try:
            running = build(console=console)
        except (TemplateError, StackError, ValueError) as error:
            console.say(f"error: {error}")
            console.close()
            return 2
        try:
            if stop.is_set():
                return 0
            running.serve_http(host, port)
            if running.cognito is not None:
                path = write_state(running.state())
                running.state_written = True
                console.detail(f"sign-in details for scripts and `carescore token`: {path}")
            _seed(running)
            _print_functions(running)
            _print_sign_ins(running)
            if not running.gateway.portal_built:
                console.say("warning: the portal is not built (web/dist); `make portal` builds it")
            _print_urls(running.base_url, time.monotonic() - started)
            while not stop.wait(0.5):
                pass
            console.say("stopping")
        finally:
            running.close()
            console.close()
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _print_urls(base: str, seconds: float) -> None:
    lines = [
        f"  portal      {base}/",
        f"  API         {base}/v1",
        f"  Swagger UI  {base}/v1/docs",
        f"  health      {base}/v1/health",
    ]
    print("\n".join(lines), flush=True)
    print(f"{READY_MARKER} {base} (in {seconds:.1f} s; Ctrl-C stops)", flush=True)


def _print_functions(running: RunningStack) -> None:
    lines = ["  functions (each in its own workers; output prefixed with its name)"]
    lines += [f"    {line}" for line in running.functions.summary]
    if running.functions.players.schedules:
        lines.append(
            f"    fire a schedule now: curl -X POST {running.base_url}{SCHEDULES_PATH}"
            "<Function>.<Event>"
        )
    print("\n".join(lines), flush=True)


def _print_sign_ins(running: RunningStack) -> None:
    if running.cognito is None:
        return
    lines = ["  sign-ins (local, made up at start; gone when the stack stops)"]
    lines += [f"    {u.role:<12} {u.username:<30} {u.password}" for u in running.users]
    machine = running.machine_client()
    if machine is not None:
        # The secret stays in the 0600 state file: a terminal's scrollback and logs are
        # readable by more people than that file.
        lines.append(f"    machine      client id {machine[0]}  (secret in {state_path()})")
        lines.append(f"    token URL    {running.base_url}{TOKEN_PATH}")
    lines.append("    bearer token: carescore token --role supervisor | --client [--scope S]")
    print("\n".join(lines), flush=True)


def ready_url(line: str) -> str | None:
    """The base URL announced by a `carescore local` output line, if it is the ready line."""
    if not line.startswith(READY_MARKER):
        return None
    return line[len(READY_MARKER) :].split(maxsplit=1)[0]
