import hashlib
import json

from django.db import transaction
from django.db.models.functions import Length
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

from sources.filters import CitationFilter
from sources.history import restore_version, version_rows
from sources.models import Citation, Source
from sources.serializers import (
    STRICT_FIELDS,
    CitationDetailSerializer,
    KnownFieldsMixin,
    SourceDetailSerializer,
    SourceSerializer,
)


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since the ETag you sent; fetch it again and retry."
    default_code = "precondition_failed"


def etag_of(data) -> str:
    """A strong ETag: the digest of the record's representation."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def etags_in(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="Pass it to .../restorations/ to restore this state.")
    recorded_at = serializers.DateTimeField()
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(allow_null=True, help_text="Who made the change; null for the loader.")
    reason = serializers.CharField(allow_null=True, help_text='e.g. "load_dataset" for the fixtures.')
    snapshot = serializers.DictField(help_text="The record's fields as they were; relations as slugs.")


class RestorationSerializer(KnownFieldsMixin, serializers.Serializer):
    version = STRICT_FIELDS[serializers.IntegerField](
        min_value=1,
        # The largest id every database stores; past it a lookup would overflow SQLite.
        max_value=2**63 - 1,
        help_text="A version from the record's history.",
    )


def document(singular: str, plural: str, tag: str, description: str = "", writable: bool = True):
    """Summaries, description and tag for every operation on a resource."""
    operations = {
        "list": extend_schema(summary=f"List {plural}", description=description, tags=[tag]),
        "retrieve": extend_schema(
            summary=f"Retrieve one {singular}",
            description=description + " Carries a strong ETag; send it in If-None-Match to get a 304.",
            tags=[tag],
        ),
    }
    if writable:
        auth = (
            " Needs a token (`Authorization: Token <key>`) or a session of a user with the matching "
            "model permission. Send the ETag of the version you edited in `If-Match`: if the record "
            "changed since, the answer is 412 and nothing is written."
        )
        operations |= {
            "create": extend_schema(
                summary=f"Create a {singular}",
                description="Related records are given by slug. Unknown or read-only fields are a 400."
                + auth,
                tags=[tag],
            ),
            "update": extend_schema(summary=f"Replace a {singular}", description=auth.strip(), tags=[tag]),
            "partial_update": extend_schema(
                summary=f"Change some fields of a {singular}", description=auth.strip(), tags=[tag]
            ),
            "destroy": extend_schema(
                summary=f"Delete a {singular}",
                description=(
                    "Its history is kept, and it can be brought back with .../restorations/. A record "
                    "others still refer to cannot be deleted (409)." + auth
                ),
                tags=[tag],
            ),
            "history": extend_schema(
                summary=f"List the versions of a {singular}",
                description=(
                    "Every change, newest first: when, by whom, through which path (the reason), and "
                    "the record as it was. Also answers for a deleted record."
                ),
                tags=[tag],
                responses=VersionSerializer(many=True),
            ),
            "restorations": extend_schema(
                summary=f"Restore a {singular} to an earlier version",
                description=(
                    "Puts the record back as it was at `version` (see .../history/), its relations "
                    "included; a deleted record comes back with the citations and figures deleted "
                    "with it. Needs the change permission (and the add permission for a deleted record)."
                ),
                tags=[tag],
                request=RestorationSerializer,
            ),
        }
    return extend_schema_view(**operations)


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
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            sent = [tag.removeprefix("W/") for tag in etags_in(if_none_match)]
            if etag in sent or "*" in sent:
                return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})

    def represent(self, instance, status_code=status.HTTP_200_OK, headers=None):
        """The record as a fresh detail read shows it, with its ETag."""
        fresh = self.get_queryset().get(pk=instance.pk)
        data = self.get_serializer(fresh).data
        return Response(data, status=status_code, headers={"ETag": etag_of(data), **(headers or {})})


class RecordViewSet(ReadOnlyRecordViewSet, viewsets.ModelViewSet):
    """Read, write, version and restore one kind of record."""

    def get_permissions(self):
        if self.action == "restorations":
            return [RestorePermission()]
        return super().get_permissions()

    def locked_object(self):
        """The record, read after taking its row lock, so the ETag check and the write are one step.

        PostgreSQL locks the row (SELECT ... FOR UPDATE); SQLite's IMMEDIATE transactions
        (see settings) already hold the database's write lock from the transaction's start.
        """
        instance = self.get_object()
        type(instance).objects.select_for_update().filter(pk=instance.pk).exists()
        return self.get_object()

    def check_if_match(self, request, instance):
        header = request.headers.get("If-Match")
        if header is None:
            return
        sent = etags_in(header)
        if "*" in sent:
            return
        if etag_of(self.get_serializer(instance).data) not in sent:
            raise PreconditionFailed()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = serializer.save()
        response = self.represent(instance, status.HTTP_201_CREATED)
        response["Location"] = str(response.data["url"])
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.locked_object()
            self.check_if_match(request, instance)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            serializer.save()
        return self.represent(instance)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.locked_object()
            self.check_if_match(request, instance)
            instance.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, **kwargs):
        model = self.queryset.model
        key = {self.lookup_field: kwargs[self.lookup_field]}
        versions = model.history.filter(**key).select_related("history_user").order_by("-history_id")
        page = self.paginate_queryset(versions)
        if not page:
            raise Http404(f"No {model._meta.verbose_name} {kwargs[self.lookup_field]} has ever existed.")
        return self.get_paginated_response(version_rows(model, page))

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
            instance = restore_version(historical, reason=f"restored version {version}")
        return self.represent(instance)


@document(
    "source",
    "sources",
    "Provenance",
    "The documents the dataset is transcribed from. The detail includes the full text that "
    "citation offsets index into. Sources are read-only: changing a text would move every citation.",
    writable=False,
)
class SourceViewSet(ReadOnlyRecordViewSet):
    queryset = Source.objects.annotate(length=Length("text"))
    serializer_class = SourceSerializer
    detail_serializer_class = SourceDetailSerializer
    search_fields = ["name", "filename"]
    ordering_fields = ["slug", "name"]
    ordering = ["slug"]

    def get_queryset(self):
        queryset = super().get_queryset()
        # The list leaves the text out: a client reading it does not need every document whole.
        return queryset.defer("text") if self.action == "list" else queryset


@document(
    "citation",
    "citations",
    "Provenance",
    "The exact words of a source that a record rests on, with their start and end character "
    "offsets (Python string indices) into the source text. A citation whose quote is not the "
    "source text at its offsets cannot be saved.",
)
class CitationViewSet(RecordViewSet):
    queryset = (
        Citation.objects.select_related("source", "content_type")
        .defer("source__text")
        .prefetch_related("record")
    )
    serializer_class = CitationDetailSerializer
    lookup_field = "uuid"
    # Anything but a UUID is simply not found (and never reaches the UUID parser).
    lookup_value_regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    filterset_class = CitationFilter
    search_fields = ["quote"]
    ordering_fields = ["start", "end"]
    ordering = ["source", "start", "end", "id"]

    def get_queryset(self):
        queryset = super().get_queryset()
        # Writing validates the quote against the source text, so it needs the text.
        return queryset if self.request.method in permissions.SAFE_METHODS else queryset.defer(None)
