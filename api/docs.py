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
