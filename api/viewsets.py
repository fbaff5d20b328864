"""The base viewsets: list and detail of one kind of record, addressed by slug, with strong
ETags; and for writable records, writes checked by api.writes, history and restoration."""

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api.conditional import etag_of, evaluate_preconditions
from api.history import RestorationSerializer, restore, version_rows
from api.writes import check_write
from sources.models import Citation


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


class ReadOnlyRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of one kind of record, addressed by slug, with strong ETags."""

    lookup_field = "slug"
    detail_serializer_class = None

    def get_serializer_class(self):
        if self.action != "list" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def retrieve(self, request, *args, **kwargs):
        data = self.get_serializer(self.get_object()).data
        etag = etag_of(data)
        return evaluate_preconditions(request, etag) or Response(data, headers={"ETag": etag})

    def represent(self, instance, status_code=status.HTTP_200_OK):
        """The record as a fresh detail read shows it, with its ETag."""
        fresh = self.get_queryset().get(pk=instance.pk)
        data = self.get_serializer(fresh).data
        return Response(data, status=status_code, headers={"ETag": etag_of(data)})


class RecordViewSet(ReadOnlyRecordViewSet, viewsets.ModelViewSet):
    """Read, write, version and restore one kind of record."""

    lock_rows = False

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
        evaluate_preconditions(request, etag_of(self.get_serializer(instance).data))
        return instance

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        check_write(serializer)
        with transaction.atomic():
            instance = serializer.save()
        response = self.represent(instance, status.HTTP_201_CREATED)
        response["Location"] = str(response.data["url"])
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
            self.locked_object(request).delete()
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
