"""The base viewsets: list and detail of one kind of record, addressed by slug, with strong
ETags; and for writable records, writes checked by api.writes, history and restoration."""

from django.db import models, transaction
from django.db.models import Prefetch, ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api import renderings, statements
from api.conditional import evaluate_preconditions
from api.deletion import dependents_of
from api.history import RestorationSerializer, restore, version_rows
from api.query import CheckedQueryMixin
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

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.queryset is not None:
            renderings.register(cls)

    def get_serializer_class(self):
        if self.action != "list" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.record_keys())
        items = renderings.read(self.queryset.model, page, "listed")
        return renderings.answer(request, renderings.envelope(self.get_paginated_response([]), items))

    def retrieve(self, request, *args, **kwargs):
        pk = self.record_key(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        text = next(iter(renderings.read(self.queryset.model, [pk], "detail")), None)
        if text is None:  # deleted between the two reads
            raise Http404(f"No {self.queryset.model._meta.verbose_name} matches the given query.")
        etag = renderings.etag(text)
        answer = renderings.answer(request, text, headers={"ETag": etag})
        return evaluate_preconditions(request, etag) or answer

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
        """The query parameters that leave the records selected as they are: format and pages."""
        paginator = self.paginator
        return {api_settings.URL_FORMAT_OVERRIDE, paginator.page_query_param, paginator.page_size_query_param}

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
