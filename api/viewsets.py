"""The base viewsets: list and detail of one kind of record, addressed by slug, with strong
ETags; and for writable records, writes checked by api.writes, history and restoration."""

import json

from django.db import models, transaction
from django.db.models import Prefetch, ProtectedError
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api import as_of, geo, linked_data, renderings, statements, streaming, tables
from api.conditional import evaluate_preconditions
from api.deletion import dependents_of
from api.errors import Gone
from api.history import RestorationSerializer, restore, version_rows
from api.query import CheckedQueryMixin
from api.renderers import CSVRenderer, GeoJSONRenderer, JSONLDRenderer
from api.writes import check_write
from sources.models import Citation

# Stands for a detail URL's slug in the statement compiled for every such URL; no slug is it.
LOOKUP_PLACEHOLDER = "\x00slug\x00"


def citations_prefetch(path: str = "citations") -> Prefetch:
    """A record's citations with their source's name, not its whole text."""
    return Prefetch(path, queryset=Citation.objects.for_display())


class RestorePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        model = view.queryset.model
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
        )


class ReadOnlyRecordViewSet(CheckedQueryMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail of one kind of record, addressed by slug, with strong ETags, answered
    from the records' stored renderings (api.renderings)."""

    lookup_field = "slug"
    detail_serializer_class = None
    # schema.org's type of the records as JSON-LD (api.linked_data): a type, or one for each
    # value of the records' `kind`.
    linked_data_type: str | dict = "Thing"
    # Whether the records answer as GeoJSON too (api.geo); `geometries` says where each is.
    geojson = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.queryset is not None:
            renderings.register(cls)

    def get_serializer_class(self):
        if self.action != "list" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def get_renderers(self):
        # No action: a method the address does not take, a 405 whatever format it asks for.
        renderers = super().get_renderers()
        if self.action in ("list", None):
            renderers.append(CSVRenderer())
        if self.action in ("retrieve", None):
            renderers.append(JSONLDRenderer())
        if self.geojson and self.action in ("list", "retrieve", None):
            renderers.append(GeoJSONRenderer())
        return renderers

    def list(self, request, *args, **kwargs):
        shown = request.accepted_renderer.format
        if shown == CSVRenderer.format:
            columns = list(self.get_serializer().fields)
            chunks, links = self.selection(request)
            parts = lambda: tables.lines(columns, chunks())  # noqa: E731
            what = f"{self.basename}-csv"
            return streaming.streamed(request, what, parts, tables.CONTENT_TYPE, links=links)
        if shown == GeoJSONRenderer.format:
            chunks, links = self.selection(request)
            parts = lambda: geo.collection_parts(chunks(), self.geometries)  # noqa: E731
            media_type = GeoJSONRenderer.media_type
            return streaming.streamed(request, f"{self.basename}-geojson", parts, media_type, links=links)
        page = self.paginate_queryset(self.record_keys())
        items = renderings.read(self.queryset.model, page, "listed")
        return renderings.answer(request, renderings.envelope(self.get_paginated_response([]), items))

    def selection(self, request):
        """For a list in another form than JSON (CSV, GeoJSON): a maker of its records as listed
        (parsed, links absolute), in chunks read as they go, and the page's `next` and `previous`
        links. It is the whole selection (its filters, search and ordering), unless the request
        names a page."""
        model = self.queryset.model
        if set(request.query_params) & self.paginator.parameters():
            page = self.paginate_queryset(self.record_keys())
            links = self.paginator.links()
            keys = iter(page)
        else:
            links, keys = {}, self.filtered_keys().iterator()

        def chunks():
            for chunk in streaming.chunks(keys):
                texts = renderings.read(model, chunk, "listed")
                yield [json.loads(renderings.with_origin(request, text)) for text in texts]

        return chunks, links

    def geometries(self, records):
        """The GeoJSON geometry of each of these records (their JSON): by default, their own point."""
        return [geo.geometry([geo.point(record)]) for record in records]

    def retrieve(self, request, *args, **kwargs):
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        try:
            pk = self.record_key(value)
        except Http404:
            moved = self.moved(request, value)
            if moved is not None:
                return moved
            raise
        text = next(iter(renderings.read(self.queryset.model, [pk], "detail")), None)
        if text is None:  # deleted between the two reads
            raise Http404(f"No {self.queryset.model._meta.verbose_name} matches the given query.")
        shown = request.accepted_renderer.format
        if shown in (JSONLDRenderer.format, GeoJSONRenderer.format):
            # Another form of the record, under an ETag of its own (the digest of its body).
            record = json.loads(renderings.with_origin(request, text))
            if shown == GeoJSONRenderer.format:
                return Response(geo.feature(record, self.geometries([record])[0]))
            kind = self.linked_data_type
            return Response(
                linked_data.linked(record, kind[record["kind"]] if isinstance(kind, dict) else kind)
            )
        etag = renderings.etag(text)
        answer = renderings.answer(request, text, headers={"ETag": etag})
        return evaluate_preconditions(request, etag) or answer

    def moved(self, request, value):
        """For an identifier no record has now but one had once (its history keeps it): a 301 to
        the record it names now (its slug was changed since), else a 410 Gone problem linking to
        its history (it was deleted). None for one that never was: the 404 stands."""
        model = self.queryset.model
        if not hasattr(model, "history") or not isinstance(value, str):
            return None
        versions = model.history.order_by("-history_id")
        last = versions.filter(**{self.lookup_field: value}).values_list("id", flat=True).first()
        if last is None:
            return None
        now = model._default_manager.filter(pk=last).values_list(self.lookup_field, flat=True).first()
        if now is not None:
            if str(now) == value:  # there, but not among what this list serves
                return None
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(
                request.build_absolute_uri(f"../{now}/" + (f"?{query}" if query else ""))
            )
        deleted = versions.filter(id=last, history_type="-").values_list("history_date", flat=True).first()
        when = f" on {deleted:%Y-%m-%d}" if deleted else ""
        raise Gone(
            f"This {model._meta.verbose_name} was deleted{when}; its history stays.",
            {"history": request.build_absolute_uri(f"{request.path}history/")},
        )

    def record_keys(self):
        """The primary keys of the records this request selects, in order: what a read of the
        stored renderings needs, without the rows or their prefetches.

        A query naming none of the filter backends' parameters selects what every such query
        does: its keys come from statements compiled once (api.statements)."""
        if set(self.request.query_params) <= self.unfiltering_parameters():
            return statements.Keys(("keys", type(self), self.action), self.filtered_keys)
        return self.filtered_keys()

    def filtered_keys(self):
        return self.filter_queryset(self.get_queryset()).prefetch_related(None).values_list("pk", flat=True)

    def unfiltering_parameters(self) -> set[str]:
        """The query parameters that leave the records selected as they are: format, as_of (which
        chose the database) and pages (their numbers, their size, a cursor)."""
        return {api_settings.URL_FORMAT_OVERRIDE, as_of.PARAMETER, *self.paginator.parameters()}

    def record_key(self, value):
        """The primary key of the record this detail URL names (a 404 when there is none)."""
        field = self.queryset.model._meta.get_field(self.lookup_field)
        if isinstance(field, models.CharField) and isinstance(value, str):
            # A slug is its own SQL parameter, whatever the database: the statement is compiled once.
            lookup = {self.lookup_field: LOOKUP_PLACEHOLDER}
            build = lambda: self.filtered_keys().filter(**lookup)  # noqa: E731
            found = statements.rows(("key", type(self)), build, {LOOKUP_PLACEHOLDER: value})
            if not found:
                raise Http404(f"No {self.queryset.model._meta.verbose_name} matches the given query.")
            return found[0][0]
        return get_object_or_404(self.filtered_keys(), **{self.lookup_field: value})

    def detail_text(self, instance) -> str:
        """The detail of a record this view has loaded, as it would be stored."""
        ((text, _),) = renderings.texts(self, [instance])
        return text

    def represent(self, instance, status_code=status.HTTP_200_OK):
        """The record as a fresh detail read shows it, with its ETag."""
        text = self.detail_text(self.get_queryset().get(pk=instance.pk))
        return renderings.answer(
            self.request, text, status=status_code, headers={"ETag": renderings.etag(text)}
        )


class RecordViewSet(ReadOnlyRecordViewSet, viewsets.ModelViewSet):
    """Read, write, version and restore one kind of record."""

    lock_rows = False
    listing_actions = ("list", "history")

    def get_permissions(self):
        if self.action == "restorations":
            return [RestorePermission()]
        return super().get_permissions()

    def get_queryset(self):
        queryset = super().get_queryset()
        # PostgreSQL locks the row as it reads it; SQLite's IMMEDIATE transactions (see
        # settings) hold the database's write lock from their start, and it ignores this.
        return queryset.select_for_update(of=("self",)) if self.lock_rows else queryset

    def locked_object(self, request):
        """The record, read in the query that takes its row lock, once the request's
        preconditions (If-Match, If-None-Match) hold for it: check and write are one step."""
        self.lock_rows = True
        try:
            instance = self.get_object()
        finally:
            self.lock_rows = False
        evaluate_preconditions(request, renderings.etag(self.detail_text(instance)))
        return instance

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        check_write(serializer)
        with transaction.atomic():
            instance = serializer.save()
        response = self.represent(instance, status.HTTP_201_CREATED)
        lookup = {self.lookup_url_kwarg or self.lookup_field: getattr(instance, self.lookup_field)}
        response["Location"] = self.reverse_action("detail", kwargs=lookup)
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.locked_object(request)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            check_write(serializer)
            serializer.save()
        return self.represent(instance)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.locked_object(request)
            try:
                instance.delete()
            except ProtectedError as exc:
                # The 409 names everything that keeps it, not only what the delete met first.
                raise ProtectedError(exc.args[0], exc.protected_objects | dependents_of(instance)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, **kwargs):
        model = self.queryset.model
        key = {self.lookup_field: kwargs[self.lookup_field]}
        versions = model.history.filter(**key).select_related("history_user").order_by("-history_id")
        page = self.paginate_queryset(versions)
        if not page:
            raise Http404(f"No {model._meta.verbose_name} {kwargs[self.lookup_field]} has ever existed.")
        return self.get_paginated_response(
            version_rows(model, page, show_users=request.user.is_authenticated)
        )

    @action(detail=True, methods=["post"], filter_backends=[])
    def restorations(self, request, **kwargs):
        model = self.queryset.model
        key = {self.lookup_field: kwargs[self.lookup_field]}
        restoration = RestorationSerializer(data=request.data)
        restoration.is_valid(raise_exception=True)
        version = restoration.validated_data["version"]
        historical = model.history.filter(**key, history_id=version).first()
        if historical is None:
            raise Http404(f"{model._meta.verbose_name} {kwargs[self.lookup_field]} has no version {version}.")
        deleted = not model.objects.filter(pk=historical.id).exists()
        if deleted and not request.user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}"):
            raise PermissionDenied("Bringing back a deleted record needs the add permission.")
        with transaction.atomic():
            instance = restore(historical, reason=f"restored version {version}")
        return self.represent(instance)
