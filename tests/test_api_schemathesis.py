"""Schemathesis drives the API from its OpenAPI description: no 5xx, and every response
(status, content type, headers, body) conforms to what the description says.

The cases come from schemathesis' Hypothesis strategies, one test per operation; its pytest
plugin is not used because it fails on pytest 9's collection internals.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from calfeed.web.openapi import OPERATIONS, PREFIX


@pytest.fixture(scope="module")
def operations(make_module_app):
    app = make_module_app()
    schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", app)
    found = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        found[operation.path.removeprefix(PREFIX)] = operation
    return found


# Schemathesis leaves out the operation that serves the description itself; test_api.py
# checks that one.
EXERCISED = sorted(set(OPERATIONS) - {"/openapi.json"})


def test_every_operation_is_exercised(operations):
    assert sorted(operations) == EXERCISED


# JSON Schema cannot say "to after from, at most 366 days" nor "a release watchable in the
# region": the descriptions say them in words. For /schedule, schemathesis' check that
# schema-valid requests are accepted is replaced by a stricter one of ours: such a request may
# be refused by those rules, and nothing else.
WINDOW_RULES = ("to must be later than from", "is longer than 366 days")
RELEASE_RULES = ("cannot be watched in", "is not a release of")


# /search: a release is a platform of a region, so release without region is refused too.
SEARCH_RULES = RELEASE_RULES + ("release needs a region",)


@pytest.mark.parametrize("path", EXERCISED)
def test_api_conforms_to_its_description(operations, path):
    excluded = [positive_data_acceptance] if path in ("/schedule", "/search") else []

    @given(case=operations[path].as_strategy())
    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call_and_validate(excluded_checks=excluded)
        if excluded and response.status_code == 400:
            error = response.json()["error"]
            if error["parameter"] == "release" and path == "/search":
                assert any(rule in error["message"] for rule in SEARCH_RULES), error
                return
            if error["parameter"] == "release":
                assert any(rule in error["message"] for rule in RELEASE_RULES), error
                assert "region" in case.query or "show" in case.query
                return
            assert error["parameter"] == "to", error
            assert any(rule in error["message"] for rule in WINDOW_RULES), error
            assert "from" in case.query and "to" in case.query
    check()
