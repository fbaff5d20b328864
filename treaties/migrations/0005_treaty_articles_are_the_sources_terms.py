# The source's numbered summary of the treaty ("Terms were as follows:" (1)...(5)) was stored as
# the treaty's articles. Renamed in place, so that every row, every history row and every
# content type (and with it every citation and figure about these records) is kept.

import api.deletion
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

NUMBER_HELP = 'The number the source gives it in its list ("(3)" is 3).'
WORDING_HELP = "The source's words for this term, verbatim."
ROLES = [("bound", "bound by the term"), ("beneficiary", "benefits from the term"), ("consenting", "gives its consent")]
NUMBER_VALIDATORS = [django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(32767)]


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_deletes_protect_what_others_refer_to"),
        ("treaties", "0004_deletes_protect_what_others_refer_to"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="treatyarticle", name="article_unique_number_per_treaty"),
        migrations.RemoveConstraint(model_name="treatyarticle", name="article_number_positive"),
        migrations.RemoveConstraint(model_name="articleparty", name="article_party_unique_role"),
        migrations.RenameModel(old_name="TreatyArticle", new_name="TreatyTerm"),
        migrations.RenameModel(old_name="HistoricalTreatyArticle", new_name="HistoricalTreatyTerm"),
        migrations.RenameModel(old_name="HistoricalTreatyArticle_places", new_name="HistoricalTreatyTerm_places"),
        migrations.RenameModel(old_name="ArticleParty", new_name="TermParty"),
        migrations.RenameModel(old_name="HistoricalArticleParty", new_name="HistoricalTermParty"),
        migrations.RenameField(model_name="treatyterm", old_name="terms", new_name="wording"),
        migrations.RenameField(model_name="historicaltreatyterm", old_name="terms", new_name="wording"),
        migrations.RenameField(
            model_name="historicaltreatyterm_places", old_name="treatyarticle", new_name="treatyterm"
        ),
        migrations.RenameField(model_name="termparty", old_name="article", new_name="term"),
        migrations.RenameField(model_name="historicaltermparty", old_name="article", new_name="term"),
        migrations.AlterModelOptions(
            name="treatyterm", options={"ordering": ["treaty", "number"], "verbose_name": "treaty term"}
        ),
        migrations.AlterModelOptions(
            name="historicaltreatyterm",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical treaty term",
                "verbose_name_plural": "historical treaty terms",
            },
        ),
        migrations.AlterModelOptions(
            name="historicaltreatyterm_places", options={"verbose_name": "HistoricalTreatyTerm_places"}
        ),
        migrations.AlterModelOptions(name="termparty", options={"ordering": ["term", "role", "party"]}),
        migrations.AlterModelOptions(
            name="historicaltermparty",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical term party",
                "verbose_name_plural": "historical term partys",
            },
        ),
        migrations.AlterField(
            model_name="treatyterm",
            name="treaty",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="terms", to="treaties.treaty"
            ),
        ),
        migrations.AlterField(
            model_name="treatyterm",
            name="number",
            field=models.PositiveSmallIntegerField(help_text=NUMBER_HELP, validators=NUMBER_VALIDATORS),
        ),
        migrations.AlterField(
            model_name="historicaltreatyterm",
            name="number",
            field=models.PositiveSmallIntegerField(help_text=NUMBER_HELP, validators=NUMBER_VALIDATORS),
        ),
        migrations.AlterField(
            model_name="treatyterm", name="wording", field=models.TextField(help_text=WORDING_HELP)
        ),
        migrations.AlterField(
            model_name="historicaltreatyterm", name="wording", field=models.TextField(help_text=WORDING_HELP)
        ),
        migrations.AlterField(
            model_name="treatyterm",
            name="parties",
            field=models.ManyToManyField(related_name="treaty_terms", through="treaties.TermParty", to="events.party"),
        ),
        migrations.AlterField(
            model_name="treatyterm",
            name="places",
            field=api.deletion.Links(blank=True, related_name="treaty_terms", to="events.place"),
        ),
        migrations.AlterField(
            model_name="termparty",
            name="party",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="term_roles", to="events.party"
            ),
        ),
        migrations.AlterField(
            model_name="termparty", name="role", field=models.CharField(choices=ROLES, max_length=12)
        ),
        migrations.AlterField(
            model_name="historicaltermparty", name="role", field=models.CharField(choices=ROLES, max_length=12)
        ),
        migrations.AddConstraint(
            model_name="treatyterm",
            constraint=models.UniqueConstraint(fields=("treaty", "number"), name="term_unique_number_per_treaty"),
        ),
        migrations.AddConstraint(
            model_name="treatyterm",
            constraint=models.CheckConstraint(condition=models.Q(("number__gte", 1)), name="term_number_positive"),
        ),
        migrations.AddConstraint(
            model_name="termparty",
            constraint=models.UniqueConstraint(fields=("term", "party", "role"), name="term_party_unique_role"),
        ),
    ]
