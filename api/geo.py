"""Places and engagements as GeoJSON (RFC 7946; `Accept: application/geo+json` or
`?format=geojson`): a list is a FeatureCollection of its whole selection, streamed
(api.streaming); a record, one Feature.

A Feature's `id` is the record's URL and its `properties` are the record as the JSON shows it
(the list's fields in a list, the detail's in a detail). Its geometry is where the record is:
a place's own coordinates where the textbook gives them (it gives none), else its chosen
coordinates statement (cited, in `properties.statements`); an engagement's, the points of its
places that have one, in its places' order (a Point for one, a MultiPoint for more). A record
with none has a null geometry, as RFC 7946 allows: the collection leaves no record out.
Coordinates are [longitude, latitude], in degrees (WGS 84).
"""

import json


def point(record: dict) -> list[float] | None:
    """[longitude, latitude] of a place's JSON: its own, else its chosen coordinates statement."""
    if record.get("latitude") is not None and record.get("longitude") is not None:
        return [record["longitude"], record["latitude"]]
    for statement in record.get("statements") or []:
        if statement["kind"] == "coordinates" and statement.get("chosen"):
            return [statement["longitude"], statement["latitude"]]
    return None


def geometry(points: list) -> dict | None:
    points = [p for p in points if p is not None]
    if not points:
        return None
    if len(points) == 1:
        return {"type": "Point", "coordinates": points[0]}
    return {"type": "MultiPoint", "coordinates": points}


def feature(record: dict, where: dict | None) -> dict:
    return {"type": "Feature", "id": record["url"], "geometry": where, "properties": record}


def collection_parts(chunks, geometries):
    """A FeatureCollection's text: `chunks` (lists of records' JSON, parsed) with the geometries
    `geometries(records)` gives each chunk's records."""
    yield '{"type":"FeatureCollection","features":['
    first = True
    for records in chunks:
        for record, where in zip(records, geometries(records), strict=True):
            yield ("" if first else ",") + json.dumps(feature(record, where), ensure_ascii=False)
            first = False
    yield "]}\n"
