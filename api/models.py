from django.db import models


class DataVersion(models.Model):
    """One row: how often the data has changed, and when it last did (api.data_version)."""

    generation = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="data_version_single_row")]

    def __str__(self):
        return f"generation {self.generation} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
