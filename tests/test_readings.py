"""Every value and link that is the dataset's reading of the source says so, with why; who and
where carry their roles; the chain from a request to the terms that settle it can be followed."""

from http import HTTPStatus

import pytest
from django.apps import apps

from api.readings import Basis, ReadLink
from events.models import Belligerent, Engagement, Party, Place, PlaceLink
from treaties.models import SettledCounterproposal, SettledRequest, Transfer, TreatyTerm

pytestmark = pytest.mark.django_db


def labelled_values(model) -> list[str]:
    """The values of `model` that carry a `<value>_basis` (a date's is `date_basis`)."""
    names = {field.name for field in model._meta.concrete_fields}
    return [name[: -len("_basis")] for name in names if name.endswith("_basis") and name != "basis"]


def test_every_reading_says_why_and_every_value_given_has_a_basis():
    checked = 0
    for model in [*apps.get_app_config("events").get_models(), *apps.get_app_config("treaties").get_models()]:
        if model.__name__.startswith("Historical"):
            continue
        for value in labelled_values(model):
            for record in model.objects.all():
                basis, rationale = getattr(record, f"{value}_basis"), getattr(record, f"{value}_rationale")
                stored = getattr(record, f"{value}_id", getattr(record, value, None))
                if model._meta.get_field(value).many_to_many:
                    stored = getattr(record, value).exists() or None
                assert (basis is None) == (stored is None), (record, value)
                assert basis in (None, *Basis.values), (record, value)
                if basis == Basis.READING:
                    assert rationale.strip(), (record, value)
                checked += 1
        if issubclass(model, ReadLink):
            for row in model.objects.all():
                assert row.basis in Basis.values, row
                assert row.basis == Basis.DOCUMENT or row.rationale.strip(), row
                checked += 1
    assert checked > 150


def test_what_the_review_calls_readings_is_labelled_a_reading():
    # The source classifies no engagement but Mukden ("A decisive land battle was fought"),
    # names no victor but through "Japan's winning consecutive victories", gives no party a role,
    # names no party to the treaty, and pairs no term with a request.
    kinds = dict(Engagement.objects.values_list("slug", "kind_basis"))
    assert {slug for slug, basis in kinds.items() if basis == Basis.DOCUMENT} == {"occupation-of-mukden"}
    assert set(Engagement.objects.values_list("victor_basis", flat=True)) == {Basis.READING}
    assert set(Party.objects.values_list("role_basis", flat=True)) == {Basis.READING}
    treaty = apps.get_model("treaties", "Treaty").objects.get()
    assert (treaty.parties_basis, treaty.arranged_by_basis) == (Basis.READING, Basis.READING)
    for model in (SettledRequest, SettledCounterproposal):
        assert model.objects.exists()
        assert set(model.objects.values_list("basis", flat=True)) == {Basis.READING}


def test_the_api_shows_each_basis_and_a_filter_leaves_readings_out(client):
    engagement = client.get("/api/v1/engagements/fall-of-port-arthur/").json()
    assert engagement["kind_basis"] == "reading"
    assert "naval part" in engagement["kind_rationale"]
    assert engagement["victor_basis"] == "reading"
    stated = client.get("/api/v1/engagements/", {"kind_basis": "document"}).json()["results"]
    assert [e["slug"] for e in stated] == ["occupation-of-mukden"]
    assert client.get("/api/v1/parties/", {"role_basis": "document"}).json()["count"] == 0


def test_a_place_filter_finds_where_a_record_is_at_not_where_something_went(client):
    def slugs(**params):
        return [e["slug"] for e in client.get("/api/v1/engagements/", params).json()["results"]]

    # "Japanese armies pushed the Russians northward to Mukden": Mukden is the retreat's end.
    assert slugs(place="mukden") == ["occupation-of-mukden"]
    assert slugs(place="mukden", place_role="destination") == ["battles-of-liaoyang-and-shahe"]
    assert slugs(place_role="destination") == ["battles-of-liaoyang-and-shahe"]
    battle = client.get("/api/v1/engagements/battles-of-liaoyang-and-shahe/").json()
    assert [(p["place"]["slug"], p["role"], p["basis"]) for p in battle["places"]] == [
        ("liaoyang", "site", "document"),
        ("shahe", "site", "document"),
        ("mukden", "destination", "document"),
    ]
    terms = client.get("/api/v1/terms/", {"place": "changchun", "place_role": "boundary"}).json()
    assert [t["slug"] for t in terms["results"]] == ["portsmouth-treaty-term-4"]
    assert "place_role" in client.get("/api/v1/events/", {"place_role": "nearby"}).json()["errors"]


def test_engagements_list_belligerents_by_side_and_armed_forces_belong_to_their_state(client):
    for party in Party.objects.filter(kind=Party.Kind.ARMED_FORCE):
        assert party.part_of is not None, party
        assert party.part_of.kind == Party.Kind.STATE, party
    for engagement in Engagement.objects.all():
        sides = {row.side.slug for row in Belligerent.objects.filter(record=engagement)}
        assert sides == {"japan", "russia"}, engagement
    tsushima = client.get("/api/v1/engagements/battle-of-tsushima/").json()
    assert [(b["party"]["slug"], b["side"]["slug"]) for b in tsushima["belligerents"]] == [
        ("japanese-navy", "japan"),
        ("baltic-fleet", "russia"),
    ]
    on_russias_side = client.get("/api/v1/engagements/", {"side": "russia"}).json()
    assert on_russias_side["count"] == Engagement.objects.count()


def test_a_belligerent_fights_for_itself_or_its_state(make_user, api_as):
    editor = api_as(make_user("curator", superuser=True))
    response = editor.patch(
        "/api/v1/engagements/battle-of-tsushima/",
        {"belligerents": [{"party": "japanese-navy", "side": "russia", "basis": "document"}]},
        format="json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert "fights for itself or for the state it is part of" in str(response.json()["errors"])
    unchanged = Belligerent.objects.filter(record__slug="battle-of-tsushima").order_by("id")
    assert [(row.party.slug, row.side.slug) for row in unchanged] == [
        ("japanese-navy", "japan"),
        ("baltic-fleet", "russia"),
    ]


def test_terms_name_who_is_affected_and_what_passes_from_whom_to_whom(client):
    term = client.get("/api/v1/terms/portsmouth-treaty-term-1/").json()
    assert ("korea", "affected") in [(p["party"]["slug"], p["role"]) for p in term["parties"]]
    transfers = client.get("/api/v1/terms/portsmouth-treaty-term-4/").json()["transfers"]
    assert [(t["what"], t["from_party"]["slug"], t["to_party"]["slug"]) for t in transfers] == [
        (
            "the South Manchuria Branch line (between Changchun and Port Arthur) of the Chinese "
            "Eastern Railway",
            "russia",
            "japan",
        ),
        ("pertaining coal mines", "russia", "japan"),
    ]
    # What passes is the term's own words; the southern half of Sakhalin is a place of its own.
    for transfer in Transfer.objects.select_related("term"):
        assert transfer.what in transfer.term.wording
    south = Place.objects.get(slug="southern-sakhalin")
    assert (south.part_of.slug, south.part_of_basis) == ("sakhalin", "document")
    five = TreatyTerm.objects.get(number=5)
    assert list(five.places.values_list("slug", flat=True)) == ["southern-sakhalin"]


def test_what_passes_must_be_in_the_terms_words(make_user, api_as):
    editor = api_as(make_user("curator", superuser=True))
    response = editor.patch(
        "/api/v1/terms/portsmouth-treaty-term-3/",
        {
            "transfers": [
                {"what": "the moon", "from_party": "russia", "to_party": "japan", "basis": "document"}
            ]
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert "the moon" in str(response.json()["errors"])


def test_a_reader_can_follow_a_request_to_the_terms_that_settle_it_and_back(client):
    request = client.get("/api/v1/proposals/request-2/").json()
    assert [c["counterproposal"]["slug"] for c in request["answered_by"]] == [
        "counterproposal-1",
        "counterproposal-3",
    ]
    settling = [s["term"]["slug"] for s in request["settled_by"]]
    assert settling == ["portsmouth-treaty-term-1", "portsmouth-treaty-term-4"]
    assert all(s["basis"] == "reading" and s["rationale"] for s in request["settled_by"])
    term = client.get("/api/v1/terms/portsmouth-treaty-term-1/").json()
    assert [s["proposal"]["slug"] for s in term["settles_requests"]] == ["request-2", "request-3"]
    counter = client.get("/api/v1/counterproposals/counterproposal-1/").json()
    assert [s["term"]["slug"] for s in counter["settled_by"]] == ["portsmouth-treaty-term-2"]
    found = client.get("/api/v1/terms/", {"settles": "request-3"}).json()["results"]
    assert [t["slug"] for t in found] == ["portsmouth-treaty-term-1"]


def test_places_and_parties_that_are_one_country_are_linked(client):
    korea = client.get("/api/v1/parties/korea/").json()
    assert (korea["territory"]["slug"], korea["territory_basis"]) == ("korea", "reading")
    zone = client.get("/api/v1/places/korea-north-of-the-39th-parallel/").json()
    assert (zone["part_of"]["slug"], zone["part_of_basis"]) == ("korea", "document")
    assert "proposed" in zone["note"].lower()
    inside = client.get("/api/v1/places/", {"part_of": "manchuria"}).json()["results"]
    assert {"liaoyang", "shahe", "mukden", "changchun", "port-arthur"} <= {p["slug"] for p in inside}
    assert all(p["part_of_basis"] for p in inside)


def test_every_place_link_has_a_role():
    for model in apps.get_models():
        if issubclass(model, PlaceLink) and not model.__name__.startswith("Historical"):
            assert set(model.objects.values_list("role", flat=True)) <= set(PlaceLink.Role.values), model
