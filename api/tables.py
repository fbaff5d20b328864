"""A list as CSV (`Accept: text/csv` or `?format=csv`): one row a record, one column a field
of the list, in the list's order, streamed (api.streaming): the whole selection, or the page
its page parameters name.

The records are flattened from their JSON as the list shows them:
- null is an empty cell; true and false are `true` and `false`; numbers and text as they are;
- a link to a record (`{slug, name, url}`; a citation's `{id, url, …}`) is its slug (its id);
- a list of links is their slugs (ids) separated by single spaces: the records' keys in their
  own lists, whose CSV gives their fields (`citations` names the citations that
  /api/v1/citations/?format=csv gives with their quote, offsets and source);
- anything else nested (a list of roles, a chosen date with its statement) is its JSON text.
"""

import csv
import io
import json

CONTENT_TYPE = "text/csv; charset=utf-8; header=present"


def link_key(value) -> str | None:
    """The key of a link to a record (its slug, or a citation's id); None for anything else."""
    if isinstance(value, dict) and "url" in value:
        return value.get("slug") or value.get("id")
    return None


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return value
    key = link_key(value)
    if key is not None:
        return key
    if isinstance(value, list):
        keys = [link_key(item) for item in value]
        if all(key is not None for key in keys):
            return " ".join(keys)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def lines(columns: list[str], chunks):
    """CSV text (RFC 4180: CRLF line ends, quoted where needed): the header, then a row for
    each record of `chunks` (lists of records' JSON, parsed), a piece for each chunk."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for records in chunks:
        for record in records:
            writer.writerow([cell(record[column]) for column in columns])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()
