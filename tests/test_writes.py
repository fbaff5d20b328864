"""Writes through the API: who may, what is accepted, and what a bad request is told."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from events.models import Event, Place

pytestmark = pytest.mark.django_db

PLACE_PERMISSIONS = ("add_place", "change_place", "delete_place")
NEW_PLACE = {"slug": "kuril-islands", "name": "Kuril Islands", "kind": "island"}


@pytest.fixture
def users(make_user):
    return {
        "anonymous": None,
        "editor without permission": make_user("reader"),
        "editor with permission": make_user("editor", *PLACE_PERMISSIONS),
        "admin": make_user("admin", superuser=True),
    }


AN_ISLAND = {"kind": "island", "kind_basis": "reading", "kind_rationale": "Not said by the source."}


def write(client, method):
    if method == "post":
        return client.post("/api/v1/places/", NEW_PLACE, format="json")
    if method == "put":
        return client.put(
            "/api/v1/places/tsushima/",
            {"slug": "tsushima", "name": "Tsushima", **AN_ISLAND},
            format="json",
        )
    if method == "patch":
        return client.patch("/api/v1/places/tsushima/", AN_ISLAND, format="json")
    return client.delete("/api/v1/places/portsmouth/")  # a place no record links to


EXPECTED = {
    "anonymous": HTTPStatus.UNAUTHORIZED,
    "editor without permission": HTTPStatus.FORBIDDEN,
    "editor with permission": None,
    "admin": None,
}
SUCCESS = {
    "post": HTTPStatus.CREATED,
    "put": HTTPStatus.OK,
    "patch": HTTPStatus.OK,
    "delete": HTTPStatus.NO_CONTENT,
}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.usefixtures("textbook_only")  # Portsmouth without other sources' statements about it
def test_permission_matrix(users, api_as, who, method):
    response = write(api_as(users[who]), method)
    expected = EXPECTED[who] or SUCCESS[method]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert Place.objects.get(slug="tsushima").kind is None
        assert not Place.objects.filter(slug="kuril-islands").exists()
        assert Place.objects.filter(slug="portsmouth").exists()
    if expected == HTTPStatus.UNAUTHORIZED:
        assert response["WWW-Authenticate"] == "Token"


def test_reads_stay_public(users, api_as):
    assert api_as(None).get("/api/v1/places/vladivostok/").status_code == HTTPStatus.OK
    assert api_as(users["editor without permission"]).get("/api/v1/places/").status_code == HTTPStatus.OK


def test_a_token_is_had_for_a_username_and_password(users):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "editor", "password": "pw-editor"}, format="json"
    )
    assert response.status_code == HTTPStatus.OK
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert (
        client.patch("/api/v1/places/vladivostok/", {"kind": "port"}, format="json").status_code
        == HTTPStatus.OK
    )
    wrong = APIClient().post("/api/v1/auth/token/", {"username": "editor", "password": "nope"}, format="json")
    assert wrong.status_code == HTTPStatus.UNAUTHORIZED
    assert wrong["Content-Type"] == "application/problem+json"
    assert wrong["WWW-Authenticate"] == "Token"
    missing = APIClient().post("/api/v1/auth/token/", {"username": "editor"}, format="json")
    assert missing.status_code == HTTPStatus.BAD_REQUEST
    # PostgreSQL would refuse to log a failed login for a username this long: a 400, not a 500.
    long = APIClient().post("/api/v1/auth/token/", {"username": "x" * 300, "password": "x"}, format="json")
    assert long.status_code == HTTPStatus.BAD_REQUEST
    assert "username" in long.json()["errors"]


def test_session_authentication_serves_the_browsable_api(users, client):
    client.force_login(users["admin"])
    response = client.patch("/api/v1/places/vladivostok/", {"kind": "port"}, content_type="application/json")
    # Session writes need the CSRF token the browsable API's forms carry; the test client skips
    # CSRF checks, so this shows the session is honoured for permissions.
    assert response.status_code == HTTPStatus.OK


def test_create_answers_with_the_record_and_its_location(users, api_as):
    response = api_as(users["admin"]).post("/api/v1/places/", NEW_PLACE, format="json")
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert response["Location"] == body["url"] == "http://testserver/api/v1/places/kuril-islands/"
    assert body["modern_name"] is None
    assert body["citations"] == []


def test_relations_and_dates_are_written_as_slugs_and_partial_dates(users, api_as):
    client = api_as(users["admin"])
    response = client.post(
        "/api/v1/events/",
        {
            "slug": "treaty-ratified",
            "name": "Treaty ratified",
            "kind": "peace-talks",
            "date": "1905-10",
            "date_calendar": "gregorian",
            "date_basis": "reading",
            "date_rationale": "x",
            "parties": [
                {"party": "japan", "role": "participant", "basis": "document"},
                {"party": "russia", "role": "participant", "basis": "reading", "rationale": "y"},
            ],
            "places": [{"place": "portsmouth", "role": "site", "basis": "reading", "rationale": "z"}],
            "description": "x",
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    assert (body["date"], body["date_precision"], body["date_basis"]) == ("1905-10", "month", "reading")
    assert [(p["party"]["slug"], p["basis"], p["rationale"]) for p in body["parties"]] == [
        ("japan", "document", ""),
        ("russia", "reading", "y"),
    ]
    assert [(p["place"]["slug"], p["role"]) for p in body["places"]] == [("portsmouth", "site")]
    # Clearing a date clears what was said of it.
    cleared = client.patch("/api/v1/events/treaty-ratified/", {"date": None}, format="json").json()
    assert (
        cleared["date"],
        cleared["date_precision"],
        cleared["date_calendar"],
        cleared["date_basis"],
        cleared["date_rationale"],
    ) == (None, None, None, None, "")


def test_a_date_needs_a_basis_and_a_reading_its_rationale(users, api_as):
    client = api_as(users["admin"])
    url = "/api/v1/engagements/battle-of-tsushima/"
    unlabelled = client.patch(url, {"date": "1905-05", "date_calendar": "gregorian"}, format="json")
    assert errors_of(unlabelled, HTTPStatus.UNPROCESSABLE_ENTITY) == {
        "__all__": ["A date has a basis (date_basis: document or reading); an empty date has none."]
    }
    unexplained = client.patch(
        url, {"date": "1905-05", "date_calendar": "gregorian", "date_basis": "reading"}, format="json"
    )
    assert errors_of(unexplained, HTTPStatus.UNPROCESSABLE_ENTITY) == {
        "__all__": ["A date that is our reading says why (date_rationale)."]
    }
    assert client.get(url).json()["date"] is None
    labelled = client.patch(
        url,
        {"date": "1905-05", "date_calendar": "gregorian", "date_basis": "reading", "date_rationale": "x"},
        format="json",
    )
    assert (labelled.status_code, labelled.json()["date_basis"]) == (HTTPStatus.OK, "reading")


def test_nested_rows_are_written_in_place(users, api_as):
    client = api_as(users["admin"])
    response = client.patch(
        "/api/v1/terms/portsmouth-treaty-term-3/",
        {
            "parties": [
                {"party": "russia", "role": "bound", "basis": "document"},
                {"party": "korea", "role": "consenting", "basis": "reading", "rationale": "x"},
            ]
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.OK, response.content
    assert {(p["party"]["slug"], p["role"]) for p in response.json()["parties"]} == {
        ("russia", "bound"),
        ("korea", "consenting"),
    }


def errors_of(response, *statuses):
    """The errors of a refused write: a 400 unless other statuses are named."""
    assert response.status_code in (statuses or (HTTPStatus.BAD_REQUEST,)), response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["errors"]


def test_unknown_and_read_only_fields_are_rejected(users, api_as):
    client = api_as(users["admin"])
    errors = errors_of(client.patch("/api/v1/places/mukden/", {"population": 5, "url": "x"}, format="json"))
    assert errors == {"population": ["Unknown field."], "url": ["This field is read-only."]}
    errors = errors_of(
        client.patch("/api/v1/places/mukden/", {"slug": "shenyang"}, format="json"),
        HTTPStatus.UNPROCESSABLE_ENTITY,
    )
    assert errors == {"slug": ["The slug of an existing record cannot be changed."]}
    errors = errors_of(
        client.patch("/api/v1/events/final-proposal/", {"date_precision": "year"}, format="json")
    )
    assert errors == {"date_precision": ["This field is read-only."]}
    assert Place.objects.filter(slug="mukden").exists()


# "August" is at 3–9 of the source.
NEW_CITATION = {
    "source": "japan-russia-1903-1905",
    "start": 3,
    "end": 9,
    "quote": "August",
    "record": {"type": "place", "slug": "mukden"},
}


def test_a_citation_whose_quote_is_not_at_its_offsets_is_refused(users, api_as):
    client = api_as(users["admin"])
    body = NEW_CITATION | {"start": 4, "end": 10}
    errors = errors_of(
        client.post("/api/v1/citations/", body, format="json"), HTTPStatus.UNPROCESSABLE_ENTITY
    )
    assert errors["quote"] == [
        "The source text at 4–10 reads 'ugust ', not 'August'. The quote appears at 3–9."
    ]
    body |= {"start": 3, "end": 9}
    created = client.post("/api/v1/citations/", body, format="json")
    assert created.status_code == HTTPStatus.CREATED, created.content
    assert created.json()["record"]["url"].endswith("/api/v1/places/mukden/")


def test_deleting_a_record_others_refer_to_is_a_409(users, api_as):
    response = api_as(users["admin"]).delete("/api/v1/parties/russia/")
    assert response.status_code == HTTPStatus.CONFLICT
    assert "still refer" in response.json()["detail"]


# One bad value for every writable field of every resource, and the field each must be named by.
BAD_INPUT = {
    "parties/japan/": {
        "name": "",
        "kind": "empire",
        "role": "ally",
        "role_basis": "guess",
        "role_rationale": 1,
        "part_of": "atlantis",
        "territory": "atlantis",
        "territory_basis": "guess",
        "territory_rationale": ["x"],
    },
    "places/mukden/": {
        "name": ["x"],
        "kind": "volcano",
        "kind_basis": "guess",
        "kind_rationale": 1,
        "part_of": "atlantis",
        "part_of_basis": "guess",
        "part_of_rationale": ["x"],
        "note": None,
        "modern_name": "x" * 101,
        "latitude": "north",
        "longitude": 200,
    },
    "negotiations/japan-russia-negotiations-1903-1904/": {
        "name": "",
        "initiated_by": "atlantis",
        "counterparty": 7,
        "opened": "August 1903",
        "opened_calendar": "coptic",
        "opened_basis": "guess",
        "opened_rationale": 1903,
        "ended": "1904-13",
        "ended_calendar": "",
        "ended_basis": "",
        "ended_rationale": None,
        "outcome": None,
    },
    "proposals/request-1/": {
        "number": 0,
        "negotiation": "nope",
        "party": "nope",
        "terms": "",
        "places": [{"place": "korea", "role": "capital", "basis": "document"}],
    },
    "counterproposals/counterproposal-1/": {
        "number": "one",
        "negotiation": ["a"],
        "party": "",
        "responds_to": [{"proposal": "request-2", "basis": "reading", "rationale": ""}],
        "places": [{"place": "korea", "role": "subject", "basis": "reading", "rationale": ""}],
        "terms": {"a": 1},
    },
    "events/final-proposal/": {
        "name": "",
        "kind": "party",
        "date": "13 January 1904",
        "date_calendar": "old style",
        "date_basis": "guess",
        "date_rationale": ["x"],
        "negotiation": "nope",
        "parties": [{"party": "nope", "role": "actor", "basis": "document"}],
        "places": "mukden",
        "description": None,
        "note": ["x"],
    },
    "engagements/battle-of-tsushima/": {
        "number": -5,
        "name": "",
        "kind": "duel",
        "kind_basis": "stated",
        "kind_rationale": 1,
        "date": 1905,
        "date_calendar": ["julian"],
        "date_basis": "stated",
        "date_rationale": False,
        "places": [{"place": "nowhere", "role": "site", "basis": "document"}],
        "belligerents": [],
        "victor": "nope",
        "victor_basis": "guess",
        "victor_rationale": 2,
        "outcome": None,
    },
    "figures/mukden-russian-casualties/": {
        "measure": "not a slug!",
        "value": "many",
        "unit": "",
        "party": "nope",
        "subject": {"type": "volcano", "slug": "x"},
        "description": "",
        "note": ["x"],
    },
    "claims/mukden-was-decisive/": {
        "name": "",
        "statement": "",
        "is_interpretation": "perhaps",
        "parties": ["nope"],
        "places": [{"place": "mukden"}],
        "judges": [{"type": "engagement", "slug": "nope"}],
    },
    "treaties/portsmouth-treaty/": {
        "name": "",
        "signed": "5 September 1905",
        "signed_calendar": "Julian",
        "signed_basis": "guess",
        "signed_rationale": 5,
        "signed_at": "nowhere",
        "arranged_by": "nobody",
        "arranged_by_basis": "guess",
        "arranged_by_rationale": 3,
        "parties": [],
        "parties_basis": None,
        "parties_rationale": None,
    },
    "terms/portsmouth-treaty-term-1/": {
        "number": 99999,
        "treaty": "nope",
        "wording": "",
        "parties": [{"party": "japan", "role": "spectator", "basis": "document"}],
        "places": ["nowhere"],
        "transfers": [{"what": "the moon", "from_party": "russia", "to_party": "japan", "basis": "document"}],
        "settles_requests": [{"proposal": "request-1", "basis": "reading", "rationale": ""}],
        "settles_counterproposals": [{"counterproposal": "nope", "basis": "reading", "rationale": "x"}],
        "articles": [{"article": "portsmouth-treaty-article-ii", "basis": "reading", "rationale": ""}],
    },
    "treaty-articles/portsmouth-treaty-article-ii/": {
        "number": 0,
        "additional": "yes",
        "treaty": "nope",
        "subject": "",
        "note": ["x"],
        "parties": [{"party": "japan", "role": "spectator", "basis": "document"}],
        "places": [{"place": "korea", "role": "subject", "basis": "reading", "rationale": ""}],
    },
}


@pytest.mark.parametrize(("path", "field"), [(p, f) for p, fields in BAD_INPUT.items() for f in fields])
def test_bad_input_on_every_writable_field_is_refused_naming_it(users, api_as, path, field):
    # 400 for a value the schema refuses, 422 for one it accepts that breaks a rule about the
    # data (a link to a record that does not exist); the last test here pins which is which.
    url = f"/api/v1/{path}"
    client = api_as(users["admin"])
    before = client.get(url).json()
    response = client.patch(url, {field: BAD_INPUT[path][field]}, format="json")
    errors = errors_of(response, HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert list(errors) == [field]
    assert client.get(url).json() == before


def test_bad_input_lists_cover_every_writable_field():
    from django.urls import resolve

    for path, bad in BAD_INPUT.items():
        view = resolve(f"/api/v1/{path}").func
        serializer = view.cls.serializer_class()
        writable = {
            name for name, field in serializer.fields.items() if not field.read_only and name != "slug"
        }
        assert writable == set(bad), path


def test_event_count_unchanged_by_rejected_writes(users, api_as):
    before = Event.objects.count()
    api_as(users["admin"]).post("/api/v1/events/", {"slug": "x", "kind": "party"}, format="json")
    assert Event.objects.count() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Muk\\u0000den", "Null characters are not allowed."),
        ("Mukden \\ud800", "Surrogate characters are not allowed: U+D800."),
    ],
)
def test_text_postgresql_cannot_store_is_a_400_on_every_database(users, api_as, text, message):
    # SQLite would store NUL; PostgreSQL refuses it and a lone surrogate cannot be encoded.
    body = f'{{"name": "{text}"}}'.encode()
    client = api_as(users["admin"])
    response = client.generic("PATCH", "/api/v1/places/mukden/", body, content_type="application/json")
    assert errors_of(response) == {"name": [message]}
    assert Place.objects.get(slug="mukden").name == "Mukden"


def test_json_types_are_taken_as_documented(users, api_as):
    client = api_as(users["admin"])
    assert "is_interpretation" in errors_of(
        client.patch(
            "/api/v1/claims/japan-won-consecutive-victories/", {"is_interpretation": 0}, format="json"
        )
    )
    assert "name" in errors_of(client.patch("/api/v1/places/mukden/", {"name": 5}, format="json"))
    # Text is trimmed, so whitespace alone is blank; the schema says so with the pattern \S.
    assert "name" in errors_of(client.patch("/api/v1/places/mukden/", {"name": "\n"}, format="json"))
    assert "number" in errors_of(
        client.patch("/api/v1/engagements/battle-of-tsushima/", {"number": "4"}, format="json")
    )
    assert "places" in errors_of(
        client.patch("/api/v1/claims/japan-won-consecutive-victories/", {"places": {}}, format="json")
    )
    assert "part_of" in errors_of(
        client.patch("/api/v1/parties/baltic-fleet/", {"part_of": ""}, format="json")
    )


def test_schema_valid_input_is_422_when_it_breaks_a_rule_and_409_when_it_collides(users, api_as):
    client = api_as(users["admin"])
    missing = client.patch("/api/v1/claims/mukden-was-decisive/", {"parties": ["atlantis"]}, format="json")
    assert errors_of(missing, HTTPStatus.UNPROCESSABLE_ENTITY) == {
        "parties": ["Object with slug=atlantis does not exist."]
    }
    assert missing.json()["title"] == "Unprocessable Entity"
    shape = client.patch("/api/v1/claims/mukden-was-decisive/", {"parties": "atlantis"}, format="json")
    assert "parties" in errors_of(shape, HTTPStatus.BAD_REQUEST)
    mixed = client.patch(
        "/api/v1/claims/mukden-was-decisive/", {"parties": ["atlantis"], "name": ""}, format="json"
    )
    assert set(errors_of(mixed, HTTPStatus.BAD_REQUEST)) == {"parties", "name"}
    taken = client.post(
        "/api/v1/places/", {"slug": "mukden", "name": "Mukden", "kind": "city"}, format="json"
    )
    assert errors_of(taken, HTTPStatus.CONFLICT) == {"slug": ["Place with this Slug already exists."]}


def test_a_citation_can_be_corrected_in_place(users, api_as):
    client = api_as(users["admin"])
    url = client.post("/api/v1/citations/", NEW_CITATION, format="json").json()["url"]
    corrected = client.patch(url, {"end": 8, "quote": "Augus"}, format="json")
    assert corrected.status_code == HTTPStatus.OK, corrected.content
    assert (corrected.json()["end"], corrected.json()["quote"]) == (8, "Augus")
    wrong = client.patch(url, {"quote": "Augusta"}, format="json")
    assert "quote" in errors_of(wrong, HTTPStatus.UNPROCESSABLE_ENTITY)


def test_a_rule_a_written_row_breaks_is_a_422_naming_the_row(users, api_as):
    client = api_as(users["admin"])
    before = client.get("/api/v1/counterproposals/counterproposal-1/").json()["responds_to"]
    response = client.patch(
        "/api/v1/counterproposals/counterproposal-1/",
        {
            "responds_to": [
                {"proposal": "request-1", "basis": "document"},
                {"proposal": "request-2", "basis": "reading"},
            ]
        },
        format="json",
    )
    errors = errors_of(response, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert errors["responds_to"][0] == {}
    assert errors["responds_to"][1] == {"__all__": ["A link that is our reading says why."]}
    assert client.get("/api/v1/counterproposals/counterproposal-1/").json()["responds_to"] == before


def test_a_number_taken_within_its_parent_is_a_409(users, api_as):
    response = api_as(users["admin"]).patch("/api/v1/proposals/request-2/", {"number": 1}, format="json")
    errors = errors_of(response, HTTPStatus.CONFLICT)
    assert errors == {"__all__": ["Proposal with this Negotiation and Number already exists."]}


def test_only_records_that_own_figures_can_be_a_figures_subject(users, api_as):
    client = api_as(users["admin"])
    figure = {
        "slug": "mukden-population",
        "measure": "population",
        "value": 1,
        "unit": "persons",
        "description": "x",
    }
    # A place has no figures: deleting it would leave such a figure pointing at nothing.
    refused = client.post(
        "/api/v1/figures/", figure | {"subject": {"type": "place", "slug": "mukden"}}, format="json"
    )
    assert "subject" in errors_of(refused)
    made = client.post(
        "/api/v1/figures/",
        figure | {"subject": {"type": "engagement", "slug": "occupation-of-mukden"}},
        format="json",
    )
    assert made.status_code == HTTPStatus.CREATED, made.content
    # A record figures are about cannot be deleted while they are (tests/test_deleting.py).
    refused = client.delete("/api/v1/engagements/occupation-of-mukden/")
    assert refused.status_code == HTTPStatus.CONFLICT
    assert "figure mukden-population" in refused.json()["detail"]


def test_a_link_is_a_slug_string_and_a_coordinate_is_never_empty(users, api_as):
    client = api_as(users["admin"])
    Place.objects.create(slug="0", name="Zero")
    assert errors_of(
        client.patch(
            "/api/v1/claims/mukden-was-decisive/",
            {"places": [{"place": 0, "role": "subject", "basis": "document"}]},
            format="json",
        )
    ) == {"places": {"0": {"place": ["Expected a slug: a JSON string."]}}}
    assert "longitude" in errors_of(client.patch("/api/v1/places/mukden/", {"longitude": ""}, format="json"))


def test_a_body_nested_too_deeply_is_a_400(users, api_as):
    client = api_as(users["admin"])
    response = client.generic(
        "PATCH", "/api/v1/places/mukden/", "[" * 100_000, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["detail"].endswith("nested too deeply.")


def test_an_unknown_kind_or_modern_name_is_null_never_empty(users, api_as, client):
    # The source does not say what kind of place Tsushima is: null, like every other unknown.
    assert client.get("/api/v1/places/tsushima/").json()["kind"] is None
    editor = api_as(users["admin"])
    for field in ("kind", "modern_name"):
        assert field in errors_of(editor.patch("/api/v1/places/mukden/", {field: ""}, format="json"))
    answer = editor.patch("/api/v1/places/mukden/", {"kind": None, "modern_name": None}, format="json")
    assert answer.status_code == HTTPStatus.OK
    assert (answer.json()["kind"], answer.json()["modern_name"]) == (None, None)


def test_coordinates_are_numbers_read_and_written(users, api_as, client):
    editor = api_as(users["admin"])
    answer = editor.patch("/api/v1/places/mukden/", {"latitude": 41.8, "longitude": 123}, format="json")
    assert answer.status_code == HTTPStatus.OK
    read = client.get("/api/v1/places/mukden/").json()
    assert (read["latitude"], read["longitude"]) == (answer.json()["latitude"], answer.json()["longitude"])
    assert (read["latitude"], read["longitude"]) == (41.8, 123.0)
    # Kept to 5 decimal places, as stored: more are rounded.
    answer = editor.patch("/api/v1/places/mukden/", {"latitude": 41.123456789}, format="json")
    assert answer.json()["latitude"] == 41.12346
    for wrong in ("41.80000", True, 90.000001, -90.5, [41.8]):
        assert errors_of(editor.patch("/api/v1/places/mukden/", {"latitude": wrong}, format="json")) == {
            "latitude": ["Give degrees as a JSON number from -90 to 90."]
        }
    too_far = editor.patch("/api/v1/places/mukden/", {"longitude": 180.5}, format="json")
    assert "longitude" in errors_of(too_far)
    answer = editor.patch("/api/v1/places/mukden/", {"latitude": None, "longitude": None}, format="json")
    assert (answer.json()["latitude"], answer.json()["longitude"]) == (None, None)
