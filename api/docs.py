"""How each resource's operations read in the OpenAPI schema: summary, description, tag."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from api.history import RestorationSerializer, VersionSerializer


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
                    "A record others still refer to (a record pointing at it, such as an article at its "
                    "treaty or a figure at its subject, or another record's link to it) is not deleted: "
                    "409, naming them. Otherwise it goes with its own parts, its citations and the rows "
                    "of its own links, and its history is kept: .../restorations/ brings it back whole."
                    + auth
                ),
                tags=[tag],
            ),
            "history": extend_schema(
                summary=f"List the versions of a {singular}",
                description=(
                    "Every change, newest first: when, by whom (named to signed-in editors; "
                    '"editor" to anyone else), through which path (the reason), and the record as it '
                    "was, linking to other records by slug. Also answers for a deleted record."
                ),
                tags=[tag],
                responses=VersionSerializer(many=True),
            ),
            "restorations": extend_schema(
                summary=f"Restore a {singular} to an earlier version",
                description=(
                    "Puts the record back as it was at `version` (see .../history/), its links "
                    "included; a deleted record comes back with the parts deleted with it (its "
                    "citations, the rows of its links), a deletion's version as it was deleted. Refused "
                    "as a write would be: 422 when the version links to a record deleted since, 409 "
                    "when its slug or number is taken. Needs the change permission (and the add "
                    "permission for a deleted record)."
                ),
                tags=[tag],
                request=RestorationSerializer,
            ),
        }
    return extend_schema_view(**operations)
