"""Job search: the clean post schema, a nested boolean query language, and two index backends.

Domain code only (no Dagster). Each module imports only modules listed before it: ``errors``;
``schema`` (the post, defined once); ``analysis``; ``query`` and ``parser`` (the query
language); ``documents`` (rows checked against the schema); ``backends`` (the
:class:`~hn_assets.search.backends.SearchIndex` interface); ``local_index`` (tantivy) and
``elastic_index`` (Elasticsearch); ``sync`` (one month of the index kept equal to its posts);
then saved searches, alerts and rendering, built on those.
"""
