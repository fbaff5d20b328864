"""Filters, ordering, pagination, the timeline and search, and their answers to bad input."""

import json
from http import HTTPStatus

import pytest
from django.contrib.contenttypes.models import ContentType

from api.backends import StrictOrderingFilter
from api.registry import dated_models
from config.urls import router
from sources.models import Citation
from tests import factories

pytestmark = pytest.mark.django_db


def results(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()["results"]


def slugs(client, url, **params):
    return [r["slug"] for r in results(client, url, **params)]


def errors(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["errors"]


def test_filter_by_party_kind_place_and_treaty(client):
    assert slugs(client, "/api/v1/parties/", role="mediator") == ["roosevelt", "united-states"]
    assert slugs(client, "/api/v1/events/", party="united-states") == ["peace-talks"]
    assert slugs(client, "/api/v1/engagements/", place="port-arthur") == [
        "japan-achieves-maritime-control",
        "fall-of-port-arthur",
    ]
    assert slugs(client, "/api/v1/engagements/", kind="siege") == ["fall-of-port-arthur"]
    assert slugs(client, "/api/v1/terms/", treaty="portsmouth-treaty", party="china") == [
        "portsmouth-treaty-term-3"
    ]
    assert slugs(client, "/api/v1/terms/", party="japan", role="bound") == ["portsmouth-treaty-term-2"]
    answering_2 = slugs(client, "/api/v1/counterproposals/", responds_to="request-2")
    assert answering_2 == ["counterproposal-1", "counterproposal-3"]
    assert slugs(client, "/api/v1/counterproposals/", responds_to="request-3") == [
        "counterproposal-2",
        "counterproposal-3",
    ]


def test_filter_interpretation_versus_fact(client):
    # Every claim of the dataset is a judgement: what the source reports is in the other records.
    everything = slugs(client, "/api/v1/claims/")
    assert len(everything) == 12
    assert slugs(client, "/api/v1/claims/", is_interpretation="true") == everything
    assert slugs(client, "/api/v1/claims/", is_interpretation="false") == []
    fact = factories.claim()
    fact.is_interpretation = False
    fact.save()
    assert slugs(client, "/api/v1/claims/", is_interpretation="false") == [fact.slug]
    assert fact.slug not in slugs(client, "/api/v1/claims/", is_interpretation="true")


def test_filter_claims_by_the_record_they_judge(client):
    assert slugs(client, "/api/v1/claims/", judges="engagement:occupation-of-mukden") == [
        "japan-won-consecutive-victories",
        "mukden-was-decisive",
        "victories-contrary-to-expectations",
    ]
    assert slugs(client, "/api/v1/claims/", judges="proposal:request-2") == [
        "russia-had-no-good-reason-to-object"
    ]
    assert slugs(client, "/api/v1/claims/", judges="figure:tsushima-japanese-losses") == [
        "japan-lost-only-three-torpedo-boats"
    ]
    # A record no claim judges, and one judged by a claim of the other filter's kind.
    assert slugs(client, "/api/v1/claims/", judges="party:japan") == []
    assert slugs(client, "/api/v1/claims/", judges="event:negotiations-opened", party="japan") == [
        "negotiations-followed-from-russias-designs"
    ]
    assert slugs(client, "/api/v1/claims/", judges="event:negotiations-opened", party="korea") == []


@pytest.mark.parametrize(
    "value", ["occupation-of-mukden", "volcano:etna", "engagement:not a slug", "Engagement:x", ":x"]
)
def test_a_malformed_judged_record_is_a_400(client, value):
    assert "judges" in errors(client, "/api/v1/claims/", judges=value)


def test_a_judged_record_that_does_not_exist_is_a_404_naming_the_parameter(client):
    response = client.get("/api/v1/claims/", {"judges": "engagement:atlantis"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["detail"] == "judges: no engagement has the slug 'atlantis'."


def test_a_month_precision_date_overlaps_any_range_touching_its_month(client):
    # "1903-08" (negotiations opened) overlaps a range that starts on 31 August 1903.
    assert "negotiations-opened" in slugs(client, "/api/v1/events/", start="1903-08-31", end="1903-09-30")
    # "1904-01" (negotiations ended) overlaps a range that ends on 1 January 1904.
    assert "negotiations-ended" in slugs(client, "/api/v1/events/", start="1903-12-01", end="1904-01-01")
    assert slugs(client, "/api/v1/events/", start="1904-02", end="1904-02") == [
        "no-reply",
        "breaking-off-of-relations",
    ]
    assert slugs(client, "/api/v1/events/", start="1905") == []


def test_unknown_filter_values_are_400_not_an_empty_200(client):
    assert "kind" in errors(client, "/api/v1/engagements/", kind="skirmish")
    assert "party" in errors(client, "/api/v1/events/", party="not a slug")
    assert "start" in errors(client, "/api/v1/events/", start="August 1903")
    assert "start" in errors(client, "/api/v1/events/", start="1903-02-29")
    assert "is_interpretation" in errors(client, "/api/v1/claims/", is_interpretation="perhaps")
    assert "is_interpretation" in errors(client, "/api/v1/claims/", is_interpretation="1")
    assert "colour" in errors(client, "/api/v1/places/", colour="red")


@pytest.mark.parametrize("value", ["1.0", "+1", " 1", "1_0", "-1", "2147483648", "١"])
def test_whole_number_parameters_take_plain_digits_in_range(client, value):
    assert "number" in errors(client, "/api/v1/terms/", number=value)
    assert "covers" in errors(client, "/api/v1/citations/", covers=value)
    assert "page_size" in errors(client, "/api/v1/places/", page_size=value)
    assert "page" in errors(client, "/api/v1/places/", page=value)


def test_an_empty_value_is_400_rather_than_no_filter(client):
    assert errors(client, "/api/v1/events/", kind="") == {
        "kind": ["Give a value, or leave the parameter out."]
    }
    assert "ordering" in errors(client, "/api/v1/events/", ordering="")
    assert "q" in errors(client, "/api/v1/search/", q="")


def test_a_filter_naming_no_record_is_404_naming_the_parameter(client):
    response = client.get("/api/v1/events/", {"party": "atlantis"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["detail"] == "party: no party has the slug 'atlantis'."
    response = client.get("/api/v1/terms/", {"treaty": "treaty-of-nowhere"})
    assert response.json()["detail"] == "treaty: no treaty has the slug 'treaty-of-nowhere'."


@pytest.mark.parametrize(
    ("url", "parameter"),
    [("/api/v1/places/", "search"), ("/api/v1/search/", "q"), ("/api/v1/figures/", "unit")],
)
def test_text_holding_a_nul_character_is_400(client, url, parameter):
    # PostgreSQL cannot compare text holding NUL; SQLite can. Both answer 400.
    assert parameter in errors(client, url, **{parameter: "port\x00arthur"})


def test_ordering_takes_only_declared_fields(client):
    assert slugs(client, "/api/v1/engagements/", ordering="-number")[0] == "battle-of-tsushima"
    assert slugs(client, "/api/v1/parties/", ordering="kind,-name")[:2] == [
        "russian-troops-in-the-far-east",
        "russian-ships",
    ]
    assert "ordering" in errors(client, "/api/v1/engagements/", ordering="outcome")
    assert "ordering" in errors(client, "/api/v1/parties/", ordering="id")
    assert "ordering" in errors(client, "/api/v1/parties/", ordering=" name")
    assert "ordering" in errors(client, "/api/v1/parties/", ordering="--name")
    assert errors(client, "/api/v1/parties/", ordering="name,name") == {"ordering": ["Give each term once."]}


def test_every_query_value_is_bounded(client):
    assert errors(client, "/api/v1/statements/", language="x" * 201) == {
        "language": ["Give at most 200 characters."]
    }
    assert "party" in errors(client, "/api/v1/events/", party="a" * 201)
    assert results(client, "/api/v1/statements/", language="x" * 200) == []
    # An exact filter on a field is no longer than the field: a longer value matches nothing.
    assert errors(client, "/api/v1/figures/", unit="x" * 61) == {
        "unit": ["Ensure this value has at most 60 characters (it has 61)."]
    }
    assert results(client, "/api/v1/figures/", unit="x" * 60) == []


def test_pagination_carries_count_and_links_and_caps_page_size(client):
    body = client.get("/api/v1/places/", {"page_size": 5}).json()
    assert body["count"] == 18
    assert len(body["results"]) == 5
    assert body["previous"] is None
    assert "page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert second["previous"]
    assert {p["slug"] for p in body["results"]}.isdisjoint(p["slug"] for p in second["results"])
    assert "page_size" in errors(client, "/api/v1/places/", page_size=101)
    assert "page_size" in errors(client, "/api/v1/places/", page_size=0)
    assert client.get("/api/v1/places/", {"page": 99}).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("prefix", [prefix for prefix, _viewset, _basename in router.registry])
def test_every_list_pages_through_all_its_records_in_its_order(client, prefix):
    # Unfiltered pages are read with statements compiled once (api.statements): each page
    # must start where the one before ended, and the pages hold every record in list order.
    viewset = next(viewset for p, viewset, _ in router.registry if p == prefix)
    # A citation is shown by its uuid as "id".
    key, shown = (viewset.lookup_field, "id") if viewset.lookup_field == "uuid" else ("slug", "slug")
    order = [StrictOrderingFilter.nulls_last(term) for term in viewset.ordering]
    expected = [str(value) for value in viewset.queryset.order_by(*order).values_list(key, flat=True)]
    seen, url = [], f"/api/v1/{prefix}/?page_size=2"
    while url:
        body = client.get(url).json()
        assert body["count"] == len(expected)
        seen += [item[shown] for item in body["results"]]
        url = body["next"]
    assert seen == expected
    past = client.get(f"/api/v1/{prefix}/", {"page_size": 2, "page": len(expected) // 2 + 2})
    assert past.status_code == HTTPStatus.NOT_FOUND


def test_every_list_takes_search(client):
    assert slugs(client, "/api/v1/terms/", search="sakhalin") == ["portsmouth-treaty-term-5"]
    assert slugs(client, "/api/v1/places/", search="liaodong") == ["liaodong-peninsula"]


DATED = [
    ("event", "russian-designs-become-obvious", "1903-08"),
    ("event", "negotiations-opened", "1903-08"),
    ("negotiation", "japan-russia-negotiations-1903-1904", "1903-08"),
    ("event", "negotiations-ended", "1904-01"),
    ("event", "final-proposal", "1904-01-13"),
    ("event", "no-reply", "1904-02-03"),
    ("event", "breaking-off-of-relations", "1904-02-04"),
    ("treaty", "portsmouth-treaty", "1905-09-05"),
]
# The records of the dated kinds that the source does not date, in the order it tells them.
UNDATED = [
    ("event", "russian-counterproposals", None),  # "they responded with counterproposals"
    ("event", "martial-law-in-manchuria", None),  # both first cite "during the negotiations"
    ("event", "russian-mobilization-orders", None),
    ("event", "outbreak-of-hostilities", None),
    # All five first cite the sentence introducing them; then in the source's list order.
    ("engagement", "battles-of-liaoyang-and-shahe", None),
    ("engagement", "japan-achieves-maritime-control", None),
    ("engagement", "fall-of-port-arthur", None),
    ("engagement", "occupation-of-mukden", None),
    ("engagement", "battle-of-tsushima", None),
    ("event", "peace-talks", None),
]


def first_cited_at(entry) -> int:
    """Where the record of a timeline entry is first cited, read from its citations."""
    model = dated_models()[entry["type"]]
    citations = Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=model.objects.get(slug=entry["slug"]).pk,
    )
    return min(citations.values_list("start", flat=True))


# The engagements the textbook does not date and other sources do: each by its chosen
# statement's date (events.choosing), which the timeline orders by.
DATED_BY_OTHERS = [
    ("engagement", "fall-of-port-arthur", "1904-12-31"),  # Brinkley 1915: "the last day of 1904"
    ("engagement", "occupation-of-mukden", "1905-02-19"),  # Tyler 1905
    ("engagement", "battle-of-tsushima", "1905-05-28"),  # Tyler 1905
]


def test_the_timeline_in_date_order_ends_with_the_undated_records_in_narrative_order(client):
    entries = results(client, "/api/v1/timeline/", page_size=100)
    # The textbook's own dates, the chosen ones of other sources among them.
    chosen = [(e["type"], e["slug"], e["chosen_date"]) for e in entries if e["chosen_date"]]
    assert chosen == DATED[:-1] + DATED_BY_OTHERS + DATED[-1:]
    assert all(e["date"] is None for e in entries if e["type"] == "engagement")
    undated = entries[len(chosen) :]
    others = {slug for _type, slug, _date in DATED_BY_OTHERS}
    assert [(e["type"], e["slug"], e["date"]) for e in undated] == [u for u in UNDATED if u[1] not in others]
    assert results(client, "/api/v1/timeline/", page_size=100, order="date") == entries
    assert entries[0]["date_precision"] == "month"
    assert all(e["date_precision"] == "day" for e in entries[4 : len(DATED) - 1])
    assert all(e["date_precision"] is None and e["chosen_date"] is None for e in undated)
    assert [e["sequence"] for e in undated] == sorted(e["sequence"] for e in undated)
    assert [e["sequence"] for e in entries] == [first_cited_at(e) for e in entries]


def test_the_timeline_in_narrative_order_is_the_order_of_the_source_text(client, text):
    entries = results(client, "/api/v1/timeline/", page_size=100, order="narrative")
    # Every record of every dated kind, the war too.
    assert len(entries) == sum(model.objects.count() for model in dated_models().values())
    assert sorted((e["type"], e["slug"], e["date"]) for e in entries) == sorted(DATED + UNDATED)
    starts = [first_cited_at(entry) for entry in entries]
    assert [e["sequence"] for e in entries] == starts == sorted(starts)
    assert [e["slug"] for e in entries] == [
        "russian-designs-become-obvious",  # "In August 1903 it became obvious" (0)
        "negotiations-opened",  # "Therefore, Japan opened negotiations"
        "japan-russia-negotiations-1903-1904",
        "negotiations-ended",  # "which lasted for five months, until January of 1904"
        "russian-counterproposals",  # "they responded with counterproposals"
        "martial-law-in-manchuria",
        "russian-mobilization-orders",
        "final-proposal",  # "On January 13, 1904"
        "no-reply",
        "breaking-off-of-relations",
        "outbreak-of-hostilities",  # "Hostilities commenced"
        "battles-of-liaoyang-and-shahe",
        "japan-achieves-maritime-control",
        "fall-of-port-arthur",
        "occupation-of-mukden",
        "battle-of-tsushima",
        "peace-talks",  # "US President Roosevelt arranged for peace talks"
        "portsmouth-treaty",
    ]
    tsushima = next(e for e in entries if e["slug"] == "battle-of-tsushima")
    assert (tsushima["date"], tsushima["date_precision"]) == (None, None)
    assert text[tsushima["sequence"] :].startswith("Japan’s winning consecutive victories")


@pytest.mark.parametrize(
    "params", [{}, {"order": "narrative"}, {"start": "1904", "end": "1905-06"}, {"type": "event"}]
)
def test_timeline_pages_put_together_are_the_whole_timeline(client, params):
    # Each page is cut from every kind's first rows in the database and merged: pages of
    # three, one after another, are the one page that holds them all, in its order.
    whole = client.get("/api/v1/timeline/", {**params, "page_size": 100}).json()
    assert whole["count"] == len(whole["results"]) > 3
    pages = []
    for number in range(1, -(-whole["count"] // 3) + 1):
        page = client.get("/api/v1/timeline/", {**params, "page_size": 3, "page": number}).json()
        assert page["count"] == whole["count"]
        pages += page["results"]
    assert pages == whole["results"]
    past = client.get("/api/v1/timeline/", {**params, "page_size": 3, "page": number + 1})
    assert past.status_code == HTTPStatus.NOT_FOUND


def test_timeline_filters_by_range_and_type(client):
    in_1904 = results(client, "/api/v1/timeline/", start="1904-01-13", end="1904")
    assert [e["slug"] for e in in_1904] == [
        "negotiations-ended",
        "final-proposal",
        "no-reply",
        "breaking-off-of-relations",
        "fall-of-port-arthur",  # by its chosen date
    ]
    # A range selects dated records only (by their chosen dates), in either order.
    narrative = results(client, "/api/v1/timeline/", start="1904-01-13", end="1904", order="narrative")
    assert sorted(e["slug"] for e in narrative) == sorted(e["slug"] for e in in_1904)
    assert [e["slug"] for e in results(client, "/api/v1/timeline/", type="engagement", start="1905")] == [
        "occupation-of-mukden",
        "battle-of-tsushima",
    ]
    assert [e["slug"] for e in results(client, "/api/v1/timeline/", type="treaty")] == ["portsmouth-treaty"]
    engagements = results(client, "/api/v1/timeline/", type="engagement", order="narrative")
    assert [e["slug"] for e in engagements] == [slug for kind, slug, _ in UNDATED if kind == "engagement"]
    assert results(client, "/api/v1/timeline/", start="1905", end="1904") == []
    assert "type" in errors(client, "/api/v1/timeline/", type="battle")
    assert "when" in errors(client, "/api/v1/timeline/", when="1904")


def test_a_date_that_is_our_reading_says_so_and_can_be_left_out(client):
    # The year of "On February 4" comes from the sentence before; "three weeks" after 13 January
    # is derived; "August 1903" for the opening is read from the sentence before it.
    readings = {"negotiations-opened", "no-reply", "breaking-off-of-relations"}
    entries = results(client, "/api/v1/timeline/", page_size=100)
    assert {e["slug"] for e in entries if e["date_basis"] == "reading"} == readings | {
        "japan-russia-negotiations-1903-1904"
    }
    # Undated records have no basis, so neither value selects them.
    stated = results(client, "/api/v1/timeline/", date_basis="document", page_size=100)
    assert {e["slug"] for e in stated} == {
        "russian-designs-become-obvious",
        "negotiations-ended",
        "final-proposal",
        "portsmouth-treaty",
    }
    assert {e["slug"] for e in entries if e["date"] is None} == {
        e["slug"] for e in entries if not e["date_basis"]
    }
    assert set(slugs(client, "/api/v1/events/", date_basis="reading")) == readings
    no_reply = client.get("/api/v1/events/no-reply/").json()
    assert (no_reply["date"], no_reply["date_basis"]) == ("1904-02-03", "reading")
    assert "three weeks after 13 January 1904 is 3 February 1904" in no_reply["date_rationale"]
    treaty = client.get("/api/v1/treaties/portsmouth-treaty/").json()
    assert (treaty["signed_basis"], treaty["signed_rationale"]) == ("document", "")
    negotiation = client.get("/api/v1/negotiations/japan-russia-negotiations-1903-1904/").json()
    assert (negotiation["opened_basis"], negotiation["ended_basis"]) == ("reading", "document")
    assert slugs(client, "/api/v1/negotiations/", opened_basis="document") == []
    assert "date_basis" in errors(client, "/api/v1/events/", date_basis="guess")


def test_every_date_has_a_basis_and_every_reading_a_rationale():
    from api.registry import dated_models
    from events.models import Negotiation

    dated = [(model, "date") for model in dated_models().values()] + [(Negotiation, "ended")]
    for model, field in dated:
        for record in model.objects.all():
            date, basis = getattr(record, field), getattr(record, f"{field}_basis")
            assert (date is None) == (basis is None), (record.slug, field)
            if basis == "reading":
                assert getattr(record, f"{field}_rationale").strip(), (record.slug, field)


@pytest.mark.parametrize("query", [{}, {"start": "1904"}])
def test_an_unknown_timeline_order_is_a_400_naming_it(client, query):
    assert list(errors(client, "/api/v1/timeline/", order="chronological", **query)) == ["order"]


def test_search_finds_every_kind_of_record(client):
    hits = results(client, "/api/v1/search/", q="Port Arthur", page_size=100)
    kinds = {hit["type"] for hit in hits}
    assert {"place", "engagement", "treaty-term"} <= kinds
    place = next(hit for hit in hits if hit["type"] == "place")
    rank, snippet = place.pop("rank"), place.pop("snippet")
    assert place == {
        "type": "place",
        "slug": "port-arthur",
        "name": "Port Arthur",
        "summary": "Port Arthur",
        "url": "http://testserver/api/v1/places/port-arthur/",
    }
    assert rank > 0
    assert "<mark>Port" in snippet


def test_search_needs_a_bounded_query(client):
    assert "q" in errors(client, "/api/v1/search/")
    assert "q" in errors(client, "/api/v1/search/", q="x" * 201)
    assert "search" in errors(client, "/api/v1/places/", search="x" * 201)
    assert results(client, "/api/v1/places/", search="x" * 200) == []
    assert results(client, "/api/v1/search/", q="Atlantis") == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/places/mukden/",
        "/api/v1/places/mukden/history/",
        "/api/v1/sources/japan-russia-1903-1905/",
        "/api/v1/",
        "/api/v1/schema/",
    ],
)
def test_every_read_refuses_a_parameter_it_does_not_take(client, url):
    assert errors(client, url, colour="red")["colour"] == ["Unknown query parameter."]
    assert client.get(url, {"format": "json"}).status_code == HTTPStatus.OK


def test_a_detail_takes_no_list_parameter(client):
    # A list's filters, search, ordering and pages do not apply to one record.
    for name, value in [("kind", "port"), ("search", "x"), ("ordering", "name"), ("page", "1")]:
        assert name in errors(client, "/api/v1/places/mukden/", **{name: value})


def test_history_takes_its_pages_and_nothing_else(client):
    assert results(client, "/api/v1/places/mukden/history/", page=1, page_size=5)
    assert "search" in errors(client, "/api/v1/places/mukden/history/", search="x")
    assert "kind" in errors(client, "/api/v1/places/mukden/history/", kind="port")


def test_signing_in_refuses_a_parameter_it_does_not_take(client, make_user):
    make_user("query-signer")
    credentials = {"username": "query-signer", "password": "pw-query-signer"}
    refused = client.post("/api/v1/auth/token/?colour=red", credentials, content_type="application/json")
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert refused.json()["errors"]["colour"] == ["Unknown query parameter."]
    signed_in = client.post("/api/v1/auth/token/", credentials, content_type="application/json")
    assert signed_in.status_code == HTTPStatus.OK


def test_a_write_refuses_a_parameter_it_does_not_take(make_user, api_as):
    editor = api_as(make_user("query-writer", "change_place"))
    response = editor.patch("/api/v1/places/mukden/?dry_run=true", {"name": "Mukden"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "dry_run" in response.json()["errors"]


@pytest.mark.parametrize(
    ("url", "name", "values"),
    [
        ("/api/v1/engagements/", "kind", ["siege", "land-battle"]),
        ("/api/v1/places/", "page", ["1", "2"]),
        ("/api/v1/places/", "ordering", ["name", "-name"]),
        ("/api/v1/places/", "search", ["port", "arthur"]),
        ("/api/v1/timeline/", "type", ["treaty", "event"]),
        ("/api/v1/timeline/", "order", ["date", "narrative"]),
        ("/api/v1/search/", "q", ["port", "arthur"]),
        ("/api/v1/places/mukden/", "format", ["json", "json"]),
    ],
)
def test_a_single_valued_parameter_given_twice_is_400_naming_it(client, url, name, values):
    # It would otherwise mean its last value, silently.
    assert errors(client, url, **{name: values}) == {name: ["Give this parameter once."]}


def test_only_a_filter_declared_multi_valued_may_repeat():
    import django_filters

    from api.filters import SlugChoiceFilter
    from api.query import repeatable
    from events.models import Party

    choices = [("a", "a"), ("b", "b")]
    assert repeatable(django_filters.MultipleChoiceFilter(choices=choices))
    assert repeatable(django_filters.ModelMultipleChoiceFilter(queryset=Party.objects.all()))
    assert not repeatable(django_filters.ChoiceFilter(choices=choices))
    assert not repeatable(SlugChoiceFilter(Party))


def longest_value(schema) -> int:
    """The most bytes a value the schema allows takes in a URL: free text of 4-byte characters
    percent-encoded (12 bytes each), a patterned value with every ASCII character encoded."""
    from urllib.parse import quote

    if "enum" in schema:
        return max(len(quote(str(value), safe="")) for value in schema["enum"] if value is not None)
    if schema["type"] == "string":
        return schema["maxLength"] * (3 if "pattern" in schema else 12)
    if schema["type"] == "integer":
        return len(str(schema["maximum"]))
    if schema["type"] == "boolean":
        return len("false")
    if schema["type"] == "array":  # form style, not exploded: items joined by an encoded comma
        items = sorted(len(quote(value, safe="")) for value in schema["items"]["enum"])
        return sum(items[-schema["maxItems"] :]) + len("%2C") * (schema["maxItems"] - 1)
    raise AssertionError(f"no longest value for {schema}")


def test_every_url_the_schema_allows_fits_the_servers_request_line():
    from drf_spectacular.generators import SchemaGenerator

    from config import gunicorn

    schema = SchemaGenerator().get_schema(request=None, public=True)
    longest = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            target = path + "?" + "&".join(p["name"] + "=" for p in query) if query else path
            values = sum(longest_value(p["schema"]) for p in query)
            longest[f"{method.upper()} {path}"] = len(f"{method.upper()} {target} HTTP/1.1") + values
    assert max(longest.values()) <= gunicorn.limit_request_line, max(longest, key=longest.get)


@pytest.mark.parametrize("server", ["gunicorn", "nginx and gunicorn"])
def test_the_server_takes_long_query_values_the_schema_allows(server):
    # Two values of 200 four-byte characters and the longest of the others: about 5,000
    # bytes of request line, past gunicorn's default 4094.
    from urllib.parse import urlencode

    from tests.servers import database_url, get, gunicorn, production_server

    text = "\N{GRINNING FACE}" * 200
    query = {
        "language": text,
        "search": text,
        "party": "japan",
        "subject_type": "place",
        "ordering": "-kind,kind,-date,date,-slug,slug",
        "page": 1,
        "page_size": 100,
    }
    url = f"/api/v1/statements/?{urlencode(query)}"
    assert len(url) > 4800
    if server == "gunicorn":
        with gunicorn(DATABASE_URL=database_url()) as (base, _):
            status, headers, body = get(base + url)
    else:
        with production_server(DATABASE_URL=database_url()) as (port, _):
            status, headers, body = get(f"http://127.0.0.1:{port}{url}")
    assert status == HTTPStatus.OK, body[:200]
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["results"] == []


def test_a_bad_value_holding_a_percent_sign_is_a_400_quoting_it(client):
    assert errors(client, "/api/v1/engagements/", end="19%05") == {
        "end": ["'19%05' is not a real date of the form YYYY, YYYY-MM or YYYY-MM-DD"]
    }
    assert errors(client, "/api/v1/claims/", is_interpretation="50%") == {
        "is_interpretation": ["'50%' is not a boolean; use true or false."]
    }
