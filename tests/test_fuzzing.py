"""Schemathesis over every operation of the schema, with all of its checks.

Reads go out as an anonymous client, writes as an editor with every permission; the stateful
run follows the links it finds between operations (create, read, update, delete). The app is
called in-process over WSGI, against the test database (SQLite, or PostgreSQL in CI).
"""

import json

import pytest
import schemathesis
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.config import SchemathesisConfig

from config.wsgi import application
from tests.conftest import keeping_the_connection

WRITES = ["POST", "PUT", "PATCH", "DELETE"]

CONFIG = {
    "generation": {
        # Same examples every run, so a red CI is reproducible, not luck.
        "deterministic": True,
        "max-examples": 30,
        # NUL in text is answered with a 400 on every database; tests/test_querying.py and
        # tests/test_writes.py send it. The schema does not forbid it, so Schemathesis would
        # count the 400 against us.
        "allow-x00": False,
    },
    "operations": [
        {
            "include-method": ["POST", "PUT", "PATCH"],
            "checks": {
                # A body can match the schema and still break a rule about the data that no
                # schema states: a link to a record that does not exist, a quote that is not the
                # source's text at its offsets. The API answers those with 422, and only those:
                # a 400 for a body the schema accepts still fails this check.
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
                }
            },
        },
        {
            # A record's history outlives it on purpose: it is how a deleted record is found
            # and restored (.../restorations/), so it answers after the record is deleted.
            "include-path-regex": "/history/$",
            "checks": {"use_after_free": {"enabled": False}},
        },
    ],
}


# The editor's token, set by the editor fixture; Schemathesis sends it as declared credentials
# and checks that a write without it, or with a wrong one, is refused.
EDITOR_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
EDITOR_AUTH = {"auth": {"openapi": {"tokenAuth": {"api_key": f"Token {EDITOR_TOKEN}"}}}}
# Schemathesis's WSGI transport asks for gzip but does not decode it; the API's compression
# is tested in tests/test_response_cache.py.
HEADERS = {"Host": "127.0.0.1", "Accept-Encoding": "identity"}


def load_schema(**config):
    generated = SchemaGenerator().get_schema(request=None, public=True)
    raw = json.loads(OpenApiJsonRenderer().render(generated))
    config = SchemathesisConfig.from_dict(CONFIG | config | {"headers": HEADERS})
    schema = schemathesis.openapi.from_dict(raw, config=config)
    schema.app = keeping_the_connection(application)
    return schema


reads = load_schema().exclude(method=WRITES)
as_editor = load_schema(**EDITOR_AUTH)
# exclude(), not include(): with per-operation settings in the config (see CONFIG),
# Schemathesis 4's include() keeps every operation.
writes = as_editor.exclude(method="GET")


@pytest.fixture
def editor(make_user):
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    user = make_user("fuzzing-editor")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["sources", "events", "treaties"])
    )
    Token.objects.create(user=user, key=EDITOR_TOKEN)
    return user


@pytest.mark.django_db
@reads.parametrize()
def test_reads_as_anyone(case):
    case.call_and_validate()


@pytest.mark.django_db
@writes.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_writes_as_an_editor(case, editor):
    case.call_and_validate()


class Workflow(as_editor.as_state_machine()):
    """Each scenario starts from the dataset as loaded: its writes are rolled back after it,
    so the next one does not meet the records it left behind."""

    def setup(self):
        self.scenario = transaction.atomic()
        self.scenario.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self.scenario.__exit__(None, None, None)


@pytest.mark.django_db
def test_stateful_runs_follow_links_between_operations(editor):
    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=60,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
