"""Whether a value is the source's own statement or the dataset's reading of it.

`document`: the source states the value in so many words. `reading`: the value is our
inference from the source (a year taken from the sentence before, a date derived from "three
weeks after", a classification the source does not make, a link it does not draw), and a
reading always says why: its rationale. One definition for every value and link that carries
a basis: a date (api.dates), a counterproposal answering a request (events.Response), ...
"""

from django.db import models
from django.db.models import Q


class Basis(models.TextChoices):
    DOCUMENT = "document", "stated by the document"
    READING = "reading", "our reading of the document"


def basis_field(what: str, *, null: bool = False) -> models.CharField:
    """Whether `what` is stated by the source or our reading of it."""
    return models.CharField(
        max_length=10,
        choices=Basis.choices,
        null=null,
        blank=null,
        default=None if null else models.NOT_PROVIDED,
        help_text=f"Whether {what} is stated by the source (document) or our reading of it (reading).",
    )


def rationale_field(what: str) -> models.TextField:
    return models.TextField(blank=True, help_text=f"Why {what} is read this way: required for a reading.")


def reading_has_rationale(basis: str, rationale: str, name: str, message: str) -> models.CheckConstraint:
    """A reading says why (`name` is the constraint's, unique among the project's models)."""
    return models.CheckConstraint(
        condition=~Q(**{basis: Basis.READING}) | ~Q(**{rationale: ""}),
        name=name,
        violation_error_message=message,
    )


def labelled_constraints(value: str, *, optional: bool = False) -> list[models.CheckConstraint]:
    """The rules of a value labelled with `<value>_basis` and `<value>_rationale`: a reading says
    why, and an optional value (a victor, a parent place) has a basis exactly when it is set."""
    basis, rationale = f"{value}_basis", f"{value}_rationale"
    constraints = [
        reading_has_rationale(
            basis,
            rationale,
            f"%(app_label)s_%(class)s_{value}_reading_has_rationale",
            f"A {value.replace('_', ' ')} that is our reading says why ({rationale}).",
        )
    ]
    if optional:
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{f"{value}__isnull": True, f"{basis}__isnull": True})
                | Q(**{f"{value}__isnull": False, f"{basis}__in": Basis.values}),
                name=f"%(app_label)s_%(class)s_{value}_has_basis",
                violation_error_message=(
                    f"A {value.replace('_', ' ')} has a basis ({basis}: {' or '.join(Basis.values)}); "
                    "none has none."
                ),
            )
        )
    return constraints


class ReadLink(models.Model):
    """A link that says whether the source draws it (document) or it is our reading (reading),
    and why: a place's role in an event, a belligerent's side, a term's settlement of a request."""

    basis = basis_field("the link")
    rationale = rationale_field("the link")

    class Meta:
        abstract = True
        constraints = [
            reading_has_rationale(
                "basis",
                "rationale",
                "%(app_label)s_%(class)s_reading_has_rationale",
                "A link that is our reading says why.",
            )
        ]
