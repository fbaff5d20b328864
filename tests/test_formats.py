"""The other forms of the records: places and engagements as GeoJSON, every record as JSON-LD."""

import json
from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def streamed_json(response):
    assert response.status_code == HTTPStatus.OK, response.content
    return json.loads(b"".join(response.streaming_content))


def chosen_point(record) -> list[float] | None:
    for statement in record["statements"]:
        if statement["kind"] == "coordinates" and statement["chosen"]:
            return [statement["longitude"], statement["latitude"]]
    return None


def test_places_are_a_feature_collection_of_every_place(client):
    response = client.get("/api/v1/places/", HTTP_ACCEPT="application/geo+json")
    assert response["Content-Type"] == "application/geo+json"
    collection = streamed_json(response)
    records = client.get("/api/v1/places/?page_size=100").json()["results"]
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"] for f in collection["features"]] == records  # none left out
    for feature, record in zip(collection["features"], records, strict=True):
        assert feature["id"] == record["url"]
        point = chosen_point(record)
        assert feature["geometry"] == (None if point is None else {"type": "Point", "coordinates": point})
    changchun = next(f for f in collection["features"] if f["properties"]["slug"] == "changchun")
    assert changchun["geometry"] == {"type": "Point", "coordinates": [125.32278, 43.88]}
    assert any(f["geometry"] is None for f in collection["features"])  # Manchuria: a region, no point


def test_an_engagement_is_where_its_places_are(client):
    collection = streamed_json(client.get("/api/v1/engagements/?format=geojson"))
    places = {p["slug"]: p for p in client.get("/api/v1/places/?page_size=100").json()["results"]}
    liaoyang = next(
        f for f in collection["features"] if f["properties"]["slug"] == "battles-of-liaoyang-and-shahe"
    )
    points = [chosen_point(places[link["place"]["slug"]]) for link in liaoyang["properties"]["places"]]
    assert len([p for p in points if p]) > 1
    assert liaoyang["geometry"] == {"type": "MultiPoint", "coordinates": [p for p in points if p]}


def test_a_place_is_a_feature(client):
    response = client.get("/api/v1/places/changchun/?format=geojson")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/geo+json"
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["properties"] == client.get("/api/v1/places/changchun/").json()
    assert feature["geometry"]["coordinates"] == [125.32278, 43.88]


@pytest.mark.parametrize("url", ["/api/v1/events/?format=geojson", "/api/v1/parties/japan/?format=geojson"])
def test_only_places_and_engagements_are_geojson(client, url):
    assert client.get(url).status_code == HTTPStatus.NOT_ACCEPTABLE


def linked(client, url) -> dict:
    response = client.get(url, HTTP_ACCEPT="application/ld+json")
    assert response.status_code == HTTPStatus.OK, response.content
    assert response["Content-Type"] == "application/ld+json"
    return response.json()


def test_a_place_in_json_ld_is_a_schema_org_place_with_its_ids(client):
    place = linked(client, "/api/v1/places/changchun/")
    record = client.get("/api/v1/places/changchun/").json()
    assert place["@context"] == "https://schema.org"
    assert (place["@type"], place["@id"], place["name"]) == ("Place", record["url"], "Changchun")
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 43.88, "longitude": 125.32278}
    geonames = [s["text"] for s in record["statements"] if s["kind"] == "geonames-id"]
    assert f"https://sws.geonames.org/{geonames[0]}/" in place["sameAs"]
    assert place["containedInPlace"]["@id"] == record["part_of"]["url"]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/api/v1/parties/japan/", "Country"),
        ("/api/v1/parties/roosevelt/", "Person"),
        ("/api/v1/parties/japanese-armies/", "Organization"),
        ("/api/v1/events/negotiations-opened/", "Event"),
        ("/api/v1/engagements/battles-of-liaoyang-and-shahe/", "Event"),
        ("/api/v1/treaties/portsmouth-treaty/", "Legislation"),
        ("/api/v1/treaty-articles/portsmouth-treaty-article-i/", "Legislation"),
    ],
)
def test_each_kind_has_its_schema_org_type(client, url, kind):
    assert linked(client, url)["@type"] == kind


def test_json_ld_says_what_the_json_says(client):
    treaty = linked(client, "/api/v1/treaties/portsmouth-treaty/")
    record = client.get("/api/v1/treaties/portsmouth-treaty/").json()
    assert treaty["legislationDate"] == record["chosen_date"]["date"] == "1905-09-05"
    quoted = [c for c in record["citations"] if c["quote"]]
    assert [c["text"] for c in treaty["citation"] if c["@type"] == "Quotation"] == [
        c["quote"] for c in quoted
    ]
    assert {c["@id"] for c in treaty["citation"]} == {c["url"] for c in record["citations"]}
    event = linked(client, "/api/v1/events/negotiations-opened/")
    assert event["startDate"] == "1903-08"  # to its precision, as the JSON gives it
    assert {p["@id"] for p in event["about"]} == {
        link["party"]["url"] for link in client.get("/api/v1/events/negotiations-opened/").json()["parties"]
    }


def test_json_ld_has_an_etag_of_its_own(client):
    plain = client.get("/api/v1/places/changchun/")
    ld = client.get("/api/v1/places/changchun/", HTTP_ACCEPT="application/ld+json")
    assert ld["ETag"] != plain["ETag"]
    again = client.get(
        "/api/v1/places/changchun/", HTTP_ACCEPT="application/ld+json", HTTP_IF_NONE_MATCH=ld["ETag"]
    )
    assert again.status_code == HTTPStatus.NOT_MODIFIED


def test_a_list_is_not_json_ld(client):
    assert client.get("/api/v1/places/?format=jsonld").status_code == HTTPStatus.NOT_ACCEPTABLE
