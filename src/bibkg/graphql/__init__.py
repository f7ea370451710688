"""GraphQL API over the knowledge graph (strawberry).

* :func:`bibkg.graphql.schema.build_schema` — the schema, with limits from
  :class:`bibkg.graphql.settings.GraphQLSettings`;
* :func:`bibkg.graphql.router.build_graphql_router` — a FastAPI router (mounted at ``/graphql``)
  speaking GraphQL over HTTP (``application/json`` and ``application/graphql-response+json``),
  serving GraphiQL from local assets.

Resolvers only run named queries of ``queries/gql-*.rq`` through the services' query runner, and
batch them with per-request DataLoaders (:mod:`bibkg.graphql.loaders`).
"""
