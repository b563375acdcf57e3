"""Every response a partner's client can meet is the one the OpenAPI description promises: its status is
listed for the operation, and a JSON body is valid against the operation's schema (JSON Schema 2020-12, as
OpenAPI 3.1 uses), so a client generated from /api/openapi.json reads what the server sends."""

import pytest
from jsonschema import Draft202012Validator

from kb_app.web.openapi import SPEC

from .conftest import bearer

PUBLIC = "residence-permit-apply"
INTERNAL = "heating-peak-season-internal"
EXPIRED = "dibao-standard-2025"
PENDING = "minimum-wage-2027"
DIRECTORY = "bus-route"


def closed(schema):
    """A schema in which an object has only the properties described (a field the server sends that the
    description leaves out is an error too: a partner cannot know what it means)."""
    if isinstance(schema, list):
        return [closed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: closed(v) for k, v in schema.items()}
    if "properties" in schema and "additionalProperties" not in schema:
        out["additionalProperties"] = False
    return out


COMPONENTS = closed(SPEC["components"])


def operation(method: str, url: str) -> tuple[str, dict]:
    """The described path an URL is served by (``/api/v1/entries/x`` → ``/api/v1/entries/{id}``), and its operation."""
    parts = url.split("?", 1)[0].strip("/").split("/")
    for path, methods in SPEC["paths"].items():
        pattern = path.strip("/").split("/")
        if len(pattern) == len(parts) and all(p == u or p.startswith("{") for p, u in zip(pattern, parts)):
            return path, methods[method.lower()]
    raise AssertionError(f"{method} {url} is served but not described")


def conforms(response, method: str, url: str):
    """Assert that a response is one the description lists, with a body valid against its schema."""
    path, op = operation(method, url)
    status = str(response.status_code)
    assert status in op["responses"], f"{method} {path} answered {status}, which the description does not list"
    content = op["responses"][status].get("content") or {}
    kind = response.headers.get("content-type", "").split(";")[0]
    if not content:
        assert not response.content, f"{method} {path} {status} has a body the description does not promise"
        return
    assert kind in content, f"{method} {path} {status} answered {kind}, described as {sorted(content)}"
    schema = content[kind].get("schema")
    if kind == "application/json" and schema:
        validator = Draft202012Validator({**closed(schema), "components": COMPONENTS})
        problems = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.absolute_path))
        assert not problems, f"{method} {path} {status}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in problems[:5])


def test_the_description_is_valid_json_schema():
    for name, schema in SPEC["components"]["schemas"].items():
        Draft202012Validator.check_schema({**schema, "components": SPEC["components"]})


GETS = [
    "/api/v1/search?q=居住证怎么办",
    "/api/v1/search?q=居住证&kind=policy&limit=2&offset=1",
    "/api/v1/search?q=护照丢了",                      # weak: a word the knowledge base does not mention
    "/api/v1/search?q=zzqqxx",                       # nothing found
    "/api/v1/search?q=家里着火了",                     # an emergency alarm beside the results
    "/api/v1/search?q=不想活了",
    "/api/v1/search?q=低保&unit=city-civil-affairs",
    "/api/v1/search?q=",                             # 400
    "/api/v1/search?q=居住证&limit=abc",
    "/api/v1/search?q=居住证&unit=no-such-unit",
    "/api/v1/search?q=居住证&audience=agent",         # 401 without a key
    f"/api/v1/entries/{PUBLIC}",
    f"/api/v1/entries/{PUBLIC}?q=居住证",
    f"/api/v1/entries/{INTERNAL}",                   # 404 to the public
    f"/api/v1/entries/{EXPIRED}",
    f"/api/v1/entries/{DIRECTORY}",
    "/api/v1/entries/no-such-entry",
    "/api/v1/entries/..%2Fetc",
    "/api/v1/articles/beijing-2021/11",
    "/api/v1/articles/beijing-2021/999",
    "/api/v1/articles/no-such/1",
    "/api/v1/health",
    "/api/v1/topics",
    "/api/v1/search?q=社保卡&q=医保卡",               # 400: one q
    "/api/openapi.json",
]


@pytest.mark.parametrize("url", GETS)
def test_public_reads_are_as_described(client, url):
    conforms(client.get(url), "GET", url)


AGENT_GETS = [
    "/api/v1/search?q=居住证怎么办&audience=agent",
    "/api/v1/search?q=暖气&audience=agent&kind=directory",
    "/api/v1/search?q=低保标准&audience=agent",        # an expired answer among the results, marked
    "/api/v1/search?q=着火了&audience=agent",
    f"/api/v1/entries/{INTERNAL}",
    f"/api/v1/entries/{EXPIRED}",
    f"/api/v1/entries/{PENDING}",
    f"/api/v1/entries/{DIRECTORY}",
    "/api/v1/health",
]


@pytest.mark.parametrize("url", AGENT_GETS)
def test_agent_reads_are_as_described(client, agent_key, url):
    conforms(client.get(url, headers=bearer(agent_key)), "GET", url)


def test_a_conditional_get_is_as_described(client):
    url = f"/api/v1/entries/{PUBLIC}"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    conforms(again, "GET", url)


DISPATCHES = [
    {"text": "我家楼下的路灯坏了好几天了"},
    {"text": "小区暖气不热，室温只有十五度", "now": "2026-11-20T16:00", "limit": 3},
    {"text": "家里着火了"},
    {"text": "楼下有人打架", "not_emergency": True},
    {"text": "我想问一下公积金怎么提取", "answers": False},
    {"text": ""},
    {"text": "路灯坏了", "now": "昨天"},
    {"text": "路灯坏了", "not_emergency": "yes"},
    {"words": "没有 text"},
]


@pytest.mark.parametrize("body", DISPATCHES, ids=range(len(DISPATCHES)))
def test_dispatch_is_as_described(client, agent_key, body):
    conforms(client.post("/api/v1/dispatch", json=body, headers=bearer(agent_key)), "POST", "/api/v1/dispatch")


def test_dispatch_refusals_are_as_described(client, agent_key):
    url = "/api/v1/dispatch"
    conforms(client.post(url, json={"text": "路灯坏了"}), "POST", url)                      # no key
    conforms(client.post(url, content=b"text=1", headers={**bearer(agent_key), "Content-Type": "text/plain"}),
             "POST", url)
    conforms(client.post(url, content=b"{", headers={**bearer(agent_key), "Content-Type": "application/json"}),
             "POST", url)
    conforms(client.post(url, json={"text": "路" * 100_000}, headers=bearer(agent_key)), "POST", url)


FEEDBACK = [
    {"entry": PUBLIC, "type": "vote", "helpful": True},
    {"entry": PUBLIC, "type": "vote", "helpful": False, "text": "材料写得不清楚"},
    {"entry": PUBLIC, "type": "report", "text": "电话13812345678打不通"},
    {"entry": INTERNAL, "type": "vote", "helpful": True},
    {"entry": "no-such-entry", "type": "vote", "helpful": True},
    {"entry": PUBLIC, "type": "report"},
    {"entry": PUBLIC, "type": "praise"},
]


@pytest.mark.parametrize("body", FEEDBACK, ids=range(len(FEEDBACK)))
def test_feedback_is_as_described(client, body):
    conforms(client.post("/api/v1/feedback", json=body), "POST", "/api/v1/feedback")
