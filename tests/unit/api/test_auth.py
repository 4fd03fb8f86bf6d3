"""Who the caller is, from the claims the JWT authorizer puts in the event, and what each
rule lets them do."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.api.auth import (
    CREATE_TASK,
    MOVE_ACTIVE_MODEL,
    READ_DATASETS,
    READ_MODEL,
    READ_REGISTRY,
    READ_TASKS,
    READ_TRAINING_RUNS,
    SCORE_TEXTS,
    UPDATE_TASK,
    UPLOAD_DATASET,
    Role,
    Rule,
    authorize,
    principal_from_event,
)
from functions.shared.errors import Forbidden, Unauthenticated
from tests.fixtures.api_events import (
    ALL_SCOPES,
    ANONYMOUS,
    Caller,
    http_event,
    machine,
    person,
)


def event_from(caller: Caller | None) -> dict[str, Any]:
    return http_event("GET", "/v1/tasks", caller=caller)


@pytest.mark.parametrize("list_groups", [False, True], ids=["gateway-string", "json-list"])
def test_groups_are_read_in_either_form_api_gateway_may_send(list_groups: bool) -> None:
    # GIVEN a user in two groups, rendered as "[agent supervisor]" or as a list
    event = event_from(person("agent", "supervisor", list_groups=list_groups))
    # WHEN the principal is parsed
    principal = principal_from_event(event)
    # THEN both roles are known and the caller is a person
    assert principal is not None
    assert principal.roles == {Role.AGENT, Role.SUPERVISOR}
    assert principal.is_user


@pytest.mark.parametrize(
    "rendered", ['["agent","supervisor"]', "agent supervisor", "[agent, supervisor]", "agent"]
)
def test_other_string_renderings_of_groups_are_understood(rendered: str) -> None:
    caller = person("customer")
    caller.claims["cognito:groups"] = rendered
    principal = principal_from_event(event_from(caller))
    assert principal is not None
    assert Role.AGENT in principal.roles


def test_unknown_groups_give_no_role() -> None:
    principal = principal_from_event(event_from(person("admins", "everyone")))
    assert principal is not None
    assert principal.roles == frozenset()
    assert principal.is_user


def test_a_client_credentials_token_is_a_machine_with_its_scopes() -> None:
    principal = principal_from_event(event_from(machine("carescore/score", "carescore/tasks.read")))
    assert principal is not None
    assert not principal.is_user
    assert principal.roles == frozenset()
    assert principal.scopes == {"carescore/score", "carescore/tasks.read"}
    assert principal.confined_to_account is None


def test_scopes_are_read_from_the_scope_claim_when_the_gateway_lists_none() -> None:
    caller = machine("carescore/tasks.write")
    event = event_from(Caller(claims=caller.claims, scopes=None))
    principal = principal_from_event(event)
    assert principal is not None
    assert principal.scopes == {"carescore/tasks.write"}


def test_no_authorizer_context_is_no_principal() -> None:
    assert principal_from_event(event_from(ANONYMOUS)) is None


@pytest.mark.parametrize(
    "claims",
    [
        {},
        {"sub": ""},
        {"username": "someone", "cognito:groups": "[supervisor]"},
        {"sub": "abc", "token_use": "id", "cognito:groups": "[supervisor]"},
        {"sub": "abc", "cognito:groups": "[supervisor]", "username": "abc"},
        {"sub": "abc", "token_use": "refresh", "cognito:groups": "[supervisor]"},
    ],
    ids=["empty", "blank-sub", "no-sub", "id-token", "no-token-use", "refresh-token"],
)
def test_claims_without_a_usable_identity_are_no_principal(claims: dict[str, Any]) -> None:
    assert principal_from_event(event_from(Caller(claims=claims))) is None


def test_a_customer_is_confined_to_their_own_account_and_staff_are_not() -> None:
    customer = principal_from_event(event_from(person("customer", sub="acct-1")))
    agent = principal_from_event(event_from(person("agent", sub="agent-1")))
    both = principal_from_event(event_from(person("customer", "agent", sub="agent-2")))
    assert customer is not None
    assert agent is not None
    assert both is not None
    assert customer.confined_to_account == "acct-1"
    assert agent.confined_to_account is None
    assert both.confined_to_account is None


def test_a_user_and_a_machine_with_the_same_subject_have_different_keys() -> None:
    user = principal_from_event(event_from(person("agent", sub="same")))
    client = principal_from_event(event_from(machine(client_id="same")))
    assert user is not None
    assert client is not None
    assert user.key != client.key


RULES: dict[str, Rule] = {
    "score": SCORE_TEXTS,
    "model": READ_MODEL,
    "create": CREATE_TASK,
    "read": READ_TASKS,
    "update": UPDATE_TASK,
    "upload": UPLOAD_DATASET,
    "datasets": READ_DATASETS,
    "runs": READ_TRAINING_RUNS,
    "registry": READ_REGISTRY,
    "move": MOVE_ACTIVE_MODEL,
}
# rule -> callers it lets in
ALLOWED: dict[str, set[str]] = {
    "score": {"agent", "supervisor", "machine:carescore/score"},
    "model": {"agent", "supervisor", "machine:carescore/score"},
    "create": {"customer", "agent", "supervisor", "machine:carescore/tasks.write"},
    "read": {"customer", "agent", "supervisor", "machine:carescore/tasks.read"},
    "update": {"agent", "supervisor", "machine:carescore/tasks.write"},
    "upload": {"supervisor"},
    "datasets": {"supervisor"},
    "runs": {"supervisor"},
    "registry": {"supervisor"},
    "move": {"supervisor"},
}
CALLERS: dict[str, Caller] = {
    "customer": person("customer"),
    "agent": person("agent"),
    "supervisor": person("supervisor"),
    "groupless": person(),
    **{f"machine:{scope}": machine(scope) for scope in ALL_SCOPES},
    "machine:none": machine(),
}


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_each_rule_lets_in_exactly_its_roles_and_scope(rule: str, caller: str) -> None:
    event = event_from(CALLERS[caller])
    if caller in ALLOWED[rule]:
        assert authorize(RULES[rule], event).subject
    else:
        with pytest.raises(Forbidden) as refused:
            authorize(RULES[rule], event)
        assert "token" not in refused.value.message


def test_no_identity_is_unauthenticated_whatever_the_rule() -> None:
    for rule in RULES.values():
        with pytest.raises(Unauthenticated):
            authorize(rule, event_from(ANONYMOUS))


@pytest.mark.parametrize(
    "rule", [UPLOAD_DATASET, READ_DATASETS, READ_TRAINING_RUNS, READ_REGISTRY, MOVE_ACTIVE_MODEL]
)
def test_a_machine_with_every_scope_still_cannot_retrain(rule: Rule) -> None:
    with pytest.raises(Forbidden):
        authorize(rule, event_from(machine(*ALL_SCOPES)))


claim_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@given(
    claims=st.dictionaries(
        st.sampled_from(["sub", "username", "cognito:groups", "scope", "token_use", "client_id"])
        | st.text(max_size=10),
        claim_values,
        max_size=8,
    ),
    scopes=claim_values,
)
def test_parsing_never_crashes_on_odd_claims(claims: dict[str, Any], scopes: Any) -> None:
    event = {"requestContext": {"authorizer": {"jwt": {"claims": claims, "scopes": scopes}}}}
    principal = principal_from_event(event)
    assert principal is None or isinstance(principal.subject, str)
