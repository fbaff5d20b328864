"""A record as JSON-LD (`Accept: application/ld+json` or `?format=jsonld` on its detail), in
schema.org's vocabulary: what a search engine or a knowledge graph reads.

It is made from the record's detail as the API shows it, so it says nothing the JSON does not:
its type (each viewset's `linked_data_type`), `@id` and `url` (the record's API URL), its
name, description, dates (the chosen date, to its precision), places, the parties it concerns,
its coordinates (the chosen coordinates statement), `sameAs` (the Wikidata and GeoNames ids its
statements give, each cited in the JSON), and its citations as `citation`.
"""

from api import geo

SCHEMA_ORG = "https://schema.org"
SAME_AS = {
    "wikidata-id": "https://www.wikidata.org/entity/{}",
    "geonames-id": "https://sws.geonames.org/{}/",
}


def node(link: dict, type_: str | None = None) -> dict:
    """A related record as a node: its @id, and its name."""
    shown = {"@id": link["url"]}
    if type_:
        shown["@type"] = type_
    if link.get("name"):
        shown["name"] = link["name"]
    return shown


def linked(record: dict, type_: str) -> dict:
    """The JSON-LD of `record` (its detail JSON), as a schema.org `type_`."""
    data = {"@context": SCHEMA_ORG, "@type": type_, "@id": record["url"], "url": record["url"]}
    data["identifier"] = record.get("slug") or record.get("id")
    for key, term in (
        ("name", "name"),
        ("description", "description"),
        ("text", "text"),
        ("note", "comment"),
    ):
        if record.get(key):
            data[term] = record[key]
    chosen = record.get("chosen_date")
    if isinstance(chosen, dict) and chosen.get("date"):
        data["legislationDate" if type_ == "Legislation" else "startDate"] = chosen["date"]
    elif record.get("signed"):
        data["legislationDate"] = record["signed"]
    if record.get("ended"):
        data["endDate"] = record["ended"]
    places = [
        link["place"] for link in record.get("places") or [] if isinstance(link, dict) and "place" in link
    ]
    if isinstance(record.get("signed_at"), dict):
        places.append(record["signed_at"])
    if places:
        data["location"] = [node(place, "Place") for place in places]
    if isinstance(record.get("part_of"), dict):
        data["containedInPlace" if type_ == "Place" else "isPartOf"] = node(record["part_of"])
    for parent in ("negotiation", "treaty"):
        if isinstance(record.get(parent), dict):
            data["isPartOf"] = node(record[parent])
    parties = [
        link["party"] for link in record.get("parties") or [] if isinstance(link, dict) and "party" in link
    ]
    parties += [link["party"] for link in record.get("belligerents") or [] if isinstance(link, dict)]
    if parties:
        data["about"] = [node(party) for party in parties]
    where = geo.point(record)  # the same point its GeoJSON has
    if where is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": where[1], "longitude": where[0]}
    statements = record.get("statements") or []
    same = [SAME_AS[s["kind"]].format(s["text"]) for s in statements if s["kind"] in SAME_AS and s["text"]]
    if same:
        data["sameAs"] = sorted(set(same))
    citations = record.get("citations") or []
    if citations:
        data["citation"] = [citation_node(citation) for citation in citations]
    return data


def citation_node(citation: dict) -> dict:
    shown = {"@type": "Quotation" if citation.get("quote") else "CreativeWork", "@id": citation["url"]}
    if citation.get("quote"):
        shown["text"] = citation["quote"]
    if citation.get("locator"):
        shown["position"] = citation["locator"]
    if isinstance(citation.get("source"), dict):
        shown["isPartOf"] = node(citation["source"], "CreativeWork")
    return shown
