# Every cited record keeps its place in the source: `sequence`, where its first citation
# starts. Set here for the records a database holds already; from then on every save and
# delete of a citation keeps it (sources.models.renumber).

from functools import partial

from django.db import migrations, models

from sources.models import set_sequences


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('sources', '0002_alter_citation_end_alter_citation_start_and_more'),
        ('treaties', '0007_dates_have_a_basis'),
        ('events', '0008_records_keep_their_place_in_the_source'),
    ]

    operations = [
        migrations.AddField(
            model_name='treaty',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.AddField(
            model_name='treatyterm',
            name='sequence',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, help_text="The offset of the record's first citation in the source: the source's narrative order. Set from its citations (the smallest start), never written; null while it has none. Records whose first citations start at the same offset share it.", null=True),
        ),
        migrations.RunPython(partial(set_sequences, app_label='treaties'), migrations.RunPython.noop),
    ]
