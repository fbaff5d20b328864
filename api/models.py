from django.db import models


class DataVersion(models.Model):
    """One row: how often the data has changed, and when it last did (api.data_version)."""

    generation = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="data_version_single_row")]

    def __str__(self):
        return f"generation {self.generation} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class Rendering(models.Model):
    """One record as the API shows it, rendered when it was written (api.renderings).

    Links are stored as paths (`"url":"/api/…"`); a read puts the request's origin in front.
    `code` names the code that rendered it: a rendering from other code is never served.
    """

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    code = models.CharField(max_length=32)
    listed = models.TextField(help_text="The record as a list shows it.")
    detail = models.TextField(blank=True, help_text="The record as its detail shows it; empty: as listed.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="rendering_once_per_record")
        ]

    def __str__(self):
        return f"rendering of {self.content_type_id}:{self.object_id}"


class RenderingDependency(models.Model):
    """Something a rendering shows: a record ("events.place:3") or one record's related rows
    ("events.engagement:2:places"). A change to it discards the rendering."""

    rendering = models.ForeignKey(Rendering, on_delete=models.CASCADE, related_name="dependencies")
    key = models.CharField(max_length=200, db_index=True)

    def __str__(self):
        return self.key


class Release(models.Model):
    """A named release of the data (`manage.py release NAME`): the data as it was when it was
    cut, which `data_changed_at` identifies (api.data_version.release_id)."""

    name = models.SlugField(
        max_length=64,
        unique=True,
        help_text="The release's name, as readers cite it (letters, digits, - and _).",
    )
    generation = models.PositiveBigIntegerField(help_text="The data version's generation when it was cut.")
    data_changed_at = models.DateTimeField(help_text="When the data had last changed when it was cut.")
    cut_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-cut_at", "-pk"]

    def __str__(self):
        return self.name
