"""The cache endpoints through a real Jupyter server (pytest-jupyter) and a local upstream.

The upstream is tests/test_cache.py's threaded ``Upstream``; nothing reaches the internet.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Callable

import pytest
from test_cache import Upstream, sha, stored_files, temp_files, upstream  # noqa: F401
from tornado.httpclient import HTTPResponse

from jupyterlab_bioimage.cache_handlers import SETTINGS_KEY

Fetch = Callable[..., Awaitable[HTTPResponse]]


@pytest.fixture
def extra_cache_config() -> dict[str, Any]:
    """Per-test additions to ``c.BioImageCache`` (override with parametrize)."""
    return {}


@pytest.fixture
def cache_root(tmp_path: Path) -> Path:
    return tmp_path / "bioimage-cache"


@pytest.fixture
def jp_server_config(jp_server_config, cache_root, extra_cache_config):
    return {
        **jp_server_config,
        "BioImageCache": {
            "cache_dir": str(cache_root),
            "max_bytes": 1000,
            "idle_timeout": 5.0,
            # The upstream listens on 127.0.0.1, refused unless allowed.
            "allowed_private_addresses": ["127.0.0.1"],
            **extra_cache_config,
        },
    }


async def call(jp_fetch: Fetch, method: str, *parts: str, body: Any = None, raw: bool = False,
               **kwargs: Any) -> tuple[int, Any]:
    """One request; returns (status, parsed JSON or the response). Never raises on HTTP errors."""
    if body is not None and not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    response = await jp_fetch(*parts, method=method, body=body, raise_error=False,
                              allow_nonstandard_methods=True, **kwargs)
    if not raw and response.headers.get("Content-Type", "").startswith("application/json"):
        return response.code, json.loads(response.body)
    return response.code, response


def fetch_file(jp_fetch: Fetch, body: dict[str, Any]) -> Awaitable[tuple[int, Any]]:
    return call(jp_fetch, "POST", "bioimage", "cache", "fetch", body=body)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Poll a server-side condition that has no event to await (an HTTP request arriving)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


# ----------------------------------------------------------------------------- tests


async def test_fetch_then_serve_file(jp_fetch, upstream: Upstream) -> None:
    data = b"format_version: 0.5.3\nname: test\n"
    digest = upstream.add("rdf.yaml", data)
    request = {"url": upstream.url("rdf.yaml"), "sha256": digest, "model_id": "affable-shark",
               "version": "v0", "file_name": "rdf.yaml"}
    code, first = await fetch_file(jp_fetch, request)
    assert code == 200, first
    assert first["path_key"] == f"sha256-{digest}" and first["size"] == len(data)
    assert first["cached"] is False and first["sha256"] == digest
    assert first["file_url"].endswith(f"bioimage/cache/file/sha256-{digest}")
    assert Path(first["path"]).read_bytes() == data  # the kernel can read it directly

    code, again = await fetch_file(jp_fetch, request)
    assert code == 200 and again["cached"] is True
    assert upstream.hits["files/rdf.yaml"] == 1

    code, response = await call(jp_fetch, "GET", "bioimage", "cache", "file", first["path_key"])
    assert code == 200 and response.body == data
    assert response.headers["Content-Type"] == "application/x-yaml"
    assert response.headers["Content-Length"] == str(len(data))
    assert response.headers["X-Content-SHA256"] == digest
    assert "sandbox" in response.headers["Content-Security-Policy"]

    code, usage = await call(jp_fetch, "GET", "bioimage", "cache")
    assert usage["total_bytes"] == len(data) and usage["max_bytes"] == 1000
    assert usage["models"] == {"affable-shark": {"bytes": len(data), "files": 1}}
    code, model = await call(jp_fetch, "GET", "bioimage", "cache", "models", "affable-shark")
    assert code == 200 and model["files"] == 1


async def test_concurrent_fetches_share_one_download(jp_fetch, upstream: Upstream) -> None:
    data = bytes(range(256)) * 2
    digest = upstream.add("weights.onnx", data)
    body = {"url": upstream.url("weights.onnx", "slow"), "sha256": digest}

    first = asyncio.ensure_future(fetch_file(jp_fetch, {**body, "download_id": "tab"}))
    second = asyncio.ensure_future(fetch_file(jp_fetch, {**body, "download_id": "kernel"}))
    await upstream.wait_started("weights.onnx")

    async def both_joined_with_progress() -> bool:
        code, listing = await call(jp_fetch, "GET", "bioimage", "cache", "downloads")
        downloads = listing["downloads"]
        return (len(downloads) == 1 and downloads[0]["download_ids"] == ["kernel", "tab"]
                and downloads[0]["bytes_done"] > 0)

    await eventually(both_joined_with_progress)
    code, progress = await call(jp_fetch, "GET", "bioimage", "cache", "downloads", "tab")
    assert code == 200 and progress["state"] == "downloading"
    assert progress["bytes_total"] == len(data)
    upstream.release("weights.onnx")
    (code1, one), (code2, two) = await asyncio.gather(first, second)
    assert code1 == code2 == 200
    assert one["path_key"] == two["path_key"] and Path(one["path"]).read_bytes() == data
    assert upstream.hits["slow/weights.onnx"] == 1


async def test_interrupted_download_is_502_and_leaves_nothing(jp_fetch, upstream: Upstream,
                                                              cache_root: Path) -> None:
    digest = upstream.add("cut.onnx", b"c" * 400)
    body = {"url": upstream.url("cut.onnx", "drop"), "sha256": digest}
    code, error = await fetch_file(jp_fetch, body)
    assert code == 502 and error["reason"] == "upstream error"
    assert "cut.onnx" in error["message"] and "Nothing was cached" in error["message"]
    assert temp_files(cache_root) == [] and stored_files(cache_root) == []
    assert (await call(jp_fetch, "GET", "bioimage", "cache"))[1]["file_count"] == 0


async def test_sha256_mismatch_is_422(jp_fetch, upstream: Upstream, cache_root: Path) -> None:
    upstream.add("model.onnx", b"not the published weights")
    expected = sha(b"published weights")
    url = upstream.url("model.onnx")
    code, error = await fetch_file(jp_fetch, {"url": url, "sha256": expected})
    assert code == 422 and error["reason"] == "sha256 mismatch"
    assert error["url"] == url and error["expected"] == expected
    assert error["actual"] == sha(b"not the published weights")
    for part in (url, expected, error["actual"], "nothing was cached"):
        assert part in error["message"]
    assert temp_files(cache_root) == [] and stored_files(cache_root) == []


async def test_lru_eviction_at_size_limit(jp_fetch, upstream: Upstream) -> None:
    hashes = {n: upstream.add(n, n.encode() * 200) for n in ("a1", "b1", "c1")}  # 400 B each
    keys = {}
    for name in ("a1", "b1"):
        body = {"url": upstream.url(name), "sha256": hashes[name]}
        code, result = await fetch_file(jp_fetch, body)
        keys[name] = result["path_key"]
    # Reading a1 makes it recently used; fetching c1 (1200 B > 1000 B) must evict b1.
    assert (await call(jp_fetch, "GET", "bioimage", "cache", "file", keys["a1"]))[0] == 200
    code, result = await fetch_file(jp_fetch, {"url": upstream.url("c1"), "sha256": hashes["c1"]})
    assert code == 200
    code, usage = await call(jp_fetch, "GET", "bioimage", "cache")
    assert {e["key"] for e in usage["entries"]} == {keys["a1"], result["path_key"]}
    assert usage["total_bytes"] == 800
    code, error = await call(jp_fetch, "GET", "bioimage", "cache", "file", keys["b1"])
    assert code == 404 and "fetch it first" in error["message"]


@pytest.mark.parametrize(
    "field, value",
    [("model_id", "../../../etc"), ("model_id", "/etc/passwd"), ("model_id", "a\\..\\b"),
     ("file_name", "../../.bashrc"), ("file_name", "sub/weights.onnx"), ("file_name", "a\x00b"),
     ("version", "../v0")],
)
async def test_path_traversal_in_fetch_is_400(jp_fetch, upstream: Upstream, field: str,
                                              value: str) -> None:
    upstream.add("rdf.yaml", b"x")
    code, error = await fetch_file(jp_fetch, {"url": upstream.url("rdf.yaml"), field: value})
    assert code == 400 and error["field"] == field
    assert repr(value) in error["message"]
    assert sum(upstream.hits.values()) == 0


@pytest.mark.parametrize(
    "method, parts",
    [("DELETE", ("models", "../../etc")), ("GET", ("models", "..")),
     ("GET", ("file", "..")), ("GET", ("file", "sha256-../../index.json")),
     ("GET", ("file", "index.json"))],
)
async def test_path_traversal_in_paths_is_400(jp_fetch, method: str, parts: tuple) -> None:
    code, error = await call(jp_fetch, method, "bioimage", "cache", *parts)
    assert code == 400, (code, error)
    assert "Invalid" in error["message"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://h/x"])
async def test_proxy_refuses_non_http(jp_fetch, url: str) -> None:
    code, error = await call(jp_fetch, "GET", "bioimage", "proxy", params={"url": url})
    assert code == 400 and "only http:// and https://" in error["message"]


async def test_proxy_streams_remote_file(jp_fetch, upstream: Upstream) -> None:
    digest = upstream.add("cover.png", b"\x89PNG fake")
    params = {"url": upstream.url("cover.png"), "sha256": digest}
    code, response = await call(jp_fetch, "GET", "bioimage", "proxy", params=params)
    assert code == 200 and response.body == b"\x89PNG fake"
    assert response.headers["Content-Type"] == "image/png"


async def test_offline_serves_cached_copy(jp_fetch, upstream: Upstream) -> None:
    upstream.add("index.json", b'{"items": []}')
    url = upstream.url("index.json")
    assert (await fetch_file(jp_fetch, {"url": url}))[0] == 200
    upstream.stop()
    code, result = await fetch_file(jp_fetch, {"url": url, "refresh": True})
    assert code == 200 and result["offline"] is True and result["cached"] is True
    params = {"url": url, "refresh": "true"}
    code, response = await call(jp_fetch, "GET", "bioimage", "proxy", params=params, raw=True)
    assert code == 200 and response.body == b'{"items": []}'
    code, error = await fetch_file(jp_fetch, {"url": upstream.url("other.json")})
    assert code == 502 and "Could not download" in error["message"]


async def test_cancel_slow_download(jp_fetch, upstream: Upstream, cache_root: Path,
                                    jp_serverapp) -> None:
    digest = upstream.add("slow.onnx", b"s" * 600)
    body = {"url": upstream.url("slow.onnx", "slow"), "sha256": digest, "download_id": "dl-42"}
    pending = asyncio.ensure_future(fetch_file(jp_fetch, body))
    await upstream.wait_started("slow.onnx")
    code, cancelled = await call(jp_fetch, "DELETE", "bioimage", "cache", "downloads", "dl-42")
    assert code == 200 and cancelled["transfer_stopped"] is True
    code, error = await pending
    await jp_serverapp.web_app.settings[SETTINGS_KEY].drain()  # its temp file is gone by now
    assert code == 409 and error["reason"] == "cancelled"
    assert temp_files(cache_root) == [] and stored_files(cache_root) == []
    code, error = await call(jp_fetch, "DELETE", "bioimage", "cache", "downloads", "dl-42")
    assert code == 404


async def test_proxy_download_progress_then_cancel(jp_fetch, upstream: Upstream,
                                                  cache_root: Path, jp_serverapp) -> None:
    """What the model card does: read through the proxy with a download id, poll the
    progress, then cancel; the proxy answers 409 and nothing stays in the cache."""
    digest = upstream.add("weights.onnx", b"w" * 800)
    params = {"url": upstream.url("weights.onnx", "slow"), "sha256": digest,
              "download_id": "card-1"}
    pending = asyncio.ensure_future(call(jp_fetch, "GET", "bioimage", "proxy", params=params))
    await upstream.wait_started("weights.onnx")
    progress: dict[str, Any] = {}
    for _ in range(100):  # the first half arrives; wait until the cache has counted it
        code, progress = await call(jp_fetch, "GET", "bioimage", "cache", "downloads", "card-1")
        if code == 200 and progress["bytes_done"] == 400:
            break
        await asyncio.sleep(0.02)
    assert progress["state"] == "downloading" and progress["download_ids"] == ["card-1"]
    assert (progress["bytes_done"], progress["bytes_total"]) == (400, 800)
    code, cancelled = await call(jp_fetch, "DELETE", "bioimage", "cache", "downloads", "card-1")
    assert code == 200 and cancelled["transfer_stopped"] is True
    code, error = await pending
    await jp_serverapp.web_app.settings[SETTINGS_KEY].drain()
    assert code == 409 and error["reason"] == "cancelled"
    assert "nothing was cached" in error["message"]
    assert temp_files(cache_root) == [] and stored_files(cache_root) == []
    code, _ = await call(jp_fetch, "GET", "bioimage", "cache", "downloads", "card-1")
    assert code == 404


async def test_clear_per_model_and_whole(jp_fetch, upstream: Upstream, cache_root: Path) -> None:
    for model, name in (("affable-shark", "a.onnx"), ("affable-shark", "b.npy"),
                        ("happy-cat", "c.onnx")):
        digest = upstream.add(name, name.encode() * 10)
        body = {"url": upstream.url(name), "sha256": digest, "model_id": model}
        assert (await fetch_file(jp_fetch, body))[0] == 200
    code, cleared = await call(jp_fetch, "DELETE", "bioimage", "cache", "models", "affable-shark")
    assert code == 200 and cleared == {"removed_files": 2, "freed_bytes": 110}
    usage = (await call(jp_fetch, "GET", "bioimage", "cache"))[1]
    assert list(usage["models"]) == ["happy-cat"]
    code, error = await call(jp_fetch, "DELETE", "bioimage", "cache", "models", "affable-shark")
    assert code == 404
    code, cleared = await call(jp_fetch, "DELETE", "bioimage", "cache")
    assert code == 200 and cleared["removed_files"] == 1
    assert stored_files(cache_root) == []


async def test_bad_request_bodies(jp_fetch) -> None:
    code, error = await call(jp_fetch, "POST", "bioimage", "cache", "fetch", body="{nope")
    assert code == 400 and "not valid JSON" in error["message"]
    code, error = await fetch_file(jp_fetch, {"url": "https://example.org/x", "colour": "red"})
    assert code == 400 and "colour" in error["message"]
    code, error = await fetch_file(jp_fetch, {})
    assert code == 400 and "Missing 'url'" in error["message"]


COI = {"Cross-Origin-Opener-Policy": "same-origin",
       "Cross-Origin-Embedder-Policy": "require-corp"}


@pytest.mark.parametrize("extra_cache_config", [{"cross_origin_isolation": True}])
async def test_cross_origin_isolation_headers(jp_fetch, extra_cache_config) -> None:
    for parts in (("api", "status"), ("bioimage", "health"), ("bioimage", "cache")):
        response = await jp_fetch(*parts)
        for name, value in COI.items():
            assert response.headers.get(name) == value, (parts, name)


async def test_no_isolation_headers_by_default(jp_fetch) -> None:
    response = await jp_fetch("api", "status")
    assert not any(name in response.headers for name in COI)
