"""An identifier once published stays meaningful: a deleted record is 410 Gone with a link to
its history, a record whose slug changed is a 301 to its new address, one never made a 404."""

from http import HTTPStatus

import pytest

from events.models import Place
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_deleted_record_is_gone_and_its_history_stays(client):
    place = factories.place()
    url = f"/api/v1/places/{place.slug}/"
    assert client.get(url).status_code == HTTPStatus.OK
    place.statements.all().delete()
    place.citations.all().delete()
    place.delete()
    response = client.get(url)
    assert response.status_code == HTTPStatus.GONE
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == HTTPStatus.GONE
    assert problem["detail"].startswith("This place was deleted on ")
    assert problem["history"] == f"http://testserver{url}history/"
    history = client.get(problem["history"])
    assert history.status_code == HTTPStatus.OK
    assert history.json()["results"][0]["change"] == "deleted"


def test_a_record_whose_slug_changed_is_moved_permanently(client):
    place = factories.place()
    old = place.slug
    place.slug = f"{old}-renamed"
    place.save()
    response = client.get(f"/api/v1/places/{old}/?format=json")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == f"http://testserver/api/v1/places/{old}-renamed/?format=json"
    assert client.get(response["Location"]).json()["slug"] == f"{old}-renamed"


def test_an_identifier_never_used_is_not_found(client):
    assert not Place.history.filter(slug="atlantis").exists()
    assert client.get("/api/v1/places/atlantis/").status_code == HTTPStatus.NOT_FOUND
