"""Contract tests for ElasticsearchIndex: the requests it sends, with no server.

A recording node class (elastic_transport's extension point for HTTP back ends) takes the place
of the HTTP connection: it records each request and answers from a small script of canned
Elasticsearch responses, so the tests check the mapping, the bulk payload and the scan request
exactly as they would go over the wire.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import elastic_transport
import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders

from hn_assets.search.elastic_index import ElasticsearchIndex, elasticsearch_request
from hn_assets.search.errors import IndexNotFoundError, IndexWriteError, SearchBackendUnavailable
from hn_assets.search.parser import parse_query
from tests.fakes.synthetic_posts import synthetic_posts

Answer = tuple[int, Any]
Responder = Callable[[str, str, Any], Answer]


class NodeResponse(NamedTuple):
    """What a node class returns to the transport: response metadata and raw body."""

    meta: ApiResponseMeta
    body: bytes


@dataclass
class Recorded:
    method: str
    target: str
    body: Any
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


class RecordingNode(BaseNode):
    """Records requests; answers with ``responder(method, path, decoded_body)``."""

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.requests: list[Recorded] = []
        self.responder: Responder = lambda method, path, body: (500, {"error": "no script"})

    def perform_request(  # type: ignore[override]
        self, method, target, body=None, headers=None, request_timeout=None
    ) -> NodeResponse:
        decoded: Any = None
        if body:
            text = body.decode()
            if text.endswith("\n"):  # bulk: newline-delimited JSON
                decoded = [json.loads(line) for line in text.splitlines()]
            else:
                decoded = json.loads(text)
        self.requests.append(Recorded(method, target, decoded, dict(headers or {})))
        status, payload = self.responder(method, target.split("?", 1)[0], decoded)
        meta = ApiResponseMeta(
            status=status,
            http_version="1.1",
            headers=HttpHeaders(
                {"x-elastic-product": "Elasticsearch", "content-type": "application/json"}
            ),
            duration=0.0,
            node=self.config,
        )
        return NodeResponse(meta, json.dumps(payload).encode() if payload is not None else b"")


def not_found(index: str) -> Answer:
    return 404, {
        "error": {"type": "index_not_found_exception", "reason": f"no such index [{index}]"},
        "status": 404,
    }


def make_index(
    responder: Responder, *, chunk_size: int = 500, **settings: Any
) -> tuple[ElasticsearchIndex, RecordingNode]:
    index = ElasticsearchIndex.from_settings(
        "http://es.test:9200", index="hn-jobs", node_class=RecordingNode, **settings
    )
    index.chunk_size = chunk_size
    node = index.client.transport.node_pool.all()[0]
    node.responder = responder
    return index, node


def bulk_ok(body: list[dict]) -> Answer:
    actions = [line for line in body if set(line) <= {"index", "delete"} and len(line) == 1]
    items = []
    for action in actions:
        ((op, meta),) = action.items()
        items.append({op: {"_id": meta["_id"], "status": 201 if op == "index" else 200}})
    return 200, {"took": 1, "errors": False, "items": items}


def test_ensure_index_creates_a_versioned_index_with_the_mapping_behind_an_alias() -> None:
    def respond(method: str, path: str, body: Any) -> Answer:
        if method == "HEAD":
            return 404, None
        return 200, {"acknowledged": True, "index": "hn-jobs-v1"}

    index, node = make_index(respond)
    index.ensure_index()
    assert [(r.method, r.path) for r in node.requests] == [
        ("HEAD", "/hn-jobs"),
        ("PUT", "/hn-jobs-v1"),
    ]
    created = node.requests[1].body
    assert created["aliases"] == {"hn-jobs": {"is_write_index": True}}
    analysis = created["settings"]["analysis"]
    assert analysis["analyzer"]["hn_text"] == {
        "type": "custom",
        "tokenizer": "hn_letters_digits",
        "filter": ["lowercase"],
    }
    assert analysis["tokenizer"]["hn_letters_digits"]["pattern"] == "[^\\p{L}\\p{N}]+"
    mapping = created["mappings"]
    assert mapping["dynamic"] == "strict"
    properties = mapping["properties"]
    assert properties["text"] == {"type": "text", "analyzer": "hn_text"}
    for column in ("company", "locations", "roles"):
        assert properties[column]["type"] == "text"
        assert properties[column]["fields"]["keyword"]["type"] == "keyword"
    assert properties["month"] == {"type": "keyword"}
    assert properties["time"] == {"type": "date", "format": "epoch_second"}
    assert {properties[c]["type"] for c in ("remote", "onsite", "hybrid", "visa")} == {"boolean"}
    assert {properties[c]["type"] for c in ("salary_min", "salary_max")} == {"double"}
    assert properties["employment_types"]["normalizer"] == "hn_keyword"
    from hn_assets.search.schema import POST_SCHEMA

    assert set(properties) == set(POST_SCHEMA.columns)


def test_ensure_index_keeps_an_existing_index() -> None:
    index, node = make_index(lambda method, path, body: (200, None))
    index.ensure_index()
    assert [(r.method, r.path) for r in node.requests] == [("HEAD", "/hn-jobs")]


def test_upsert_sends_contract_documents_in_bulk_chunks() -> None:
    def respond(method: str, path: str, body: Any) -> Answer:
        return (200, None) if method == "HEAD" else bulk_ok(body)

    posts = synthetic_posts(5, months=["2026-11"], seed=11)
    posts[0]["salary_min"] = math.nan
    posts[1].update(salary_min=120_000.0, salary_max=150_000.0, salary_currency="USD")
    posts[1].update(salary_period="year", salary_yearly_min=120_000.0, salary_yearly_max=150_000.0)
    index, node = make_index(respond, chunk_size=2)
    assert index.upsert(posts) == 5
    bulks = [r for r in node.requests if r.path == "/_bulk"]
    assert len(bulks) == 3  # chunks of 2, 2 and 1
    assert all("refresh=wait_for" in r.target for r in bulks)
    lines = [line for r in bulks for line in r.body]
    actions, sources = lines[0::2], lines[1::2]
    assert actions == [{"index": {"_index": "hn-jobs", "_id": str(p["id"])}} for p in posts]
    assert sources[0]["salary_min"] is None  # NaN has no JSON form: sent as "no value"
    assert sources[1] == posts[1]
    assert node.requests[0].method == "HEAD"  # checked first: never auto-creates an index


def test_upsert_reports_each_document_the_server_rejects() -> None:
    def respond(method: str, path: str, body: Any) -> Answer:
        if method == "HEAD":
            return 200, None
        _, items = bulk_ok(body)
        items["errors"] = True
        items["items"][1] = {
            "index": {
                "_id": body[2]["index"]["_id"],
                "status": 400,
                "error": {"type": "mapper_parsing_exception", "reason": "failed to parse [time]"},
            }
        }
        return 200, items

    posts = synthetic_posts(3, months=["2026-11"], seed=12)
    index, _ = make_index(respond)
    with pytest.raises(IndexWriteError) as raised:
        index.upsert(posts)
    (failure,) = raised.value.failures
    assert (failure.id, failure.position) == (posts[1]["id"], 1)
    assert "mapper_parsing_exception: failed to parse [time]" in str(raised.value)


def test_contract_violations_are_rejected_before_any_request() -> None:
    index, node = make_index(lambda method, path, body: (200, None))
    bad = {**synthetic_posts(1, seed=13)[0], "month": "2026/11"}
    with pytest.raises(IndexWriteError, match="YYYY-MM"):
        index.upsert([bad])
    assert node.requests == []


def test_writes_to_a_missing_index_fail_without_creating_it() -> None:
    index, node = make_index(lambda method, path, body: (404, None))
    with pytest.raises(IndexNotFoundError, match="hn-jobs refresh"):
        index.upsert(synthetic_posts(2, seed=14))
    with pytest.raises(IndexNotFoundError):
        index.delete([1, 2])
    assert {r.method for r in node.requests} == {"HEAD"}


def test_ids_for_month_scans_ids_with_source_off() -> None:
    pages = [[{"_id": "101"}, {"_id": "102"}], [{"_id": "103"}], []]

    def respond(method: str, path: str, body: Any) -> Answer:
        if method == "DELETE":
            return 200, {"succeeded": True, "num_freed": 1}
        hits = pages.pop(0)
        shards = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}
        return 200, {"_scroll_id": "s1", "_shards": shards, "hits": {"hits": hits}}

    index, node = make_index(respond)
    assert index.ids_for_month("2026-11") == {101, 102, 103}
    first = node.requests[0]
    assert (first.method, first.path) == ("POST", "/hn-jobs/_search")
    assert "scroll=2m" in first.target
    assert first.body["_source"] is False
    assert first.body["query"] == {"term": {"month": "2026-11"}}
    assert first.body["size"] == 1000
    assert [(r.method, r.path) for r in node.requests[1:]] == [
        ("POST", "/_search/scroll"),
        ("POST", "/_search/scroll"),
        ("DELETE", "/_search/scroll"),
    ]


def test_search_sends_the_translated_query_and_reads_hits() -> None:
    source = synthetic_posts(1, months=["2026-11"], seed=15)[0]
    wire = {**source, "salary_min": None, "salary_max": None}

    def respond(method: str, path: str, body: Any) -> Answer:
        hit = {"_id": str(source["id"]), "_score": None, "_source": wire}
        return 200, {"hits": {"hits": [hit]}}

    index, node = make_index(respond)
    query = parse_query('("san francisco" OR "bay area") AND NOT remote:true')
    (hit,) = index.search(query, size=5, sort="time", months=["2026-11"])
    body = node.requests[0].body
    assert body["query"] == {
        "bool": {"must": [query.to_elasticsearch()], "filter": [{"terms": {"month": ["2026-11"]}}]}
    }
    assert body["sort"] == [{"time": "desc"}, {"id": "desc"}]
    assert body["size"] == 5
    assert body == elasticsearch_request(query, ["2026-11"], 5, "time")  # what --explain shows
    assert hit.id == source["id"] and hit.score == 0.0
    assert math.isnan(hit.fields["salary_min"]) and hit.fields["company"] == source["company"]


def test_delete_counts_only_documents_that_existed() -> None:
    def respond(method: str, path: str, body: Any) -> Answer:
        if method == "HEAD":
            return 200, None
        items = [
            {"delete": {"_id": "1", "status": 200, "result": "deleted"}},
            {"delete": {"_id": "2", "status": 404, "result": "not_found"}},
        ]
        return 200, {"errors": False, "items": items}

    index, node = make_index(respond)
    assert index.delete([2, 1, 1]) == 1
    assert node.requests[1].body == [
        {"delete": {"_index": "hn-jobs", "_id": "1"}},
        {"delete": {"_id": "2", "_index": "hn-jobs"}},
    ]


def test_unreachable_server_is_retried_a_bounded_number_of_times_then_explained() -> None:
    attempts = []

    def refuse(method: str, path: str, body: Any) -> Answer:
        attempts.append(path)
        raise elastic_transport.ConnectionError("connection refused")

    index = ElasticsearchIndex.from_settings(
        "http://elastic:s3cret@es.test:9200", node_class=RecordingNode, max_retries=2
    )
    index.client.transport.node_pool.all()[0].responder = refuse
    with pytest.raises(SearchBackendUnavailable) as raised:
        index.count(parse_query("rust"))
    assert len(attempts) == 3  # the first try and two retries
    message = str(raised.value)
    assert "http://es.test:9200" in message and "ELASTICSEARCH_URL" in message
    assert "s3cret" not in message


def test_missing_index_and_bad_credentials_have_clear_messages() -> None:
    index, _ = make_index(lambda method, path, body: not_found("hn-jobs"))
    with pytest.raises(IndexNotFoundError, match="'hn-jobs' does not exist"):
        index.search(parse_query("rust"))
    denied = {"error": {"type": "security_exception", "reason": "unable to authenticate"}}
    index, _ = make_index(lambda method, path, body: (401, denied), api_key="k3y")
    with pytest.raises(SearchBackendUnavailable, match="ELASTICSEARCH_API_KEY") as raised:
        index.count()
    assert "k3y" not in str(raised.value)


def test_from_env_reads_url_and_credentials_from_the_environment() -> None:
    env = {"ELASTICSEARCH_URL": "http://es.test:9200", "ELASTICSEARCH_API_KEY": "abc123"}
    index = ElasticsearchIndex.from_env(env, node_class=RecordingNode)
    node = index.client.transport.node_pool.all()[0]
    node.responder = lambda method, path, body: (200, {"count": 7})
    assert index.count(months=["2026-11"]) == 7
    (request,) = node.requests
    assert request.headers.get("authorization") == "ApiKey abc123"
    assert request.body == {
        "query": {
            "bool": {"must": [{"match_all": {}}], "filter": [{"terms": {"month": ["2026-11"]}}]}
        }
    }
    with pytest.raises(SearchBackendUnavailable, match="ELASTICSEARCH_URL"):
        ElasticsearchIndex.from_env({})
