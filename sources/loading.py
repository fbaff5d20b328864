"""Load the hand-transcribed fixtures into the database.

`fixtures/dataset.json` describes the held text (the source document), names the file of
references (sources held as bibliographic records, without their text) and the fixture files in
dependency order. Each fixture file is `{"model": "app.model", "records": [...]}`; a record
refers to others by slug, gives dates as "YYYY", "YYYY-MM" or "YYYY-MM-DD" (the precision
follows from the form), and lists its citations: `{"quote", "start", "end"}` in the held text,
or `{"source": "<reference slug>", "locator", "quote"?}` in a reference.

Everything loads inside one transaction. Any fault is collected with its file, record and
field, and the whole load is rolled back. A record equal to its fixture is not written
again, so loading twice changes nothing.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction

from api.dates import parse_partial_date
from api.deletion import PART
from api.rows import generic_key, replace_rows
from sources.models import Citation, DatasetLoad, Source, SourceKind

MANIFEST = "dataset.json"
LOAD_REASON = "load_dataset"
# The manifest's "source" object: what it may leave out, with the value its absence stands
# for, and what it must give.
SOURCE_OPTIONAL = {"publication": None, "note": ""}
SOURCE_REQUIRED = (
    "slug",
    "name",
    *(name for name in Source.DESCRIPTION_FIELDS if name not in SOURCE_OPTIONAL),
    "filename",
    "sha256",
)


class DatasetError(Exception):
    """The dataset cannot be loaded; `problems` says where and why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class RecordError(Exception):
    def __init__(self, field_name: str, message: str):
        self.field_name = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}")


@dataclass
class LoadResult:
    digest: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: bool = False
    per_model: dict = field(default_factory=dict)


def first_error(exc: ValidationError) -> tuple[str, str]:
    """The first field a ValidationError names, and its messages as one line."""
    name, messages = next(iter(exc.message_dict.items()))
    return name, "; ".join(messages)


def read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError([f"{path}: file not found"]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError([f"{path}: not valid UTF-8 JSON: {exc}"]) from None


def dataset_digest(directory: Path) -> str:
    """SHA-256 over the manifest, the source text, the references and every fixture file, in order."""
    manifest = read_json(directory / MANIFEST)
    digest = hashlib.sha256()
    names = [
        MANIFEST,
        manifest.get("source", {}).get("filename", ""),
        *([manifest["references"]] if "references" in manifest else []),
        *manifest.get("files", []),
    ]
    for name in names:
        path = directory / name
        if not path.is_file():
            raise DatasetError([f"{path}: file not found"])
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_dataset(directory: Path, *, skip_if_loaded: bool = False) -> LoadResult:
    directory = Path(directory)
    digest = dataset_digest(directory)
    if skip_if_loaded:
        last = DatasetLoad.objects.order_by("-loaded_at").first()
        if last is not None and last.digest == digest:
            return LoadResult(digest=digest, skipped=True)
    manifest = read_json(directory / MANIFEST)
    with transaction.atomic():
        loader = _Loader(directory, digest)
        loader.load_source(manifest.get("source"))
        if "references" in manifest:
            loader.load_references(manifest["references"])
        for name in manifest.get("files", []):
            loader.load_file(name)
        if loader.problems:
            raise DatasetError(loader.problems)
        DatasetLoad.objects.create(
            digest=digest,
            created=loader.result.created,
            updated=loader.result.updated,
            unchanged=loader.result.unchanged,
        )
    return loader.result


class _Loader:
    def __init__(self, directory: Path, digest: str):
        self.directory = directory
        self.result = LoadResult(digest=digest)
        self.problems: list[str] = []
        self.source: Source | None = None
        # The sources a citation may name, by slug: the held text and the references.
        self._sources: dict[str, Source] = {}
        self._by_slug: dict[type, dict[str, models.Model]] = {}

    def load_source(self, spec):
        where = f"{self.directory / MANIFEST}: source"
        if not isinstance(spec, dict):
            raise DatasetError([f"{where}: missing"])
        missing = [key for key in SOURCE_REQUIRED if spec.get(key) in (None, "")]
        if missing:
            raise DatasetError([f"{where}: missing field(s) {', '.join(missing)}"])
        unknown = sorted(set(spec) - {*SOURCE_REQUIRED, *SOURCE_OPTIONAL})
        if unknown:
            raise DatasetError([f"{where}: unknown field(s) {', '.join(unknown)}"])
        path = self.directory / spec["filename"]
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise DatasetError([f"{where}: source document {path} not found"]) from None
        actual = hashlib.sha256(raw).hexdigest()
        if actual != spec["sha256"]:
            raise DatasetError(
                [
                    f"{where}: {path} has SHA-256 {actual}, not the {spec['sha256']} "
                    "the citations were made against"
                ]
            )
        values = {key: spec[key] for key in SOURCE_REQUIRED if key != "slug"}
        # What the manifest leaves out is empty, so that a reload restores its description whole.
        values |= {key: spec.get(key, empty) for key, empty in SOURCE_OPTIONAL.items()}
        values["text"] = raw.decode("utf-8")
        try:
            self.source = self._write_source(spec["slug"], values)
        except ValidationError as exc:
            name, message = first_error(exc)
            raise DatasetError([f"{where}: field {name!r}: {message}"]) from None

    def _write_source(self, slug: str, values: dict) -> Source:
        """Create or update the source `slug` with `values` (a ValidationError if they break its
        rules), count it, and keep it for the citations that name it."""
        source = Source.objects.filter(slug=slug).first()
        created = source is None
        if created:
            source = Source(slug=slug)
        changed = False
        for key, value in values.items():
            changed |= self._assign(source, key, value)
        source.full_clean()
        if created or changed:
            source._change_reason = LOAD_REASON
            source.save()
        self._count("sources.source", "created" if created else "updated" if changed else "unchanged")
        self._sources[slug] = source
        return source

    def load_references(self, name: str):
        """The references: sources described by their bibliographic record alone."""
        path = self.directory / name
        data = read_json(path)
        if not isinstance(data, dict) or not isinstance(data.get("references"), list):
            self.problems.append(f'{path}: expected an object with a "references" list')
            return
        allowed = {"slug", "name", *Source.DESCRIPTION_FIELDS, *Source.REFERENCE_FIELDS}
        for index, spec in enumerate(data["references"]):
            slug = spec.get("slug") if isinstance(spec, dict) else None
            label = f"{path}: reference {index}" + (f" ({slug})" if slug else "")
            if not slug:
                self.problems.append(f"{label}: field 'slug': missing")
                continue
            unknown = sorted(set(spec) - allowed)
            if unknown:
                self.problems.append(f"{label}: unknown field(s) {', '.join(unknown)}")
                continue
            # What the file leaves out is empty, so that a reload restores the record whole.
            values = {name: Source._meta.get_field(name).get_default() for name in allowed - {"slug"}}
            values |= {"publication": None, "kind": SourceKind.REFERENCE}
            values |= {key: value for key, value in spec.items() if key != "slug"}
            try:
                self._write_source(slug, values)
            except ValidationError as exc:
                field_name, message = first_error(exc)
                self.problems.append(f"{label}: field {field_name!r}: {message}")

    def load_file(self, name: str):
        path = self.directory / name
        data = read_json(path)
        if not isinstance(data, dict) or not isinstance(data.get("records"), list):
            self.problems.append(f'{path}: expected an object with "model" and a "records" list')
            return
        try:
            model = apps.get_model(data.get("model", ""))
        except (LookupError, ValueError):
            self.problems.append(f"{path}: unknown model {data.get('model')!r}")
            return
        for index, record in enumerate(data["records"]):
            slug = record.get("slug") if isinstance(record, dict) else None
            label = f"{path}: record {index}" + (f" ({slug})" if slug else "")
            if not isinstance(record, dict):
                self.problems.append(f"{label}: a record must be a JSON object")
                continue
            try:
                with transaction.atomic():
                    self.load_record(model, record)
            except RecordError as exc:
                self.problems.append(f"{label}: field {exc.field_name!r}: {exc.message}")

    def load_record(self, model, record: dict):
        slug = record.get("slug")
        if not slug:
            raise RecordError("slug", "missing")
        instance = model.objects.filter(slug=slug).first()
        created = instance is None
        if created:
            instance = model(slug=slug)
        self._check_required(model, record)

        changed = False
        many: dict[str, object] = {}
        links: dict[str, object] = {}
        parts: dict[str, object] = {}
        subject = None
        for key, value in record.items():
            if key in ("slug", "citations"):
                continue
            model_field = self._field(model, key)
            if isinstance(model_field, GenericForeignKey):
                subject = self._generic(key, value)
                changed |= self._assign(
                    instance, model_field.ct_field, ContentType.objects.get_for_model(subject)
                )
                changed |= self._assign(instance, model_field.fk_field, subject.pk)
            elif isinstance(model_field, models.ManyToManyField):
                many[key] = value
            elif isinstance(model_field, models.ManyToOneRel) and generic_key(model_field.related_model):
                links[key] = value
            elif isinstance(model_field, models.ManyToOneRel) and model_field.on_delete is PART:
                parts[key] = value
            elif isinstance(model_field, models.ForeignKey):
                target = None if value is None else self._resolve(model_field.related_model, value, key)
                changed |= self._assign(instance, model_field.attname, getattr(target, "pk", None))
            elif isinstance(model_field, models.DateField) and self._has_precision(model, key):
                date, precision = (None, None) if value is None else self._date(key, value)
                changed |= self._assign(instance, key, date)
                changed |= self._assign(instance, f"{key}_precision", precision)
            else:
                changed |= self._assign(instance, key, self._python(model_field, key, value))

        try:
            instance.full_clean()
        except ValidationError as exc:
            raise RecordError(*first_error(exc)) from None
        # What simple-history records for this change: the loader, not a person.
        instance._change_reason = LOAD_REASON
        if created or changed:
            instance.save()
        for key, value in many.items():
            changed |= self._set_many(instance, model._meta.get_field(key), key, value)
        for key, value in links.items():
            changed |= self._set_links(instance, model._meta.get_field(key), key, value)
        for key, value in parts.items():
            changed |= self._set_rows(instance, model._meta.get_field(key).remote_field, key, value)
        changed |= self._set_citations(instance, record.get("citations"))

        label = model._meta.label_lower
        self._count(label, "created" if created else "updated" if changed else "unchanged")
        self._by_slug.setdefault(model, {})[slug] = instance

    def _check_required(self, model, record):
        if "citations" not in record or not record["citations"]:
            raise RecordError("citations", "every record needs at least one citation")
        generic = {}
        for private in model._meta.private_fields:
            if isinstance(private, GenericForeignKey):
                generic[private.ct_field] = generic[private.fk_field] = private.name
        for model_field in model._meta.concrete_fields:
            if (
                model_field.auto_created
                or not model_field.editable
                or model_field.has_default()
                or model_field.null
                or model_field.blank
                or model_field.name == "slug"
                or model_field.name.endswith("_precision")
            ):
                continue
            name = generic.get(model_field.name, model_field.name)
            if name not in record:
                raise RecordError(name, "missing")

    def _field(self, model, key):
        try:
            model_field = model._meta.get_field(key)
        except FieldDoesNotExist:
            raise RecordError(key, f"{model._meta.label} has no such field") from None
        if getattr(model_field, "concrete", False) and not model_field.editable:
            # Derived (a record's sequence, from its citations): a value given would be ignored.
            raise RecordError(key, "is derived, not given")
        return model_field

    @staticmethod
    def _has_precision(model, key):
        try:
            model._meta.get_field(f"{key}_precision")
        except FieldDoesNotExist:
            return False
        return True

    @staticmethod
    def _assign(instance, attname, value) -> bool:
        if getattr(instance, attname, None) == value:
            return False
        setattr(instance, attname, value)
        return True

    @staticmethod
    def _python(model_field, key, value):
        """The value as the field holds it ("15:50" a time, "41.79222" a Decimal), so that a
        record equal to its fixture compares equal and is not written again."""
        if not isinstance(model_field, (models.TimeField, models.DecimalField)):
            return value
        try:
            return model_field.to_python(value)
        except ValidationError as exc:
            raise RecordError(key, "; ".join(exc.messages)) from None

    @staticmethod
    def _date(key, value):
        try:
            return parse_partial_date(value)
        except ValueError as exc:
            raise RecordError(key, str(exc)) from None

    def _resolve(self, model, slug, key):
        if not isinstance(slug, str):
            raise RecordError(key, f"expected the slug of a {model._meta.verbose_name}, got {slug!r}")
        cache = self._by_slug.setdefault(model, {})
        if slug not in cache:
            found = model.objects.filter(slug=slug).first()
            if found is None:
                raise RecordError(key, f"no {model._meta.verbose_name} with slug {slug!r}")
            cache[slug] = found
        return cache[slug]

    def _generic(self, key, value):
        if not isinstance(value, str) or ":" not in value:
            raise RecordError(key, f'expected "app.model:slug", got {value!r}')
        label, slug = value.split(":", 1)
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            raise RecordError(key, f"unknown model {label!r}") from None
        return self._resolve(model, slug, key)

    def _set_many(self, instance, model_field, key, value) -> bool:
        if not isinstance(value, list):
            raise RecordError(key, "expected a list")
        manager = getattr(instance, key)
        through = model_field.remote_field.through
        target = model_field.related_model
        if through._meta.auto_created:
            wanted = {self._resolve(target, slug, key).pk for slug in value}
            current = set(manager.values_list("pk", flat=True))
            if wanted == current:
                return False
            manager.set(wanted)
            return True
        return self._set_through(instance, through, target, key, value)

    def _set_through(self, instance, through, target, key, rows) -> bool:
        """Rows of a many-to-many with its own fields, e.g. {"party": "japan", "role": "bound"}."""
        owner_fk = next(
            f
            for f in through._meta.concrete_fields
            if f.is_relation and isinstance(instance, f.related_model)
        )
        target_fk = next(
            f
            for f in through._meta.concrete_fields
            if f.is_relation and f.related_model is target and f is not owner_fk
        )
        return self._set_rows(instance, owner_fk, key, rows, required=target_fk.name)

    def _set_rows(self, instance, owner_fk, key, rows, required: str | None = None) -> bool:
        """Rows that are part of the record (a term's transfers, its party roles), each a dict
        of the row's fields, with records named by slug: {"what": ..., "from_party": "russia"}."""
        if not isinstance(rows, list):
            raise RecordError(key, "expected a list")
        fields = {
            f.name: f for f in owner_fk.model._meta.concrete_fields if not f.primary_key and f is not owner_fk
        }
        wanted = []
        for row in rows:
            if not isinstance(row, dict) or (required and required not in row):
                raise RecordError(key, f"each item needs {required!r}" if required else "expected objects")
            unknown = set(row) - set(fields)
            if unknown:
                raise RecordError(key, f"unknown field(s) {', '.join(sorted(unknown))}")
            wanted.append(
                {
                    name: self._resolve(fields[name].related_model, value, key)
                    if fields[name].is_relation and value is not None
                    else value
                    for name, value in row.items()
                }
            )
        try:
            return replace_rows(instance, owner_fk.remote_field.related_name, wanted, reason=LOAD_REASON)
        except ValidationError as exc:
            raise RecordError(key, "; ".join(exc.messages)) from None

    def _set_links(self, instance, relation, key, value) -> bool:
        """Rows linking to records of any kind by a generic key (a claim's judges), each
        record named as a generic subject is: "events.engagement:occupation-of-mukden"."""
        if not isinstance(value, list):
            raise RecordError(key, "expected a list")
        generic = generic_key(relation.related_model)
        wanted = []
        for item in value:
            target = self._generic(key, item)
            wanted.append(
                {generic.ct_field: ContentType.objects.get_for_model(target), generic.fk_field: target.pk}
            )
        try:
            return replace_rows(instance, relation.get_accessor_name(), wanted, reason=LOAD_REASON)
        except ValidationError as exc:
            raise RecordError(key, "; ".join(exc.messages)) from None

    def _citation(self, instance, where: str, item) -> Citation:
        """One fixture citation: `{"quote", "start", "end"}` in the held text, or
        `{"source", "locator", "quote"?}` in a reference."""
        if not isinstance(item, dict):
            raise RecordError(where, "expected an object: quote, start and end, or source and locator")
        slug = item.get("source")
        if slug is None:
            source, required, allowed = self.source, ("quote", "start", "end"), {"quote", "start", "end"}
        else:
            source = self._sources.get(slug)
            if source is None:
                raise RecordError(
                    f"{where}.source", f"no reference with slug {slug!r} in the references file"
                )
            required, allowed = ("locator",), {"source", "locator", "quote"}
        missing = [key for key in required if key not in item]
        if missing:
            raise RecordError(f"{where}.{missing[0]}", "missing")
        unknown = sorted(set(item) - allowed)
        if unknown:
            raise RecordError(
                f"{where}.{unknown[0]}",
                f"not a field of a citation of a {source.get_kind_display().split(':')[0]}",
            )
        citation = Citation(
            source=source,
            quote=item.get("quote", ""),
            start=item.get("start"),
            end=item.get("end"),
            locator=item.get("locator", ""),
            record=instance,
        )
        try:
            citation.full_clean(exclude=["uuid"], validate_unique=False, validate_constraints=False)
            citation.uuid = citation.stable_uuid()
        except ValidationError as exc:
            name, message = first_error(exc)
            raise RecordError(f"{where}.{name}", message) from None
        return citation

    @staticmethod
    def _citation_key(citation: Citation):
        return (citation.source_id, citation.start, citation.end, citation.locator, citation.quote)

    def _set_citations(self, instance, citations) -> bool:
        wanted = {}
        for index, item in enumerate(citations):
            citation = self._citation(instance, f"citations[{index}]", item)
            wanted[self._citation_key(citation)] = citation
        # The record's rules about what it rests on, against the citations it is to have.
        broken = instance.citation_errors(list(wanted.values()))
        if broken:
            name, messages = next(iter(broken.items()))
            raise RecordError(name, "; ".join(messages))
        current = {self._citation_key(c): c for c in instance.citations.all()}
        if set(current) == set(wanted):
            return False
        for key, citation in current.items():
            if key not in wanted:
                citation._change_reason = LOAD_REASON
                citation.delete()
        for key, citation in wanted.items():
            if key not in current:
                citation._change_reason = LOAD_REASON
                citation.save()
        return True

    def _count(self, label, outcome):
        setattr(self.result, outcome, getattr(self.result, outcome) + 1)
        counts = self.result.per_model.setdefault(label, {"created": 0, "updated": 0, "unchanged": 0})
        counts[outcome] += 1
