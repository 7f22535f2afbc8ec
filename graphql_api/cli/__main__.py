"""`python -m graphql_api.cli`: the same command as the installed `graphql-api`."""

from graphql_api.cli import main

raise SystemExit(main())
