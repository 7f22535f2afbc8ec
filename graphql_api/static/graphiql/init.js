// Served by the app itself (no CDN), so the explorer works offline and under a
// strict Content-Security-Policy: no inline script, every asset from 'self'.
(function () {
  // Subscriptions go over a WebSocket to the same path (graphql-transport-ws). The
  // graphql-ws client is the one bundled in graphiql.min.js; it sends the Headers tab
  // as the `connection_init` payload, so {"Authorization": "Bearer <token>"} signs in
  // the subscriptions too.
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  const fetcher = GraphiQL.createFetcher({
    url: window.location.pathname,
    subscriptionUrl: scheme + window.location.host + window.location.pathname,
  });
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultQuery: [
        "# Welcome to the graphql_api explorer.",
        "#",
        "# Sign in: run this mutation (with your own user), copy the `token` it returns,",
        "#   mutation { login(input: {username: \"admin\", password: \"...\"}) { token } }",
        "# then open the Headers tab below and put",
        "#   {\"Authorization\": \"Bearer <token>\"}",
        "# Every later operation runs as that user, subscriptions too (the headers are",
        "# sent when their WebSocket opens). `logout` ends the session.",
        "#",
        "# Subscriptions run here: try  subscription { postPublished { title } }",
        "{",
        "  posts(first: 5) {",
        "    edges { node { title author { username } } }",
        "  }",
        "}",
        "",
      ].join("\n"),
    })
  );
})();
