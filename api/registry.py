"""The kinds of record: their public type names, their URLs, which carry citations and which
own figures. Found from the models themselves, so a new kind of record needs no list kept."""

import functools

from django.apps import apps
from django.contrib.contenttypes.fields import GenericRelation
from django.urls import get_script_prefix, reverse


def record_type(model) -> str:
    """The public name of a kind of record: "party", "treaty-term", ..."""
    return model._meta.verbose_name.replace(" ", "-")


def detail_url(request, instance) -> str:
    """The absolute URL of a record's detail (a path when there is no request).

    A response links to many records: the URL's prefix is reversed once per kind and script
    prefix, and the origin read once per request, rather than for every link.
    """
    return record_url(request, type(instance), instance.slug)


def record_url(request, model, slug: str) -> str:
    """The absolute URL of the detail of `model`'s record `slug` (see detail_url)."""
    path = _detail_prefix(model, get_script_prefix()) + slug + "/"
    if request is None:
        return path
    origin = getattr(request, "_api_origin", None)
    if origin is None:
        origin = request._api_origin = request.build_absolute_uri("/").removesuffix("/")
    return origin + path


@functools.cache
def _detail_prefix(model, script_prefix: str) -> str:
    marker = "0-slug-0"
    path = reverse(f"{record_type(model)}-detail", kwargs={"slug": marker})
    assert path.endswith(f"/{marker}/"), path
    return path.removesuffix(f"{marker}/")


def _owning(relation_name: str) -> dict:
    return {
        record_type(model): model
        for model in apps.get_models()
        if any(
            isinstance(field, GenericRelation) and field.name == relation_name
            for field in model._meta.private_fields
        )
    }


def citable_models() -> dict:
    """Every kind of record that carries citations, by its public type name."""
    return _owning("citations")


def figure_subject_models() -> dict:
    """Every kind of record that owns figures (and so may be a figure's subject), by type name."""
    return _owning("figures")


def statement_subject_models() -> dict:
    """Every kind of record other sources' statements may be about, by type name."""
    return _owning("statements")


def judgeable_models() -> dict:
    """Every kind of record a claim may judge (events.Judgeable), by its public type name."""
    return _owning("judged_by")


def dated_models() -> dict:
    """Every kind of record with a date to its precision (api.dates.DatedRecord), by type name."""
    from api.dates import DatedRecord

    return {record_type(model): model for model in apps.get_models() if issubclass(model, DatedRecord)}


_shown_inside_owners = {}


def shown_inside_owners(serializer_class):
    """Class decorator: this serializer shows its model's records inside the record they
    belong to (a figure inside its subject), wherever an OwnedRecordsField lists them."""
    _shown_inside_owners[serializer_class.Meta.model] = serializer_class
    return serializer_class


def owned_record_serializer(model):
    """The serializer registered with shown_inside_owners for `model`."""
    return _shown_inside_owners[model]
