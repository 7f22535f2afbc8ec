"""Trusted documents: the manifests of the operations clients were built with.

Read once at start-up, so a manifest that is unreadable or whose hashes do not
match their documents stops the server rather than refusing clients later.
Both formats are read: GraphQL Code Generator's `persistedDocuments`
(`{"<sha256>": "<document>"}`) and Apollo's persisted query manifest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def load_manifest(path: Path) -> dict[str, str]:
    """Hash -> document, from either manifest format; every hash is checked."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise ValueError(f"TRUSTED_DOCUMENTS: cannot read {path}: {error}") from error
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        pairs = [(op.get("id"), op.get("body")) for op in data["operations"]]  # Apollo's
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise ValueError(f"TRUSTED_DOCUMENTS: {path} is not a manifest")
    documents = {}
    for entry, document in pairs:
        if not isinstance(entry, str) or not isinstance(document, str):
            raise ValueError(f"TRUSTED_DOCUMENTS: {path} has a malformed entry")
        key = entry.removeprefix("sha256:")
        if document_hash(document) != key:
            raise ValueError(f"TRUSTED_DOCUMENTS: {path}: {key} is not the SHA-256 of its document")
        documents[key] = document
    return documents


def load_trusted_documents(paths: str | None) -> dict[str, str]:
    """Every manifest of `TRUSTED_DOCUMENTS` (comma-separated paths), merged."""
    documents: dict[str, str] = {}
    for path in filter(None, (part.strip() for part in (paths or "").split(","))):
        documents.update(load_manifest(Path(path)))
    return documents


__all__ = ["document_hash", "load_manifest", "load_trusted_documents"]
