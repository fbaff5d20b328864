"""The whole dataset in one streamed answer (/api/v1/dump/, api.streaming): every record of
every kind the router serves, as its detail shows it (citations and statements inside), and
the sources with their text.

The records are read in chunks (api.streaming.CHUNK), keyset by primary key, as the read model
stored them (api.renderings): one chunk is in memory at a time, whatever the size of the tables.
"""

import json

from api import renderings, streaming


def records(registry, request):
    """(prefix, text) of every record of every kind, links absolute for `request`: the kinds
    in the router's order, each in primary-key order."""
    for prefix, viewset, _basename in registry:
        model = viewset.queryset.model
        last = None
        while True:
            keys = model._default_manager.order_by("pk")
            if last is not None:
                keys = keys.filter(pk__gt=last)
            pks = list(keys.values_list("pk", flat=True)[: streaming.CHUNK])
            for text in renderings.read(model, pks, "detail"):
                yield prefix, renderings.with_origin(request, text)
            if len(pks) < streaming.CHUNK:
                break
            last = pks[-1]


def json_parts(head: dict, registry, request):
    """One JSON object: `head`'s members, then `records`, a list of each kind's records by prefix."""
    yield json.dumps(head, ensure_ascii=False)[:-1] + ',"records":{'
    current = None
    for prefix, text in records(registry, request):
        if prefix != current:
            yield ("]," if current is not None else "") + json.dumps(prefix) + ":["
            current = prefix
        else:
            yield ","
        yield text
    yield ("]" if current is not None else "") + "}}\n"


def ndjson_parts(head: dict, registry, request):
    """One JSON object a line: first `head`, then {"kind": prefix, "record": …} for each record."""
    yield json.dumps(head, ensure_ascii=False) + "\n"
    for prefix, text in records(registry, request):
        yield f'{{"kind":{json.dumps(prefix)},"record":{text}}}\n'
