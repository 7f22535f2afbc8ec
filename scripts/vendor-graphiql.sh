#!/usr/bin/env bash
# Refresh the GraphiQL explorer the app serves itself (graphql_api/static/graphiql).
# Needs npm; run it when upgrading GraphiQL, then commit the files.
set -euo pipefail
GRAPHIQL=${GRAPHIQL:-3.8.3}
REACT=${REACT:-18.2.0}
out="$(cd "$(dirname "$0")/.." && pwd)/graphql_api/static/graphiql"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
cp "graphiql-$GRAPHIQL/package/graphiql.min.js" "graphiql-$GRAPHIQL/package/graphiql.min.css" \
   "react-$REACT/package/umd/react.production.min.js" \
   "react-dom-$REACT/package/umd/react-dom.production.min.js" "$out/"
# Subscriptions: graphiql's UMD build bundles the graphql-ws client that its fetcher
# uses for `subscriptionUrl` (see init.js), so no separate copy is vendored. Refuse a
# build without it rather than ship an explorer whose subscriptions silently POST.
grep -q "graphql-transport-ws" "$out/graphiql.min.js" \
  || { echo "graphiql $GRAPHIQL does not bundle graphql-ws: vendor it (npm graphql-ws umd/)" >&2; exit 1; }
sed -i 's#//\# sourceMappingURL=graphiql.min.js.map##' "$out/graphiql.min.js"
sed -i 's#/\*\# sourceMappingURL=graphiql.min.css.map\*/##' "$out/graphiql.min.css"
{ echo "graphiql $GRAPHIQL:"; cat "graphiql-$GRAPHIQL/package/LICENSE"; echo
  echo "react and react-dom $REACT:"; cat "react-$REACT/package/LICENSE"; } > "$out/LICENSES.txt"
echo "GraphiQL $GRAPHIQL with React $REACT written to $out"
