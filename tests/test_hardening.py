"""Attacks on the server extension, through a real token-authenticated Jupyter server.

The stand-in for "outside" hosts is tests/test_cache.py's ``Upstream`` on 127.0.0.1, which
records every request it receives: each test asserts that it was *not* reached where it
must not be, and that nothing was cached. Addresses that must never be connected to
(10.0.0.1, 169.254.169.254, ...) are refused before any connection is attempted: were a
connection tried, the answer would be a 502 after the connect timeout, not a 400 at once.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote, urlencode

import pytest
from test_cache import Upstream, stored_files, temp_files, upstream  # noqa: F401
from test_cache_handlers import (  # noqa: F401
    cache_root,
    call,
    eventually,
    extra_cache_config,
    fetch_file,
    jp_server_config,
)
from tornado.netutil import Resolver

from jupyterlab_bioimage.server.cache import (
    MAX_REDIRECTS,
    AddressPolicy,
    ModelCache,
    RefusedDestination,
)
from jupyterlab_bioimage.server.cache.netguard import address_kind, parse_networks
from jupyterlab_bioimage.server.cache_handlers import SETTINGS_KEY
from jupyterlab_bioimage.server.config import BioImageCache

# ----------------------------------------------------------------------------- helpers


class StaticResolver(Resolver):
    """Host name -> addresses from a dict, recording every lookup.

    A value that is a list of lists gives one answer per lookup (the last one repeats):
    the DNS-rebinding case of a name that answers differently the second time.
    """

    def initialize(self, mapping: dict[str, list]) -> None:
        self.mapping = mapping
        self.calls: list[str] = []

    async def resolve(self, host: str, port: int, family: int = socket.AF_UNSPEC) -> list:
        self.calls.append(host)
        answers = self.mapping.get(host)
        if answers is None:
            ipaddress.ip_address(host)  # only literal addresses pass unmapped
            answers = [host]
        if answers and isinstance(answers[0], list):
            answers = answers[min(self.calls.count(host) - 1, len(answers) - 1)]
        return [
            (socket.AF_INET6, (a, port, 0, 0)) if ":" in a else (socket.AF_INET, (a, port))
            for a in answers
        ]


def the_cache(jp_serverapp) -> ModelCache:
    return jp_serverapp.web_app.settings[SETTINGS_KEY]


def redirect_url(upstream: Upstream, target: str, code: int = 302,
                 host: str = "127.0.0.1") -> str:
    return f"http://{host}:{upstream.port}/redirect/{code}?to={quote(target, safe='')}"


def paths(upstream: Upstream) -> list[str]:
    return [r["path"].split("?", 1)[0] for r in upstream.requests]


async def assert_nothing_cached(jp_fetch, cache_root: Path) -> None:
    assert stored_files(cache_root) == [] and temp_files(cache_root) == []
    code, usage = await call(jp_fetch, "GET", "bioimage", "cache")
    assert code == 200 and usage["file_count"] == 0 and usage["entries"] == []


async def login_cookie(jp_fetch) -> str:
    """The login cookie a browser holds after opening /lab?token=... (no token after that)."""
    response = await jp_fetch("api", "status")
    cookies = response.headers.get_list("Set-Cookie")
    login = [c.split(";", 1)[0] for c in cookies if c.startswith("username-")]
    assert login, cookies
    return "; ".join(login)


def cookie_only(cookie: str, **headers: str) -> dict[str, str]:
    """Headers of a browser request: the cookie, and no token (overrides jp_fetch's)."""
    return {"Authorization": "", "Cookie": cookie, **headers}


# ----------------------------------------------------------------------------- redirects

ONLY_LOCALHOST = {"allowed_hosts": ["localhost"], "allowed_private_addresses": ["127.0.0.1"]}


@pytest.mark.parametrize("extra_cache_config", [ONLY_LOCALHOST])
async def test_redirect_to_host_outside_allowed_hosts_is_refused(
        jp_fetch, jp_serverapp, upstream: Upstream, cache_root: Path, extra_cache_config) -> None:
    """The reported bypass: allowed_hosts = ['localhost'] and a redirect to 127.0.0.1."""
    the_cache(jp_serverapp).use_resolver(StaticResolver(mapping={"localhost": ["127.0.0.1"]}))
    upstream.add("secret", b"internal secret page")
    direct = upstream.url("secret")
    code, error = await call(jp_fetch, "GET", "bioimage", "proxy", params={"url": direct})
    assert code == 400 and "allowed_hosts" in error["message"]

    via = redirect_url(upstream, direct, host="localhost")
    code, error = await call(jp_fetch, "GET", "bioimage", "proxy", params={"url": via})
    assert code == 400, error
    assert error["reason"] == "refused destination" and error["redirect"] == direct
    assert "allowed_hosts" in error["message"] and "nothing was cached" in error["message"]
    assert b"internal secret" not in json.dumps(error).encode()
    code, error = await fetch_file(jp_fetch, {"url": via})  # the POST endpoint too
    assert code == 400 and error["reason"] == "refused destination"
    assert paths(upstream) == ["/redirect/302", "/redirect/302"]  # never /files/secret
    await assert_nothing_cached(jp_fetch, cache_root)


@pytest.mark.parametrize(
    "target, kind",
    [("http://10.0.0.1/weights.onnx", "private"),
     ("http://169.254.169.254/latest/meta-data/", "link-local"),
     ("http://[::1]:{port}/files/secret", "loopback"),
     ("http://127.0.0.2:{port}/files/secret", "loopback"),
     ("http://[::ffff:10.0.0.1]/x", "private"),
     ("http://0.0.0.0:{port}/files/secret", "unspecified"),
     ("http://224.0.0.1/x", "multicast")],
)
async def test_redirect_to_internal_address_is_refused_before_connecting(
        jp_fetch, upstream: Upstream, cache_root: Path, target: str, kind: str) -> None:
    upstream.add("secret", b"internal secret page")
    target = target.format(port=upstream.port)
    code, error = await call(jp_fetch, "GET", "bioimage", "proxy",
                             params={"url": redirect_url(upstream, target, 307)})
    assert code == 400, error
    assert error["reason"] == "refused destination"
    assert f"a {kind} address" in error["message"]
    assert "allowed_private_addresses" in error["message"]
    assert "redirect" in error["message"]
    assert paths(upstream) == ["/redirect/307"]
    await assert_nothing_cached(jp_fetch, cache_root)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "gopher://127.0.0.1/x",
                                    "http://user:pw@127.0.0.1/x", "ftp://127.0.0.1/x"])
async def test_redirect_to_other_scheme_is_refused(jp_fetch, upstream: Upstream,
                                                   cache_root: Path, target: str) -> None:
    code, error = await call(jp_fetch, "GET", "bioimage", "proxy",
                             params={"url": redirect_url(upstream, target)})
    assert code == 400 and error["reason"] == "refused destination", error
    assert error["redirect"] == target and "did not follow it" in error["message"]
    assert paths(upstream) == ["/redirect/302"]
    await assert_nothing_cached(jp_fetch, cache_root)


async def test_allowed_redirects_are_followed_at_most_five(jp_fetch, upstream: Upstream,
                                                            cache_root: Path) -> None:
    digest = upstream.add("rdf.yaml", b"name: moved\n")
    once = redirect_url(upstream, "/files/rdf.yaml", 301)  # relative Location
    code, response = await call(jp_fetch, "GET", "bioimage", "proxy", params={"url": once})
    assert code == 200 and response.body == b"name: moved\n"
    assert paths(upstream) == ["/redirect/301", "/files/rdf.yaml"]

    loop = f"http://127.0.0.1:{upstream.port}/loop/0"  # /loop/1, /loop/2, ...
    upstream.requests.clear()
    code, error = await call(jp_fetch, "GET", "bioimage", "proxy", params={"url": loop})
    assert code == 502 and f"more than {MAX_REDIRECTS} times" in error["message"]
    assert len(upstream.requests) == MAX_REDIRECTS + 1
    usage = (await call(jp_fetch, "GET", "bioimage", "cache"))[1]
    assert [e["sha256"] for e in usage["entries"]] == [digest]  # only the real file


# ----------------------------------------------------------------------------- addresses


@pytest.mark.parametrize("extra_cache_config", [{"allowed_private_addresses": []}])
async def test_names_resolving_to_internal_addresses_are_refused(
        jp_fetch, jp_serverapp, upstream: Upstream, cache_root: Path, extra_cache_config) -> None:
    upstream.add("secret", b"internal secret page")
    urls = [upstream.url("secret"), f"http://localhost:{upstream.port}/files/secret"]
    for url in urls:  # the system resolver: 127.0.0.1 itself, localhost
        code, error = await call(jp_fetch, "GET", "bioimage", "proxy", params={"url": url})
        assert code == 400 and error["reason"] == "refused destination", error
        assert "loopback address" in error["message"]
    resolver = StaticResolver(mapping={"models.example.test": ["93.184.216.34", "10.1.2.3"]})
    the_cache(jp_serverapp).use_resolver(resolver)
    code, error = await fetch_file(jp_fetch, {"url": "https://models.example.test/w.onnx"})
    assert code == 400 and "'models.example.test': it resolves to 10.1.2.3" in error["message"]
    assert resolver.calls == ["models.example.test"]
    assert upstream.requests == []
    await assert_nothing_cached(jp_fetch, cache_root)


async def test_dns_rebinding_connects_to_the_checked_address(
        jp_fetch, jp_serverapp, upstream: Upstream, cache_root: Path) -> None:
    """One lookup per connection, checked and connected to: a second answer pointing at
    another address (here 10.0.0.1) is never asked for, let alone used."""
    data = b"weights"
    digest = upstream.add("w.onnx", data)
    resolver = StaticResolver(mapping={"rebind.test": [["127.0.0.1"], ["10.0.0.1"]]})
    the_cache(jp_serverapp).use_resolver(resolver)
    url = f"http://rebind.test:{upstream.port}/files/w.onnx"
    code, result = await fetch_file(jp_fetch, {"url": url, "sha256": digest})
    assert code == 200 and Path(result["path"]).read_bytes() == data
    assert resolver.calls == ["rebind.test"]
    assert upstream.requests[0]["headers"]["Host"] == f"rebind.test:{upstream.port}"
    # The other way round: the first (and only) answer is internal: refused, not connected.
    resolver = StaticResolver(mapping={"rebind2.test": [["10.0.0.1"], ["127.0.0.1"]]})
    the_cache(jp_serverapp).use_resolver(resolver)
    upstream.requests.clear()
    code, error = await fetch_file(jp_fetch, {"url": f"http://rebind2.test:{upstream.port}/x"})
    assert code == 400 and "10.0.0.1, a private address" in error["message"]
    assert resolver.calls == ["rebind2.test"] and upstream.requests == []


def test_address_policy_rules() -> None:
    kinds = {a: address_kind(ipaddress.ip_address(a)) for a in (
        "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "::1",
        "fe80::1", "fc00::1", "224.0.0.1", "0.0.0.0", "100.64.0.1", "::ffff:127.0.0.1",
        "93.184.216.34", "2606:4700::1111")}
    assert kinds == {
        "127.0.0.1": "loopback", "10.0.0.1": "private", "172.16.5.4": "private",
        "192.168.1.1": "private", "169.254.169.254": "link-local", "::1": "loopback",
        "fe80::1": "link-local", "fc00::1": "private", "224.0.0.1": "multicast",
        "0.0.0.0": "unspecified", "100.64.0.1": "non-public", "::ffff:127.0.0.1": "loopback",
        "93.184.216.34": None, "2606:4700::1111": None}
    policy = AddressPolicy(allowed_private_addresses=["10.1.2.0/24", "127.0.0.1"])
    policy.check_address("intranet", "10.1.2.3")
    policy.check_address("localhost", "::ffff:127.0.0.1")
    policy.check_address("example.org", "93.184.216.34")
    for address in ("10.1.3.1", "127.0.0.2", "::1"):
        with pytest.raises(RefusedDestination, match="allowed_private_addresses"):
            policy.check_address("h", address)
    with pytest.raises(ValueError, match="not an IP address or network"):
        parse_networks(["intranet.example.org"])
    from traitlets import TraitError

    with pytest.raises(TraitError, match="'localhost' is not an IP address"):
        BioImageCache(allowed_private_addresses=["localhost"])
    assert BioImageCache(allowed_private_addresses=["::1"]).allowed_private_addresses == ["::1"]


# ----------------------------------------------------------------------------- cross-site


async def test_cross_site_get_cannot_make_the_server_fetch(jp_fetch, upstream: Upstream,
                                                           cache_root: Path) -> None:
    """What a page on another site gets by navigating to (or embedding) a proxy URL: the
    browser sends Jupyter's cookie (no SameSite) and Sec-Fetch-Site: cross-site."""
    upstream.add("cover.png", b"\x89PNG cover")
    params = {"url": upstream.url("cover.png")}
    cookie = await login_cookie(jp_fetch)
    for site in ("cross-site", "same-site", "none"):
        code, error = await call(jp_fetch, "GET", "bioimage", "proxy", params=params,
                                 headers=cookie_only(cookie, **{"Sec-Fetch-Site": site}))
        assert code == 403 and error["reason"] == "cross-site request", (site, error)
        assert "another site" in error["message"] and "Authorization: token" in error["message"]
    # Cookie only and no Sec-Fetch-Site (an old browser, or a script with a stolen cookie).
    code, error = await call(jp_fetch, "GET", "bioimage", "proxy", params=params,
                             headers=cookie_only(cookie))
    assert code == 403 and "no Sec-Fetch-Site header" in error["message"]
    assert upstream.requests == []
    await assert_nothing_cached(jp_fetch, cache_root)

    # JupyterLab's own page: same-origin (fetch() and <img> alike), with the cookie.
    code, response = await call(jp_fetch, "GET", "bioimage", "proxy", params=params,
                                headers=cookie_only(cookie, **{"Sec-Fetch-Site": "same-origin"}))
    assert code == 200 and response.body == b"\x89PNG cover"


async def test_cross_site_post_without_xsrf_is_refused(jp_fetch, upstream: Upstream,
                                                       cache_root: Path) -> None:
    upstream.add("w.onnx", b"w")
    cookie = await login_cookie(jp_fetch)
    headers = cookie_only(cookie, **{"Sec-Fetch-Site": "cross-site",
                                     "Origin": "http://127.0.0.1:9"})
    code, _ = await call(jp_fetch, "POST", "bioimage", "cache", "fetch",
                         body={"url": upstream.url("w.onnx")}, headers=headers)
    assert code in (403, 404)  # Jupyter: a foreign Origin is a 404, a missing XSRF a 403
    headers = cookie_only(cookie, **{"Content-Type": "text/plain"})  # a form-like POST
    code, _ = await call(jp_fetch, "POST", "bioimage", "cache", "fetch",
                         body={"url": upstream.url("w.onnx")}, headers=headers)
    assert code == 403
    code, _ = await call(jp_fetch, "DELETE", "bioimage", "cache", headers=headers)
    assert code == 403
    assert upstream.requests == []
    await assert_nothing_cached(jp_fetch, cache_root)


# ----------------------------------------------------------------------------- token


async def test_proxy_accepts_jupyters_token_parameter(jp_fetch, jp_serverapp,
                                                      upstream: Upstream) -> None:
    """``?token=`` authenticates (Jupyter's own parameter), it is not a fetch field."""
    upstream.add("cover.png", b"\x89PNG")
    token = jp_serverapp.identity_provider.token
    params = {"url": upstream.url("cover.png"), "token": token}
    code, response = await call(jp_fetch, "GET", "bioimage", "proxy", params=params,
                                headers={"Authorization": ""})
    assert code == 200 and response.body == b"\x89PNG"
    code, response = await call(jp_fetch, "GET", "bioimage", "proxy", params=params,
                                headers={"Sec-Fetch-Site": "same-origin"})
    assert code == 200
    code, error = await call(jp_fetch, "GET", "bioimage", "proxy",
                             params={**params, "colour": "red"})
    assert code == 400 and "colour" in error["message"] and "token" not in error["message"]
    # A wrong token is no authentication at all.
    code, _ = await call(jp_fetch, "GET", "bioimage", "proxy",
                         params={**params, "token": "wrong"}, headers={"Authorization": ""},
                         follow_redirects=False)
    assert code in (302, 403)


# ----------------------------------------------------------------------------- disconnect


async def raw_get(port: int, path: str, headers: dict[str, str]) -> asyncio.StreamWriter:
    """Send a GET on a plain socket and return without reading the answer."""
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
             *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    writer.write("\r\n".join(lines).encode())
    await writer.drain()
    return writer


@pytest.mark.parametrize("download_id", [None, "card-7"])
async def test_proxy_client_disconnect_cancels_download(
        jp_fetch, jp_serverapp, jp_http_port, jp_base_url, upstream: Upstream,
        cache_root: Path, download_id: Optional[str]) -> None:
    digest = upstream.add("big.onnx", b"b" * 800)
    query: dict[str, Any] = {"url": upstream.url("big.onnx", "slow"), "sha256": digest}
    if download_id:
        query["download_id"] = download_id
    token = jp_serverapp.identity_provider.token
    writer = await raw_get(jp_http_port, f"{jp_base_url}bioimage/proxy?{urlencode(query)}",
                           {"Authorization": f"token {token}"})
    await upstream.wait_started("big.onnx")
    cache = the_cache(jp_serverapp)
    assert len(cache.downloads()) == 1
    writer.close()  # the tab went away in the middle of the download

    async def abandoned() -> bool:
        return cache.downloads() == []

    await eventually(abandoned)
    upstream.release("big.onnx")  # the rest would arrive now: nobody takes it
    await cache.drain()
    await assert_nothing_cached(jp_fetch, cache_root)


async def test_fetch_client_disconnect_cancels_download(
        jp_fetch, jp_serverapp, jp_http_port, jp_base_url, upstream: Upstream,
        cache_root: Path) -> None:
    digest = upstream.add("big.onnx", b"b" * 800)
    token = jp_serverapp.identity_provider.token
    body = json.dumps({"url": upstream.url("big.onnx", "slow"), "sha256": digest})
    _reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
    writer.write((f"POST {jp_base_url}bioimage/cache/fetch HTTP/1.1\r\n"
                  f"Host: 127.0.0.1:{jp_http_port}\r\nAuthorization: token {token}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                  f"{body}").encode())
    await writer.drain()
    await upstream.wait_started("big.onnx")
    cache = the_cache(jp_serverapp)
    writer.close()

    async def abandoned() -> bool:
        return cache.downloads() == []

    await eventually(abandoned)
    upstream.release("big.onnx")
    await cache.drain()
    await assert_nothing_cached(jp_fetch, cache_root)


# ----------------------------------------------------------------------------- paths, ids


async def test_nul_in_bundled_path_is_400(jp_fetch) -> None:
    for name in ("index.json\x00.png", "index.json\n"):
        code, error = await call(jp_fetch, "GET", "bioimage", "bundled", name)
        assert code == 400, (name, code)
        assert "control character" in error["message"] and "bundled" in error["message"]


@pytest.mark.parametrize(
    "field, value",
    [("model_id", "abc\n"), ("version", "v0\n"), ("download_id", "dl\n"),
     ("sha256", "a" * 64 + "\n"), ("model_id", "abc\r\nX-Injected: 1")],
)
async def test_ids_with_trailing_newline_are_refused(jp_fetch, upstream: Upstream,
                                                     cache_root: Path, field: str,
                                                     value: str) -> None:
    upstream.add("rdf.yaml", b"x")
    code, error = await fetch_file(jp_fetch, {"url": upstream.url("rdf.yaml"), field: value})
    assert code == 400 and error["field"] == field, error
    assert upstream.requests == []
    await assert_nothing_cached(jp_fetch, cache_root)


async def test_keys_and_model_paths_with_newline_are_400(jp_fetch) -> None:
    for parts in (("file", f"sha256-{'a' * 64}\n"), ("models", "abc\n")):
        code, error = await call(jp_fetch, "GET", "bioimage", "cache", *parts)
        assert code == 400 and "Invalid" in error["message"], (parts, error)

