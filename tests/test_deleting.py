"""One rule for every delete, from the API, the admin or code: a record others still refer to
is refused, naming them; a record nothing refers to goes with its own parts (citations, the
rows of its own links) and comes back whole with one restore."""

from http import HTTPStatus

import pytest
from django.apps import apps
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models, transaction
from django.db.models import ProtectedError

from api.deletion import PART, Dependents, Parts
from events.models import (
    Claim,
    Counterproposal,
    Engagement,
    Event,
    Figure,
    JudgedRecord,
    Place,
    Proposal,
    Response,
)
from sources.models import Citation
from tests.factories import unjudged
from treaties.models import TermParty, Treaty, TreatyTerm

# The delete rule over the textbook's records; statements keep theirs as figures do (tests/
# test_statements.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("textbook_only")]


@pytest.fixture
def editor(make_user, api_as):
    return api_as(make_user("curator", superuser=True))


def refused(response) -> str:
    assert response.status_code == HTTPStatus.CONFLICT, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["detail"]


def test_every_relation_between_records_says_which_side_it_belongs_to():
    """A new relation cannot slip in with Django's default CASCADE (ARCHITECTURE.md)."""
    domain = [
        model
        for app in ("sources", "events", "treaties")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if not hasattr(model, "instance_type")  # not a history table
    ]
    records = {model for model in domain if hasattr(model, "slug")}
    for model in domain:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model in records:
                where = f"{model.__name__}.{field.name}"
                assert field.remote_field.on_delete in (models.PROTECT, PART), where
        for field in model._meta.private_fields:
            if isinstance(field, GenericRelation):
                assert isinstance(field, Parts | Dependents), f"{model.__name__}.{field.name}"


def test_a_treaty_with_terms_is_not_deleted(editor):
    roles, citations = TermParty.objects.count(), Citation.objects.count()
    detail = refused(editor.delete("/api/v1/treaties/portsmouth-treaty/"))
    # Its articles and its terms; the first ten are named.
    assert detail == (
        "Other records still refer to this one: "
        "treaty-article portsmouth-treaty-additional-article-i, "
        "treaty-article portsmouth-treaty-additional-article-ii, "
        + ", ".join(f"treaty-article portsmouth-treaty-article-{n}" for n in ["i", "ii", "iii", "iv"])
        + ", treaty-article portsmouth-treaty-article-ix, treaty-article portsmouth-treaty-article-v, "
        "treaty-article portsmouth-treaty-article-vi, treaty-article portsmouth-treaty-article-vii "
        "and 12 more."
    )
    treaty = Treaty.objects.get(slug="portsmouth-treaty")
    assert treaty.terms.count() == 5
    assert (TermParty.objects.count(), Citation.objects.count()) == (roles, citations)


def test_a_request_a_counterproposal_answers_and_a_claim_judges_is_not_deleted(editor):
    detail = refused(editor.delete("/api/v1/proposals/request-3/"))
    assert detail == (
        "Other records still refer to this one: claim russia-had-no-good-reason-to-object (judges), "
        "counterproposal counterproposal-2 (responds_to), counterproposal counterproposal-3 (responds_to), "
        "treaty-term portsmouth-treaty-term-1 (settles_requests)."
    )
    responses = Response.objects.filter(proposal__slug="request-3").order_by("counterproposal__slug")
    assert [r.counterproposal.slug for r in responses] == ["counterproposal-2", "counterproposal-3"]
    assert responses[0].rationale.startswith("Request 3 asks")


def test_a_place_other_records_link_to_is_not_deleted(editor):
    detail = refused(editor.delete("/api/v1/places/port-arthur/"))
    engagements = Engagement.objects.filter(places__slug="port-arthur").order_by("slug")
    assert len(engagements) == 2
    for engagement in engagements:
        assert f"engagement {engagement.slug} (places)" in detail
    assert Place.objects.get(slug="port-arthur").engagements.count() == 2


def test_a_record_figures_are_about_is_not_deleted(editor):
    detail = refused(editor.delete("/api/v1/engagements/occupation-of-mukden/"))
    assert detail == (
        "Other records still refer to this one: "
        "claim japan-won-consecutive-victories (judges), claim mukden-was-decisive (judges), "
        "claim victories-contrary-to-expectations (judges), "
        "figure mukden-russian-casualties, figure mukden-russian-prisoners."
    )
    assert Engagement.objects.get(slug="occupation-of-mukden").figures.count() == 2


def test_a_record_a_claim_judges_is_not_deleted_until_the_claim_lets_go_of_it(editor, client):
    url = "/api/v1/engagements/fall-of-port-arthur/"
    detail = refused(editor.delete(url))
    assert detail == (
        "Other records still refer to this one: claim japan-won-consecutive-victories (judges), "
        "claim victories-contrary-to-expectations (judges)."
    )
    assert client.get(url).status_code == HTTPStatus.OK
    for claim in ("japan-won-consecutive-victories", "victories-contrary-to-expectations"):
        judges = client.get(f"/api/v1/claims/{claim}/").json()["judges"]
        kept = [{"type": j["type"], "slug": j["slug"]} for j in judges if j["slug"] != "fall-of-port-arthur"]
        assert len(kept) == 4
        assert (
            editor.patch(f"/api/v1/claims/{claim}/", {"judges": kept}, format="json").status_code
            == HTTPStatus.OK
        )
    assert editor.delete(url).status_code == HTTPStatus.NO_CONTENT
    assert client.get(url).status_code == HTTPStatus.GONE


def test_a_claim_goes_with_its_judgements_and_comes_back_with_them(editor, client):
    url = "/api/v1/claims/russia-had-no-good-reason-to-object/"
    claim = Claim.objects.get(slug="russia-had-no-good-reason-to-object")
    rows = list(claim.judges.values_list("pk", flat=True))
    assert len(rows) == 3
    before = client.get(url).json()
    assert editor.delete(url).status_code == HTTPStatus.NO_CONTENT
    assert not JudgedRecord.objects.filter(pk__in=rows).exists()
    reasons = JudgedRecord.history.filter(id__in=rows, history_type="-").values_list(
        "history_change_reason", flat=True
    )
    assert list(reasons) == ["deleted with claim russia-had-no-good-reason-to-object"] * 3
    version = client.get(f"{url}history/").json()["results"][0]["version"]
    restored = editor.post(f"{url}restorations/", {"version": version}, format="json")
    assert restored.status_code == HTTPStatus.OK, restored.content
    assert restored.json() == before
    assert sorted(JudgedRecord.objects.filter(claim__slug=claim.slug).values_list("pk", flat=True)) == rows


def test_a_claim_whose_judged_record_is_gone_is_not_restored(editor, client):
    url = "/api/v1/claims/mukden-was-decisive/"
    assert editor.delete(url).status_code == HTTPStatus.NO_CONTENT
    # The other claims judging it let go of it, and its figures go: nothing refers to it now.
    unjudged((Engagement, "occupation-of-mukden"))
    Engagement.objects.get(slug="occupation-of-mukden").figures.all().delete()
    assert editor.delete("/api/v1/engagements/occupation-of-mukden/").status_code == HTTPStatus.NO_CONTENT
    version = client.get(f"{url}history/").json()["results"][0]["version"]
    response = editor.post(f"{url}restorations/", {"version": version}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert response.json()["errors"] == {
        "judges": ["No engagement with slug 'occupation-of-mukden': it was deleted; restore it first."]
    }
    assert not Claim.objects.filter(slug="mukden-was-decisive").exists()


def test_a_negotiation_with_requests_is_not_deleted(editor):
    detail = refused(editor.delete("/api/v1/negotiations/japan-russia-negotiations-1903-1904/"))
    assert detail.startswith("Other records still refer to this one: counterproposal counterproposal-1, ")
    # 3 counterproposals, 8 events, 3 requests and the figure about it: all of them, though the
    # delete meets the keys pointing at it before the figure.
    assert detail.endswith(" and 5 more.")
    assert Proposal.objects.count() == 3


@pytest.mark.parametrize(
    ("url", "model"),
    [
        ("/api/v1/terms/portsmouth-treaty-term-1/", TreatyTerm),
        ("/api/v1/counterproposals/counterproposal-1/", Counterproposal),
        ("/api/v1/events/martial-law-in-manchuria/", Event),
        ("/api/v1/engagements/battles-of-liaoyang-and-shahe/", Engagement),
        ("/api/v1/claims/mukden-was-decisive/", Claim),
        ("/api/v1/figures/mukden-russian-casualties/", Figure),
    ],
)
def test_a_record_nothing_refers_to_is_deleted_and_comes_back_whole(editor, client, url, model):
    unjudged((model, url.split("/")[-2]))
    before = client.get(url).json()
    assert before["citations"]
    assert editor.delete(url).status_code == HTTPStatus.NO_CONTENT
    assert client.get(url).status_code == HTTPStatus.GONE
    history = client.get(f"{url}history/").json()["results"]
    assert history[0]["change"] == "deleted"
    restored = editor.post(f"{url}restorations/", {"version": history[0]["version"]}, format="json")
    assert restored.status_code == HTTPStatus.OK, restored.content
    assert restored.json() == before
    assert client.get(url).json() == before


def test_the_parts_deleted_with_a_record_say_so_in_their_history(editor, client):
    term = TreatyTerm.objects.get(slug="portsmouth-treaty-term-1")
    citation = Citation.objects.for_record(term).get()
    role_ids = list(term.party_roles.values_list("pk", flat=True))
    assert editor.delete("/api/v1/terms/portsmouth-treaty-term-1/").status_code == HTTPStatus.NO_CONTENT

    latest = client.get(f"/api/v1/citations/{citation.uuid}/history/").json()["results"][0]
    reason = "deleted with treaty-term portsmouth-treaty-term-1"
    assert (latest["change"], latest["reason"]) == ("deleted", reason)
    deletions = TermParty.history.filter(id__in=role_ids, history_type="-")
    assert set(deletions.values_list("history_change_reason", flat=True)) == {reason}


def test_a_restore_brings_back_only_what_the_delete_took(editor, client):
    unjudged((Event, "martial-law-in-manchuria"))
    url = "/api/v1/events/martial-law-in-manchuria/"
    event = Event.objects.get(slug="martial-law-in-manchuria")
    citations = list(Citation.objects.for_record(event).order_by("start"))
    dropped, kept = citations[0], citations[1:]
    assert editor.delete(f"/api/v1/citations/{dropped.uuid}/").status_code == HTTPStatus.NO_CONTENT
    assert editor.delete(url).status_code == HTTPStatus.NO_CONTENT
    version = client.get(f"{url}history/").json()["results"][1]["version"]
    restored = editor.post(f"{url}restorations/", {"version": version}, format="json")
    assert restored.status_code == HTTPStatus.OK
    back = Citation.objects.for_record(Event.objects.get(slug="martial-law-in-manchuria"))
    assert sorted(back.values_list("uuid", flat=True)) == sorted(c.uuid for c in kept)


def test_code_meets_the_same_rule():
    with pytest.raises(ProtectedError), transaction.atomic():
        Place.objects.get(slug="port-arthur").delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Proposal.objects.filter(slug="request-3").delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Treaty.objects.all().delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Engagement.objects.get(slug="fall-of-port-arthur").delete()
    assert Place.objects.get(slug="port-arthur").engagements.count() == 2
    assert Engagement.objects.filter(slug="fall-of-port-arthur").exists()
    assert TreatyTerm.objects.count() == 5


def test_the_admin_meets_the_same_rule(make_user, client):
    client.force_login(make_user("curator", superuser=True))
    place = Place.objects.get(slug="port-arthur")
    page = client.get(f"/admin/events/place/{place.pk}/delete/")
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "would require deleting the following protected related objects" in text
    assert "Engagement place: (3) Fall of Port Arthur → Port Arthur (site)" in text
    client.post(f"/admin/events/place/{place.pk}/delete/", {"post": "yes"})
    assert Place.objects.filter(slug="port-arthur").exists()
    assert place.engagements.count() == 2

    engagement = Engagement.objects.get(slug="occupation-of-mukden")
    page = client.get(f"/admin/events/engagement/{engagement.pk}/delete/").content.decode()
    assert "would require deleting the following protected related objects" in page
    assert "casualties: 100000 persons" in page
    assert "Judged record: The land battle at Mukden was decisive → (4) Occupation of Mukden" in page
    client.post(f"/admin/events/engagement/{engagement.pk}/delete/", {"post": "yes"})
    assert Engagement.objects.filter(slug="occupation-of-mukden").exists()

    treaty = Treaty.objects.get()
    client.post(
        "/admin/treaties/treaty/",
        {"action": "delete_selected", "_selected_action": [treaty.pk], "post": "yes"},
    )
    assert TreatyTerm.objects.count() == 5

    unjudged((Counterproposal, "counterproposal-1"))
    counter = Counterproposal.objects.get(slug="counterproposal-1")
    deleted = client.post(f"/admin/events/counterproposal/{counter.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == HTTPStatus.FOUND
    assert not Response.objects.filter(counterproposal_id=counter.pk).exists()
    assert set(
        Response.history.filter(counterproposal_id=counter.pk, history_type="-").values_list(
            "history_change_reason", flat=True
        )
    ) == {"deleted with counterproposal counterproposal-1"}
