"""ModelCache against a real local HTTP server (never the internet).

The upstream (``Upstream``) is an ``http.server`` in a thread, so it keeps answering no
matter which event loop the test runs on; tests/test_cache_handlers.py reuses it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from jupyterlab_bioimage.cache import (
    DownloadCancelled,
    InvalidRequest,
    ModelCache,
    NotFound,
    Sha256Mismatch,
    TooLarge,
    UpstreamError,
)

# ----------------------------------------------------------------------------- upstream


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Upstream:
    """A tiny remote: ``/files/<name>`` serves bytes, ``/slow/<name>`` sends half then
    waits for :meth:`release`, ``/drop/<name>`` sends half then drops the connection,
    ``/status/<code>`` answers that status, ``/redirect/<code>?to=<url>`` redirects there,
    ``/loop/<n>`` redirects to ``/loop/<n+1>``.
    Every request is recorded in :attr:`requests` (path and headers)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._started: dict[str, threading.Event] = {}
        self._gates: dict[str, threading.Event] = {}
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                upstream._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        self.running = True

    def url(self, name: str, route: str = "files") -> str:
        return f"http://127.0.0.1:{self.port}/{route}/{name}"

    def add(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return sha(data)

    def started(self, name: str) -> threading.Event:
        with self._lock:
            return self._started.setdefault(name, threading.Event())

    def gate(self, name: str) -> threading.Event:
        with self._lock:
            return self._gates.setdefault(name, threading.Event())

    def release(self, name: str) -> None:
        self.gate(name).set()

    async def wait_started(self, name: str, timeout: float = 5.0) -> None:
        """Await (without blocking the loop) that a slow/drop request for ``name`` arrived."""
        loop = asyncio.get_running_loop()
        ok = await loop.run_in_executor(None, self.started(name).wait, timeout)
        assert ok, f"upstream never received the request for {name}"

    def stop(self) -> None:
        if self.running:
            self.running = False
            for gate in list(self._gates.values()):
                gate.set()
            self.server.shutdown()
            self.server.server_close()

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        _, route, name = (req.path.split("?", 1)[0].split("/", 2) + ["", ""])[:3]
        with self._lock:
            self.hits[f"{route}/{name}"] += 1
            self.requests.append({"path": req.path, "headers": dict(req.headers)})
        if route == "loop":
            req.send_response(302)
            req.send_header("Location", f"/loop/{int(name) + 1}")
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        if route == "redirect":
            query = parse_qs(req.path.split("?", 1)[1] if "?" in req.path else "")
            req.send_response(int(name or 302))
            req.send_header("Location", query.get("to", [""])[0])
            req.send_header("Content-Length", "9")
            req.end_headers()
            req.wfile.write(b"redirect\n")
            return
        if route == "status":
            req.send_response(int(name))
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        data = self.files.get(name)
        if data is None:
            req.send_error(404)
            return
        req.send_response(200)
        req.send_header("Content-Type", "application/octet-stream")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        half = len(data) // 2
        try:
            if route == "files":
                req.wfile.write(data)
                return
            req.wfile.write(data[:half])
            req.wfile.flush()
            self.started(name).set()
            if route == "drop":
                req.close_connection = True
                req.connection.shutdown(socket.SHUT_RDWR)
                return
            if route == "slow":
                self.gate(name).wait(10)
                req.wfile.write(data[half:])
        except OSError:
            pass  # the client (the cache) went away: expected after a cancel


@pytest.fixture
def upstream():
    server = Upstream()
    yield server
    server.stop()


def temp_files(root: Path) -> list[Path]:
    """Partial downloads left anywhere in the cache (there must never be any)."""
    return [p for p in root.rglob("*") if p.name.startswith(".tmp-")]


def stored_files(root: Path) -> list[Path]:
    return [p for sub in ("by-sha256", "by-url") for p in (root / sub).iterdir()]


#: The upstream listens on 127.0.0.1, which the cache refuses unless it is allowed.
LOCAL = ["127.0.0.1"]


@pytest.fixture
def cache(tmp_path: Path) -> ModelCache:
    return ModelCache(tmp_path / "cache", max_bytes=250, idle_timeout=5,
                      allowed_private_addresses=LOCAL)


# ----------------------------------------------------------------------------- tests


async def test_fetch_verifies_stores_and_reuses(cache: ModelCache, upstream: Upstream) -> None:
    data = b"x" * 100
    digest = upstream.add("weights.onnx", data)
    first = await cache.fetch(upstream.url("weights.onnx"), sha256=digest.upper(),
                              model_id="affable-shark", version="v0", file_name="weights.onnx")
    assert not first.cached and first.size == 100 and first.sha256 == digest
    assert first.path == cache.root / "by-sha256" / digest
    assert first.path.read_bytes() == data
    again = await cache.fetch(upstream.url("weights.onnx"), sha256=digest)
    assert again.cached and again.model_id == "affable-shark"  # metadata remembered
    assert upstream.hits["files/weights.onnx"] == 1
    # The index survives a restart.
    reopened = ModelCache(cache.root, max_bytes=250)
    assert (await reopened.fetch(upstream.url("weights.onnx"), sha256=digest)).cached
    assert upstream.hits["files/weights.onnx"] == 1


async def test_unknown_hash_is_keyed_by_url(cache: ModelCache, upstream: Upstream) -> None:
    digest = upstream.add("rdf.yaml", b"format_version: 0.5.3\n")
    result = await cache.fetch(upstream.url("rdf.yaml"))
    assert result.key.startswith("url-") and result.sha256 == digest
    # A later request that knows the hash is served from the same entry.
    assert (await cache.fetch(upstream.url("rdf.yaml"), sha256=digest)).cached


async def test_concurrent_requests_share_one_download(cache: ModelCache,
                                                      upstream: Upstream) -> None:
    data = os.urandom(200)
    digest = upstream.add("big.npy", data)
    url = upstream.url("big.npy", "slow")
    one = asyncio.ensure_future(cache.fetch(url, sha256=digest, download_id="a"))
    two = asyncio.ensure_future(cache.fetch(url, sha256=digest, download_id="b"))
    await upstream.wait_started("big.npy")
    [download] = cache.downloads()
    assert download["download_ids"] == ["a", "b"]
    upstream.release("big.npy")
    first, second = await asyncio.gather(one, two)
    assert first.path == second.path and first.path.read_bytes() == data
    assert upstream.hits["slow/big.npy"] == 1
    assert cache.downloads() == []


async def test_interrupted_download_leaves_nothing(cache: ModelCache, upstream: Upstream) -> None:
    digest = upstream.add("cut.bin", b"y" * 200)
    with pytest.raises(UpstreamError) as err:
        await cache.fetch(upstream.url("cut.bin", "drop"), sha256=digest)
    assert "nothing was cached" in err.value.message.lower()
    assert cache.usage()["file_count"] == 0
    assert temp_files(cache.root) == [] and stored_files(cache.root) == []


async def test_sha256_mismatch_is_refused(cache: ModelCache, upstream: Upstream) -> None:
    upstream.add("tampered.onnx", b"evil bytes")
    expected = sha(b"the real weights")
    with pytest.raises(Sha256Mismatch) as err:
        await cache.fetch(upstream.url("tampered.onnx"), sha256=expected)
    details = err.value.to_json()
    assert details["expected"] == expected and details["actual"] == sha(b"evil bytes")
    assert "nothing was cached" in details["message"]
    assert temp_files(cache.root) == [] and stored_files(cache.root) == []


async def test_lru_eviction_at_size_limit(cache: ModelCache, upstream: Upstream) -> None:
    hashes = {name: upstream.add(name, name.encode() * 50) for name in ("aa", "bb", "cc")}
    for name in ("aa", "bb"):
        await cache.fetch(upstream.url(name), sha256=hashes[name])
    await cache.fetch(upstream.url("aa"), sha256=hashes["aa"])  # aa is now the most recent
    await cache.fetch(upstream.url("cc"), sha256=hashes["cc"])  # 300 > 250: evict bb
    keys = {e["key"] for e in cache.usage()["entries"]}
    assert keys == {f"sha256-{hashes['aa']}", f"sha256-{hashes['cc']}"}
    assert cache.usage()["total_bytes"] == 200
    assert not (cache.root / "by-sha256" / hashes["bb"]).exists()


async def test_file_larger_than_cache_is_refused(cache: ModelCache, upstream: Upstream) -> None:
    digest = upstream.add("huge.bin", b"z" * 300)
    with pytest.raises(TooLarge, match="max_bytes"):
        await cache.fetch(upstream.url("huge.bin"), sha256=digest)
    assert temp_files(cache.root) == [] and stored_files(cache.root) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"model_id": "../../etc"},
        {"model_id": "a/b"},
        {"model_id": "/abs"},
        {"model_id": "a\\b"},
        {"model_id": "x\x00y"},
        {"model_id": ".."},
        {"file_name": "../rdf.yaml"},
        {"file_name": "weights/model.onnx"},
        {"file_name": "..\\..\\x"},
        {"file_name": "C:evil"},
        {"file_name": ".."},
        {"file_name": "a\x00b"},
        {"version": "../v0"},
        {"sha256": "abc"},
        {"download_id": "../x"},
    ],
)
async def test_unsafe_arguments_are_refused(cache: ModelCache, upstream: Upstream,
                                            kwargs: dict) -> None:
    upstream.add("rdf.yaml", b"x")
    with pytest.raises(InvalidRequest):
        await cache.fetch(upstream.url("rdf.yaml"), **kwargs)
    assert sum(upstream.hits.values()) == 0


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)",
     "http://user:secret@127.0.0.1/x", "/relative/rdf.yaml", ""],
)
async def test_non_http_urls_are_refused(cache: ModelCache, url: str) -> None:
    with pytest.raises(InvalidRequest):
        await cache.fetch(url)


def test_allowed_hosts(tmp_path: Path) -> None:
    from jupyterlab_bioimage.cache import validate_url

    assert validate_url("https://hypha.aicell.io/x", ["*.aicell.io"])
    with pytest.raises(InvalidRequest, match="allowed_hosts"):
        validate_url("http://169.254.169.254/latest", ["*.aicell.io"])


async def test_offline_serves_cached_copy(cache: ModelCache, upstream: Upstream) -> None:
    upstream.add("index.json", b'{"items": []}')
    url = upstream.url("index.json")
    await cache.fetch(url)
    upstream.stop()
    refreshed = await cache.fetch(url, refresh=True)
    assert refreshed.cached and refreshed.offline and "cached copy" in (refreshed.warning or "")
    assert refreshed.path.read_bytes() == b'{"items": []}'
    with pytest.raises(UpstreamError) as err:
        await cache.fetch(upstream.url("never-fetched.json"))
    assert err.value.network


async def test_http_error_is_reported(cache: ModelCache, upstream: Upstream) -> None:
    with pytest.raises(UpstreamError, match="HTTP 404") as err:
        await cache.fetch(upstream.url("missing.onnx"))
    assert not err.value.network and err.value.details["upstream_status"] == 404


async def test_cancel_slow_download(cache: ModelCache, upstream: Upstream) -> None:
    digest = upstream.add("slow.onnx", b"s" * 200)
    task = asyncio.ensure_future(
        cache.fetch(upstream.url("slow.onnx", "slow"), sha256=digest, download_id="dl-1"))
    await upstream.wait_started("slow.onnx")
    assert cache.download("dl-1")["state"] == "downloading"
    assert cache.cancel("dl-1")["transfer_stopped"]
    with pytest.raises(DownloadCancelled, match="nothing was cached"):
        await task
    await cache.drain()  # the cancelled transfer unwinds (removes its temp file)
    assert cache.downloads() == []
    assert temp_files(cache.root) == [] and stored_files(cache.root) == []
    with pytest.raises(NotFound):
        cache.cancel("dl-1")


async def test_cancel_one_waiter_keeps_shared_download(cache: ModelCache,
                                                       upstream: Upstream) -> None:
    digest = upstream.add("shared.onnx", b"q" * 200)
    url = upstream.url("shared.onnx", "slow")
    tab = asyncio.ensure_future(cache.fetch(url, sha256=digest, download_id="tab"))
    kernel = asyncio.ensure_future(cache.fetch(url, sha256=digest, download_id="kernel"))
    await upstream.wait_started("shared.onnx")
    assert cache.cancel("tab") == {"cancelled": True, "transfer_stopped": False, "url": url}
    upstream.release("shared.onnx")
    assert (await kernel).size == 200
    with pytest.raises(DownloadCancelled):
        await tab


async def test_clear_per_model_and_whole(cache: ModelCache, upstream: Upstream) -> None:
    cache.max_bytes = 10_000
    own = upstream.add("own.onnx", b"1" * 100)
    shared = upstream.add("shared.npy", b"2" * 50)
    other = upstream.add("other.onnx", b"3" * 70)
    await cache.fetch(upstream.url("own.onnx"), sha256=own, model_id="affable-shark")
    await cache.fetch(upstream.url("shared.npy"), sha256=shared, model_id="affable-shark")
    # Same bytes under another model's URL: stored once (content-addressed).
    upstream.add("shared-copy.npy", b"2" * 50)
    hit = await cache.fetch(upstream.url("shared-copy.npy"), sha256=shared, model_id="happy-cat")
    assert hit.cached
    await cache.fetch(upstream.url("other.onnx"), sha256=other, model_id="happy-cat")
    usage = cache.usage()
    assert usage["models"]["affable-shark"] == {"bytes": 150, "files": 2}
    assert usage["models"]["happy-cat"] == {"bytes": 120, "files": 2}
    assert usage["total_bytes"] == 220

    assert cache.clear("affable-shark") == {"removed_files": 1, "freed_bytes": 100}
    assert (cache.root / "by-sha256" / shared).exists()  # still used by happy-cat
    assert "affable-shark" not in cache.usage()["models"]
    with pytest.raises(NotFound):
        cache.clear("affable-shark")

    assert cache.clear() == {"removed_files": 2, "freed_bytes": 120}
    assert cache.usage()["total_bytes"] == 0 and stored_files(cache.root) == []


def test_stale_temp_files_are_removed_at_start(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    ModelCache(root)
    stale = root / "by-sha256" / ".tmp-crashed.part"
    fresh = root / "by-sha256" / ".tmp-other-server.part"
    stale.write_bytes(b"partial")
    fresh.write_bytes(b"partial")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    ModelCache(root)
    assert not stale.exists() and fresh.exists()


def test_corrupt_index_is_rebuilt_from_disk(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    ModelCache(root)
    data = b"weights"
    (root / "by-sha256" / sha(data)).write_bytes(data)
    (root / "index.json").write_text("{not json")
    reopened = ModelCache(root)
    assert reopened.usage()["total_bytes"] == len(data)
