"""The whole dataset in one streamed answer (/api/v1/dump/, api.streaming): every record of
every kind the router serves, as its detail shows it (citations and statements inside), and
the sources with their text.

The records are read in chunks, keyset by primary key, as the read model stored them
(api.renderings): one chunk is in memory at a time, whatever the size of the tables. A record's
detail holds its children (a negotiation its exchanges, a treaty its terms), so a chunk's size
follows what its records weigh: a few records first, then as many as make about TEXT_BUDGET
of text (at most api.streaming.CHUNK, at least one).
"""

import json

from api import renderings, streaming

# About how much text a chunk of records comes to: rendering it takes some ten times more.
TEXT_BUDGET = 2 << 20
FIRST_CHUNK = 8


def records(registry, request):
    """(prefix, text) of every record of every kind, links absolute for `request`: the kinds
    in the router's order, each in primary-key order."""
    for prefix, viewset, _basename in registry:
        model = viewset.queryset.model
        last, size = None, min(FIRST_CHUNK, streaming.CHUNK)
        while True:
            keys = model._default_manager.order_by("pk")
            if last is not None:
                keys = keys.filter(pk__gt=last)
            pks = list(keys.values_list("pk", flat=True)[:size])
            length = 0
            for text in renderings.read(model, pks, "detail"):
                length += len(text)
                yield prefix, renderings.with_origin(request, text)
            if len(pks) < size:
                break
            last, size = pks[-1], next_size(size, length)


def next_size(size: int, length: int) -> int:
    """How many records the next chunk reads, after `size` of them came to `length` characters:
    as many as make TEXT_BUDGET at the same weight, at most twice as many as before."""
    fitting = size * TEXT_BUDGET // max(length, 1)
    return max(1, min(streaming.CHUNK, 2 * size, fitting))


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
