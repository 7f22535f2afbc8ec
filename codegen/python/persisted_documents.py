"""Write the manifest of the Python client's operations: {sha256: document}, the format
of GraphQL Code Generator's `persistedDocuments`, for the server's TRUSTED_DOCUMENTS.

Each document is an operation of ../../examples/ with the fragments it uses, printed as
ariadne-codegen prints it into the client (run with the codegen venv's graphql-core):
    python persisted_documents.py [output]   (default: persisted-documents.json)
"""

import hashlib
import json
import sys
from pathlib import Path

from graphql import DocumentNode, FragmentSpreadNode, parse, print_ast, visit
from graphql.language import Visitor

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent.parent / "examples"


def _spreads(node, fragments, seen):
    names = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_):
            names.append(spread.name.value)

    visit(node, Spreads())
    for name in names:
        if name not in seen:
            seen.add(name)
            _spreads(fragments[name], fragments, seen)
    return seen


def manifest() -> dict[str, str]:
    definitions = []
    for path in sorted(EXAMPLES.glob("*.graphql")):
        definitions.extend(parse(path.read_text(encoding="utf-8")).definitions)
    fragments = {d.name.value: d for d in definitions if d.kind == "fragment_definition"}
    documents = {}
    for operation in (d for d in definitions if d.kind == "operation_definition"):
        used = sorted(_spreads(operation, fragments, set()))
        text = print_ast(DocumentNode(definitions=[operation, *(fragments[n] for n in used)]))
        text = text.strip()
        documents[hashlib.sha256(text.encode()).hexdigest()] = text
    return dict(sorted(documents.items()))


if __name__ == "__main__":
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "persisted-documents.json"
    output.write_text(json.dumps(manifest(), indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {output}")
