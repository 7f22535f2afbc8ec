"""Which media type a GraphQL response is sent as, by the request's `Accept` (q-values).

GraphQL over HTTP: `application/graphql-response+json` when the client asks for it
(its status codes tell request errors from results), `application/json` for clients
that ask for that, for `*/*` and for no `Accept` at all.
"""

from __future__ import annotations

from functools import lru_cache

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
# Not answered as such, but a client that accepts only these (incremental delivery,
# event streams) still gets a JSON answer when the operation has nothing to stream.
STREAMS = ("multipart/mixed", "text/event-stream")


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """The q-value of `media` and how specific the range that gave it was (RFC 9110)."""
    kind = media.split("/", maxsplit=1)[0]
    best: tuple[int, float] | None = None
    for candidate, quality in ranges:
        specificity = {media: 2, f"{kind}/*": 1, "*/*": 0}.get(candidate)
        if specificity is not None and (best is None or specificity > best[0]):
            best = (specificity, quality)
    return (0.0, -1) if best is None else (best[1], best[0])


@lru_cache(maxsize=256)  # asked on every request; clients send the same few headers
def negotiate(accept: str | None) -> str | None:
    """The media type to answer with; None when the client accepts none we can send."""
    if accept is None or not accept.strip():
        return JSON
    ranges = _ranges(accept)
    graphql_q, graphql_specificity = _quality(GRAPHQL_RESPONSE_JSON, ranges)
    json_q, json_specificity = _quality(JSON, ranges)
    if graphql_q > 0 and (graphql_q, graphql_specificity) > (json_q, json_specificity):
        return GRAPHQL_RESPONSE_JSON
    if graphql_q > 0 and (graphql_q, graphql_specificity) == (json_q, json_specificity):
        # Both named alike (`application/*`, `*/*`, or both listed): the spec's
        # watershed rule keeps application/json unless the new type was named.
        return GRAPHQL_RESPONSE_JSON if graphql_specificity == 2 else JSON
    if json_q > 0:
        return JSON
    if any(_quality(stream, ranges)[0] > 0 for stream in STREAMS):
        return JSON
    return None


def accepts(accept: str | None, media: str) -> bool:
    """Whether `Accept` allows `media` (no header allows anything)."""
    if accept is None or not accept.strip():
        return True
    return _quality(media, _ranges(accept))[0] > 0


__all__ = ["GRAPHQL_RESPONSE_JSON", "JSON", "accepts", "negotiate"]
