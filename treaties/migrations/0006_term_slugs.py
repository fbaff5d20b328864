# The terms' public identifiers follow their new name: portsmouth-treaty-article-N becomes
# portsmouth-treaty-term-N, and the two figures about terms are renamed to match, in each
# record and in each of its versions. The loader finds records by slug, so a database loaded
# before the rename reloads the renamed fixtures onto the same rows instead of adding new ones.
#
# A citation's public id is derived from its record's kind and slug (Citation.stable_uuid), so
# a citation of a renamed record whose id was the one derived from the old names gets the one
# derived from the new names: the ids are those a fresh load of the dataset gives.

import re
from collections import defaultdict
from uuid import uuid5

from django.db import migrations

from sources.models import CITATION_NAMESPACE

# (term slug prefix, term model's content type name, the figures' slugs)
ARTICLES = ("portsmouth-treaty-article-", "treatyarticle", ("article-2-withdrawal-period", "article-5-boundary-latitude"))
TERMS = ("portsmouth-treaty-term-", "treatyterm", ("term-2-withdrawal-period", "term-5-boundary-latitude"))


def renames(apps, app_label, name, new_slug):
    """{record id: {(old slug, new slug), ...}} for each slug, current or past, that changes."""
    found = defaultdict(set)
    for model_name in (name, f"Historical{name}"):
        for pk, slug in apps.get_model(app_label, model_name).objects.values_list("id", "slug"):
            if (new := new_slug(slug)) is not None:
                found[pk].add((slug, new))
    return found


def restamp_citations(apps, app_label, kinds, records):
    """Give the citations of `records` (see renames) the ids derived from their new names;
    `kinds` is the (old, new) name of the records' content type."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label=app_label, model__in=kinds
    )
    sources = dict(apps.get_model("sources", "Source").objects.values_list("id", "slug"))
    for model_name in ("Citation", "HistoricalCitation"):
        model = apps.get_model("sources", model_name)
        rows = model.objects.filter(content_type__in=content_types, object_id__in=list(records))
        for pk, uuid, source_id, start, end, object_id in rows.values_list(
            "pk", "uuid", "source_id", "start", "end", "object_id"
        ):
            span = f"{sources.get(source_id)}:{start}:{end}"
            for old_slug, new_slug in records[object_id]:
                if uuid == uuid5(CITATION_NAMESPACE, f"{span}:{kinds[0]}:{old_slug}"):
                    model.objects.filter(pk=pk).update(uuid=uuid5(CITATION_NAMESPACE, f"{span}:{kinds[1]}:{new_slug}"))


def rename(apps, old, new):
    (old_prefix, old_kind, old_figures), (new_prefix, new_kind, new_figures) = old, new
    numbered = re.compile(rf"^{re.escape(old_prefix)}(\d+)$")

    def new_term_slug(slug):
        match = numbered.match(slug)
        return None if match is None else f"{new_prefix}{match[1]}"

    for app_label, name, kinds, new_slug in [
        ("treaties", "TreatyTerm", (old_kind, new_kind), new_term_slug),
        ("events", "Figure", ("figure", "figure"), dict(zip(old_figures, new_figures)).get),
    ]:
        records = renames(apps, app_label, name, new_slug)
        restamp_citations(apps, app_label, kinds, records)
        for model_name in (name, f"Historical{name}"):
            model = apps.get_model(app_label, model_name)
            for old_slug, new_slug in set().union(*records.values()):
                model.objects.filter(slug=old_slug).update(slug=new_slug)


def forwards(apps, schema_editor):
    rename(apps, ARTICLES, TERMS)


def backwards(apps, schema_editor):
    rename(apps, TERMS, ARTICLES)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0005_deletes_protect_what_others_refer_to"),
        ("sources", "0002_alter_citation_end_alter_citation_start_and_more"),
        ("treaties", "0005_treaty_articles_are_the_sources_terms"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
