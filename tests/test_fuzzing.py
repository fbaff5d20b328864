"""Schemathesis over every operation of the schema, with all of its checks.

Reads go out as an anonymous client, writes as an editor with every permission; the stateful
run follows the links it finds between operations (create, read, update, delete). A second
stateful run (DeletesAndRestores) creates, deletes and restores related records, checking each
answer against the schema and against the delete rule (api.deletion). The app is called
in-process over WSGI, against the test database (SQLite, or PostgreSQL in CI).
"""

import json
from collections import Counter
from http import HTTPStatus

import pytest
import schemathesis
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.conftest import keeping_the_connection, source_text

WRITES = ["POST", "PUT", "PATCH", "DELETE"]

CONFIG = {
    "generation": {
        # Same examples every run, so a red CI is reproducible, not luck. Ten an operation (its
        # schema's edge cases come first): thirty took a third of CI's half hour.
        "deterministic": True,
        "max-examples": 10,
        # NUL in text is answered with a 400 on every database; tests/test_querying.py and
        # tests/test_writes.py send it. The schema does not forbid it, so Schemathesis would
        # count the 400 against us.
        "allow-x00": False,
    },
    "operations": [
        {
            # The lists that take `calendar`: their `start` and `end` pattern must admit every
            # Julian day (1900-02-29), and whether the day exists depends on `calendar`, which no
            # pattern can state; a Gregorian 1900-02-29 is a 400 naming the bound. tests/
            # test_calendars.py sends both. Filters of one entry that include are alternatives,
            # so the writes to these paths are excluded, not the reads included.
            "exclude-method": WRITES,
            "include-path-regex": "^/api/v1/(timeline|events|engagements|negotiations|treaties)/$",
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
                }
            },
        },
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
    # Without `as_of`: which moments have data (and a release's name) depends on the history
    # kept, which no schema can state, as a Julian day's existence depends on `calendar`.
    # tests/test_as_of.py sends it in every form, to every list.
    for path_item in raw["paths"].values():
        for operation in path_item.values():
            parameters = operation.get("parameters", []) if isinstance(operation, dict) else []
            parameters[:] = [parameter for parameter in parameters if parameter.get("name") != "as_of"]
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
            max_examples=30,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


# The checks every answer of the delete-and-restore run meets, besides the rules it asserts.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EDITOR_HEADERS = HEADERS | {"Authorization": f"Token {EDITOR_TOKEN}"}
# Spans of the source text the run's citations quote.
SPANS = [(start, start + 12) for start in (0, 40, 80, 120)]
PLURAL = {"place": "places", "event": "events", "figure": "figures"}


class DeletesAndRestores(RuleBasedStateMachine):
    """Places, events linking to them, figures about the events, and citations of either,
    created, deleted and restored in any order through the API. A model of what exists says what
    each answer must be: a delete others still refer to is a 409 naming them, any other delete
    takes the record's citations with it; a restore linking to a record that is gone is a 422
    naming the link, any other brings the record back whole, exactly as it was deleted."""

    # What the run met, over all its scenarios: each rule above, kept and refused.
    outcomes = Counter()

    def __init__(self):
        super().__init__()
        self.scenario = transaction.atomic()
        self.scenario.__enter__()
        self.text = source_text()
        self.counter = 0
        # (type, slug) -> what the record links to: {"places": [slug, ...]} or {"subject": (type, slug)}
        self.alive = {}
        self.deleted = {}  # (type, slug) -> (its links, the detail it showed when it was deleted)
        self.citations = {}  # uuid -> ((type, slug) it cites, its start), for each that exists
        self.gone_with = {}  # (type, slug) of a deleted record -> uuids of the citations it took

    def teardown(self):
        transaction.set_rollback(True)
        self.scenario.__exit__(None, None, None)

    def call(self, method, path, body=None, **path_parameters):
        operation = as_editor[path][method]
        kwargs = {"path_parameters": path_parameters, "headers": EDITOR_HEADERS}
        if body is not None:
            kwargs["body"] = body
        case = operation.Case(**kwargs)
        return case.call_and_validate(checks=CONFORMANCE)

    def new_slug(self, kind):
        self.counter += 1
        return f"run-{kind}-{self.counter}"

    def alive_of(self, kind):
        return sorted(key for key in self.alive if key[0] == kind)

    # ---- creating

    # Few records of each kind, so that the run deletes and restores rather than only creates.
    @precondition(lambda self: len(self.alive_of("place")) < 3)
    @rule()
    def create_place(self):
        slug = self.new_slug("place")
        response = self.call("POST", "/api/v1/places/", {"slug": slug, "name": slug.title()})
        assert response.status_code == HTTPStatus.CREATED, response.text
        self.alive[("place", slug)] = {}

    @precondition(lambda self: self.alive_of("place") and len(self.alive_of("event")) < 2)
    @rule(data=st.data())
    def create_event(self, data):
        kinds = st.sampled_from(self.alive_of("place"))
        places = data.draw(st.lists(kinds, unique=True, min_size=1, max_size=2))
        slug = self.new_slug("event")
        body = {
            "slug": slug,
            "name": slug.title(),
            "kind": "mobilization",
            "description": "x",
            "places": [{"place": p, "role": "site", "basis": "document"} for _, p in places],
        }
        response = self.call("POST", "/api/v1/events/", body)
        assert response.status_code == HTTPStatus.CREATED, response.text
        self.alive[("event", slug)] = {"places": sorted(p for _, p in places)}

    @precondition(lambda self: self.alive_of("event") and len(self.alive_of("figure")) < 2)
    @rule(data=st.data())
    def create_figure(self, data):
        _, event = data.draw(st.sampled_from(self.alive_of("event")))
        slug = self.new_slug("figure")
        body = {
            "slug": slug,
            "measure": "count",
            "value": 1,
            "unit": "things",
            "description": "x",
            "subject": {"type": "event", "slug": event},
        }
        response = self.call("POST", "/api/v1/figures/", body)
        assert response.status_code == HTTPStatus.CREATED, response.text
        self.alive[("figure", slug)] = {"subject": ("event", event)}

    @precondition(lambda self: self.alive_of("place") or self.alive_of("event"))
    @rule(data=st.data(), span=st.sampled_from(SPANS))
    def cite(self, data, span):
        record = data.draw(st.sampled_from(self.alive_of("place") + self.alive_of("event")))
        start, end = span
        body = {
            "quote": self.text[start:end],
            "start": start,
            "end": end,
            "source": "japan-russia-1903-1905",
            "record": {"type": record[0], "slug": record[1]},
        }
        response = self.call("POST", "/api/v1/citations/", body)
        if (record, start) in self.citations.values():
            assert response.status_code == HTTPStatus.CONFLICT, response.text
            return
        assert response.status_code == HTTPStatus.CREATED, response.text
        self.citations[response.json()["id"]] = (record, start)

    # ---- deleting

    def dependents(self, record):
        """What the model says still refers to `record`, as the 409 names it."""
        kind, slug = record
        names = []
        for (other_kind, other), links in self.alive.items():
            if kind == "place" and slug in links.get("places", []):
                names.append(f"{other_kind} {other} (places)")
            if links.get("subject") == record:
                names.append(f"{other_kind} {other}")
        return names

    # A rule for each kind, so that each is met as often as the others.
    @precondition(lambda self: self.alive_of("place"))
    @rule(data=st.data())
    def delete_place(self, data):
        self.delete(data.draw(st.sampled_from(self.alive_of("place"))))

    @precondition(lambda self: self.alive_of("event"))
    @rule(data=st.data())
    def delete_event(self, data):
        self.delete(data.draw(st.sampled_from(self.alive_of("event"))))

    @precondition(lambda self: self.alive_of("figure"))
    @rule(data=st.data())
    def delete_figure(self, data):
        self.delete(data.draw(st.sampled_from(self.alive_of("figure"))))

    def delete(self, record):
        kind, slug = record
        path = f"/api/v1/{PLURAL[kind]}/{{slug}}/"
        before = self.call("GET", path, slug=slug).json()
        response = self.call("DELETE", path, slug=slug)
        dependents = self.dependents(record)
        if dependents:
            assert response.status_code == HTTPStatus.CONFLICT, response.text
            detail = response.json()["detail"]
            for name in dependents:
                assert name in detail
            assert self.call("GET", path, slug=slug).json() == before
            self.outcomes["delete refused"] += 1
            return
        assert response.status_code == HTTPStatus.NO_CONTENT, response.text
        self.deleted[record] = (self.alive.pop(record), before)
        self.gone_with[record] = {uuid for uuid, (cited, _) in self.citations.items() if cited == record}
        for uuid in self.gone_with[record]:
            del self.citations[uuid]
            gone = self.call("GET", "/api/v1/citations/{uuid}/", uuid=uuid)
            assert gone.status_code == HTTPStatus.GONE
        self.outcomes["deleted"] += 1

    @precondition(lambda self: self.citations)
    @rule(data=st.data())
    def delete_citation(self, data):
        uuid = data.draw(st.sampled_from(sorted(self.citations)))
        response = self.call("DELETE", "/api/v1/citations/{uuid}/", uuid=uuid)
        assert response.status_code == HTTPStatus.NO_CONTENT, response.text
        del self.citations[uuid]

    # ---- restoring

    def missing(self, links) -> dict:
        """The links of a deleted record to records that are gone, by field."""
        missing = {}
        for place in links.get("places", []):
            if ("place", place) not in self.alive:
                missing.setdefault("places", []).append(place)
        for field in ("subject",):
            if field in links and links[field] not in self.alive:
                missing[field] = [links[field][1]]
        return missing

    def deleted_of(self, kind):
        return sorted(key for key in self.deleted if key[0] == kind)

    @precondition(lambda self: self.deleted_of("place"))
    @rule(data=st.data())
    def restore_place(self, data):
        self.restore(data.draw(st.sampled_from(self.deleted_of("place"))))

    @precondition(lambda self: self.deleted_of("event"))
    @rule(data=st.data())
    def restore_event(self, data):
        self.restore(data.draw(st.sampled_from(self.deleted_of("event"))))

    @precondition(lambda self: self.deleted_of("figure"))
    @rule(data=st.data())
    def restore_figure(self, data):
        self.restore(data.draw(st.sampled_from(self.deleted_of("figure"))))

    def restore(self, record):
        kind, slug = record
        links, before = self.deleted[record]
        path = f"/api/v1/{PLURAL[kind]}/{{slug}}/"
        history = self.call("GET", path + "history/", slug=slug).json()["results"]
        assert history[0]["change"] == "deleted"
        response = self.call("POST", path + "restorations/", {"version": history[0]["version"]}, slug=slug)
        missing = self.missing(links)
        if missing:
            assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
            errors = response.json()["errors"]
            assert set(errors) == set(missing)
            for field, slugs in missing.items():
                for gone in slugs:
                    assert any(repr(gone) in message for message in errors[field])
            assert self.call("GET", path, slug=slug).status_code == HTTPStatus.GONE
            self.outcomes["restore refused"] += 1
            return
        assert response.status_code == HTTPStatus.OK, response.text
        assert response.json() == before
        assert self.call("GET", path, slug=slug).json() == before
        del self.deleted[record]
        self.alive[record] = links
        for uuid in self.gone_with.pop(record):
            citation = self.call("GET", "/api/v1/citations/{uuid}/", uuid=uuid).json()
            self.citations[uuid] = (record, citation["start"])
        self.outcomes["restored"] += 1

    @precondition(lambda self: any(self.gone_with.values()))
    @rule(data=st.data())
    def restore_a_citation_alone(self, data):
        """A citation deleted with its record, restored while the record is gone: a 422."""
        uuid = data.draw(st.sampled_from(sorted(set().union(*self.gone_with.values()))))
        history = self.call("GET", "/api/v1/citations/{uuid}/history/", uuid=uuid).json()["results"]
        response = self.call(
            "POST", "/api/v1/citations/{uuid}/restorations/", {"version": history[0]["version"]}, uuid=uuid
        )
        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.text
        assert list(response.json()["errors"]) == ["record"]
        self.outcomes["citation restore refused"] += 1


@pytest.mark.django_db
def test_deleting_and_restoring_related_records_keeps_the_rules(editor):
    run_state_machine_as_test(
        DeletesAndRestores,
        settings=settings(
            max_examples=20,
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    # The run is the same every time (derandomized); it must have met every rule.
    assert set(DeletesAndRestores.outcomes) == {
        "delete refused",
        "deleted",
        "restore refused",
        "restored",
        "citation restore refused",
    }
