// Served by the app itself (no CDN), so the explorer works offline and under a
// strict Content-Security-Policy: no inline script, every asset from 'self'.
(function () {
  const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultQuery:
        "# Welcome! Sign in with the `login` mutation, then put\n" +
        "# {\"authorization\": \"Bearer <token>\"} in the Headers tab.\n" +
        "{\n  posts(first: 5) {\n    edges { node { title author { username } } }\n  }\n}\n",
    })
  );
})();
