"""A held text cut at its citations' edges, so that each piece is covered by the same citations
from its first character to its last: what the source reader highlights."""

import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    text: str
    # Indexes into the spans given, of those covering the whole piece (none: not cited).
    cited_by: tuple[int, ...]


def pieces(text: str, spans: list[tuple[int, int]]) -> list[Piece]:
    """`text` cut at every span's start and end (offsets in code points, Python's string
    indices, as citations give them), in order, covering it all."""
    length = len(text)
    spans = [(max(0, start), min(end, length)) for start, end in spans]
    edges = sorted({0, length, *(start for start, _ in spans), *(end for _, end in spans)})
    starting: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(spans):
        if start < end:
            starting.setdefault(start, []).append(index)
    covering: set[int] = set()
    cut = []
    for start, end in itertools.pairwise(edges):
        covering = {index for index in covering if spans[index][1] > start} | set(starting.get(start, ()))
        cut.append(Piece(start, end, text[start:end], tuple(sorted(covering))))
    return cut
