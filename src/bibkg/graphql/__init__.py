"""GraphQL API over the knowledge graph (strawberry).

* :func:`bibkg.graphql.schema.build_schema` — the schema, with limits from
  :class:`bibkg.graphql.settings.GraphQLSettings`;
* :func:`bibkg.graphql.router.build_graphql_router` — a FastAPI router (mounted at ``/graphql``)
  speaking GraphQL over HTTP (``application/json`` and ``application/graphql-response+json``),
  serving GraphiQL from local assets.

Resolvers only run named queries of ``read/queries/gql-*.rq`` through the services' query runner, and
batch them with per-request DataLoaders (:mod:`bibkg.graphql.loaders`); below the root they are
synchronous whenever the rows they need are known (:mod:`bibkg.graphql.maybe`). Documents are
parsed and validated once per text (:mod:`bibkg.graphql.validation`); over a local snapshot, rows
and whole responses are kept across requests (:mod:`bibkg.graphql.batch`,
:mod:`bibkg.graphql.response_cache`).
"""
