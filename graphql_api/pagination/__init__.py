"""Keyset (cursor) pagination over a MongoDB sort, without `skip`.

Three ideas, one module each, each usable and tested on its own:
`cursors` (the opaque cursor codec), `keyset` (the filter and sort of the
items past a cursor) and `pages` (paging arguments checked, the window
fetched, the page assembled). Importers use this package's names.
"""

from graphql_api.pagination.cursors import SORT_KEY_TAGS, Sort, decode_cursor, encode_cursor
from graphql_api.pagination.keyset import HINTS, ListQuery, window
from graphql_api.pagination.pages import (
    Lookup,
    Page,
    PageRequest,
    count_related,
    paginate,
    paginate_related,
    paginate_with,
)

__all__ = [
    "HINTS",
    "SORT_KEY_TAGS",
    "ListQuery",
    "Lookup",
    "Page",
    "PageRequest",
    "Sort",
    "count_related",
    "decode_cursor",
    "encode_cursor",
    "paginate",
    "paginate_related",
    "paginate_with",
    "window",
]
