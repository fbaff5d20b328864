# Every cited record keeps its place in the source: `sequence`, where its first citation
# starts. Set here for the records a database holds already; from then on every save and
# delete of a citation keeps it (sources.models.renumber).

from functools import partial

import django.core.validators
from django.db import migrations, models

from sources.models import set_sequences


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('sources', '0002_alter_citation_end_alter_citation_start_and_more'),
        ('events', '0007_dates_have_a_basis'),
    ]

    operations = [
        migrations.AddField(
            model_name='claim',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.AddField(
            model_name='counterproposal',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.AddField(
            model_name='engagement',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.AddField(
            model_name='event',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.AddField(
            model_name='figure',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.AddField(
            model_name='negotiation',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.AddField(
            model_name='party',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.AddField(
            model_name='place',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.AddField(
            model_name='proposal',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.AlterField(
            model_name='engagement',
            name='number',
            field=models.PositiveSmallIntegerField(help_text="Its place in the source's list of engagements, not a chronology: the list is not in date order (maritime control, (2), ran February–August 1904). For the source's narrative order see `sequence` (`?ordering=sequence`) and the timeline (`?order=narrative`).", unique=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(32767)]),
        ),
        migrations.AlterField(
            model_name='historicalengagement',
            name='number',
            field=models.PositiveSmallIntegerField(db_index=True, help_text="Its place in the source's list of engagements, not a chronology: the list is not in date order (maritime control, (2), ran February–August 1904). For the source's narrative order see `sequence` (`?ordering=sequence`) and the timeline (`?order=narrative`).", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(32767)]),
        ),
        migrations.RunPython(partial(set_sequences, app_label='events'), migrations.RunPython.noop),
    ]
