"""HTTP API of the download cache, under ``<base_url>/bioimage/``.

The browser cannot fetch most bioimage.io files itself (CORS) and should not download what
the kernel downloads again, so both go through these endpoints. Every error is JSON
``{message, reason, ...}`` with a meaningful status (see :mod:`.cache` for the classes).
"""

from __future__ import annotations

import json
import mimetypes
import re
import uuid
from typing import Any, Optional

import tornado
import tornado.iostream
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join

from .cache import (
    CacheError,
    CrossSiteRequest,
    FetchResult,
    InvalidRequest,
    ModelCache,
    validate_key,
    validate_model_id,
)
from .config import BioImageCache, apply_cross_origin_isolation

#: Key of the shared :class:`ModelCache` in the tornado application settings.
SETTINGS_KEY = "bioimage_cache"
CHUNK_SIZE = 1 << 20
_EXTRA_TYPES = {
    ".yaml": "application/x-yaml",
    ".yml": "application/x-yaml",
    ".onnx": "application/octet-stream",
    ".npy": "application/octet-stream",
    ".pt": "application/octet-stream",
    ".md": "text/markdown",
}

#: Types a browser would execute when navigated to; served as plain text instead.
_ACTIVE_TYPES = {"text/html", "application/xhtml+xml", "text/javascript",
                 "application/javascript", "application/xml", "text/xml"}


class _CacheMixin(JupyterHandler):
    """Access to the cache and JSON errors for both API and file handlers."""

    @property
    def cache(self) -> ModelCache:
        return self.settings[SETTINGS_KEY]

    def send_cache_error(self, err: CacheError) -> None:
        self.set_status(err.status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(err.to_json()))

    def fetch_result_json(self, result: FetchResult, download_id: Optional[str]) -> dict[str, Any]:
        base = self.settings.get("base_url", "/")
        return {
            "path_key": result.key,
            "file_url": url_path_join(base, "bioimage", "cache", "file", result.key),
            "path": str(result.path),
            "url": result.url,
            "size": result.size,
            "sha256": result.sha256,
            "cached": result.cached,
            "offline": result.offline,
            "warning": result.warning,
            "model_id": result.model_id,
            "version": result.version,
            "file_name": result.file_name,
            "download_id": download_id,
        }

    async def stream_file(self, key: str, include_body: bool = True) -> None:
        """Send a cached file with its type, length and hash; reads in chunks (files are big)."""
        record = self.cache.entry(key)
        path = self.cache.path_for(key)
        name = self.cache.name_of(key) or ""
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        content_type = _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(name)[0]
        if content_type in _ACTIVE_TYPES:
            content_type = "text/plain; charset=utf-8"
        self.set_header("Content-Type", content_type or "application/octet-stream")
        self.set_header("Content-Length", str(record.size))
        self.set_header("ETag", f'"{record.sha256}"')
        self.set_header("X-Content-SHA256", record.sha256)
        if name:
            safe_name = re.sub(r"[^A-Za-z0-9._ +-]", "_", name)
            self.set_header("Content-Disposition", f'inline; filename="{safe_name}"')
        if key.startswith("sha256-"):
            # Content-addressed: the bytes behind this URL can never change.
            self.set_header("Cache-Control", "private, max-age=31536000, immutable")
        else:
            self.set_header("Cache-Control", "private, no-cache")
        if include_body:
            with path.open("rb") as fh:  # stays readable even if evicted meanwhile (POSIX)
                while chunk := fh.read(CHUNK_SIZE):
                    self.write(chunk)
                    try:
                        await self.flush()
                    except tornado.iostream.StreamClosedError:
                        return  # the client went away; nothing to tell it
        self.finish()


def _json_body(handler: APIHandler) -> dict[str, Any]:
    try:
        body = json.loads(handler.request.body or b"{}")
    except ValueError as err:
        raise InvalidRequest(f"The request body is not valid JSON: {err}") from None
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object such as {\"url\": ...}.")
    return body


#: Query parameters that are Jupyter's, not fields of a fetch request: ``token`` (Jupyter's
#: authentication has consumed it by the time the handler runs) and ``_xsrf``.
_JUPYTER_QUERY_ARGS = {"token", "_xsrf"}


def _connection_ticket(download_id: Optional[str]) -> str:
    """The ticket a request holds on its download: the client's id, else one of its own
    (so that the download can be withdrawn when the client goes away)."""
    return download_id or f"conn-{uuid.uuid4().hex}"


def _fetch_args(source: dict[str, Any]) -> dict[str, Any]:
    unknown = set(source) - {"url", "sha256", "model_id", "version", "file_name",
                             "download_id", "refresh"}
    if unknown:
        raise InvalidRequest(f"Unknown field(s) {sorted(unknown)} in the fetch request.")
    args = {k: source.get(k) for k in ("sha256", "model_id", "version", "file_name",
                                        "download_id")}
    for name, value in args.items():
        if value is not None and not isinstance(value, str):
            raise InvalidRequest(f"'{name}' must be a string.", field=name)
    refresh = source.get("refresh", False)
    if isinstance(refresh, str):
        refresh = refresh.lower() in ("1", "true", "yes")
    return {"url": source.get("url"), "refresh": bool(refresh), **args}


class CacheHandler(_CacheMixin, APIHandler):
    """``GET`` usage and entries, ``DELETE`` everything."""

    @tornado.web.authenticated
    def get(self) -> None:
        self.finish(json.dumps(self.cache.usage()))

    @tornado.web.authenticated
    def delete(self) -> None:
        self.finish(json.dumps(self.cache.clear()))


class FetchHandler(_CacheMixin, APIHandler):
    """``POST {url, sha256?, model_id?, version?, file_name?, download_id?, refresh?}``."""

    _ticket: Optional[str] = None

    @tornado.web.authenticated
    async def post(self) -> None:
        # A POST: Jupyter's XSRF check (or the token) already keeps other sites out.
        try:
            args = _fetch_args(_json_body(self))
            client_id = args.pop("download_id")
            self._ticket = _connection_ticket(client_id)
            result = await self.cache.fetch(args.pop("url"), download_id=self._ticket, **args)
        except CacheError as err:
            self.send_cache_error(err)
            return
        finally:
            self._ticket = None
        self.finish(json.dumps(self.fetch_result_json(result, client_id)))

    def on_connection_close(self) -> None:
        """The client went away: withdraw its interest in the download (the transfer stops
        when nobody else waits for it, and nothing is cached)."""
        if self._ticket:
            self.cache.cancel(self._ticket, missing_ok=True)


class _FileServingMixin(_CacheMixin):
    """Cached files come from arbitrary remote hosts but are served from Jupyter's origin.

    A remote HTML or SVG page opened from here would run with the user's Jupyter session
    (and could start kernels), so responses are sandboxed and active types are downgraded.
    Reading them with ``fetch()`` or showing images in ``<img>`` is unaffected.
    """

    @property
    def content_security_policy(self) -> str:
        return "default-src 'none'; sandbox"


class FileHandler(_FileServingMixin, JupyterHandler):
    """``GET``/``HEAD /bioimage/cache/file/<key>``: the cached bytes."""

    @tornado.web.authenticated
    async def get(self, key: str) -> None:
        await self._send(key, include_body=True)

    @tornado.web.authenticated
    async def head(self, key: str) -> None:
        await self._send(key, include_body=False)

    async def _send(self, key: str, include_body: bool) -> None:
        try:
            validate_key(key)
            await self.stream_file(key, include_body)
        except CacheError as err:
            self.send_cache_error(err)


class DownloadsHandler(_CacheMixin, APIHandler):
    """``GET`` in-flight downloads (all, or one by id); ``DELETE <id>`` cancels."""

    @tornado.web.authenticated
    def get(self, download_id: Optional[str] = None) -> None:
        try:
            if download_id:
                self.finish(json.dumps(self.cache.download(download_id)))
            else:
                self.finish(json.dumps({"downloads": self.cache.downloads()}))
        except CacheError as err:
            self.send_cache_error(err)

    @tornado.web.authenticated
    def delete(self, download_id: Optional[str] = None) -> None:
        try:
            if not download_id:
                raise InvalidRequest("Give the download id: DELETE /bioimage/cache/downloads/<id>.")
            self.finish(json.dumps(self.cache.cancel(download_id)))
        except CacheError as err:
            self.send_cache_error(err)


class ModelHandler(_CacheMixin, APIHandler):
    """``GET`` one model's cached files, ``DELETE`` them."""

    @tornado.web.authenticated
    def get(self, model_id: str) -> None:
        try:
            validate_model_id(model_id)
        except CacheError as err:
            self.send_cache_error(err)
            return
        usage = self.cache.usage()
        entries = [
            e for e in usage["entries"] if any(s["model_id"] == model_id for s in e["sources"])
        ]
        totals = usage["models"].get(model_id, {"bytes": 0, "files": 0})
        self.finish(json.dumps({"model_id": model_id, **totals, "entries": entries}))

    @tornado.web.authenticated
    def delete(self, model_id: str) -> None:
        try:
            self.finish(json.dumps(self.cache.clear(model_id)))
        except CacheError as err:
            self.send_cache_error(err)


def check_same_origin(handler: JupyterHandler, url: str) -> None:
    """Refuse a GET that would make the server download ``url`` unless it surely comes
    from JupyterLab itself (or from an API client that holds the token).

    Why a header check and not "fetch only by POST": covers and documentation images are
    ``<img src="/bioimage/proxy?url=...">``, and an ``<img>`` can only GET. Jupyter checks
    XSRF on POST only, and its login cookie has no SameSite attribute, so a page on any
    other site could otherwise make the server fetch (and cache) a URL by navigating to, or
    embedding, a proxy URL: the browser sends the cookie along. Browsers mark every request
    with ``Sec-Fetch-Site`` (web content cannot set or change it): requests of the
    JupyterLab page -- ``fetch()`` and ``<img>`` alike -- are ``same-origin``; another site's
    are ``cross-site`` or ``same-site`` (e.g. another port of localhost). Requests without
    the header come from programs (or very old browsers) and must then carry the token
    (``Authorization: token ...``), which another site cannot know. So covers keep working
    unchanged with the cookie, and nothing else can trigger a server-side fetch.
    """
    if handler.token_authenticated:
        return
    site = handler.request.headers.get("Sec-Fetch-Site")
    if site is None:
        raise CrossSiteRequest(
            f"Refused to download {url}: the request has no Sec-Fetch-Site header and is "
            "authenticated only by a cookie, so it may come from another website. API "
            "clients: send the Jupyter token in an 'Authorization: token <token>' header "
            "(or use POST /bioimage/cache/fetch); in a browser, open it from JupyterLab.",
            url=url,
        )
    if site.strip().lower() != "same-origin":
        raise CrossSiteRequest(
            f"Refused to download {url}: the request came from another site "
            f"(Sec-Fetch-Site: {site}), and a page elsewhere must not make this server fetch "
            "URLs. Open it from JupyterLab itself; API clients send the token in an "
            "'Authorization: token <token>' header.",
            url=url, sec_fetch_site=site,
        )


class ProxyHandler(_FileServingMixin, JupyterHandler):
    """``GET /bioimage/proxy?url=...&sha256=...``: fetch through the cache, answer the bytes.

    Lets the browser ``fetch()`` remote descriptions without CORS and show remote covers in
    ``<img>``; query parameters are the fields of the fetch request. Only JupyterLab's own
    page (or a token holder) may use it: see :func:`check_same_origin`.
    """

    _ticket: Optional[str] = None

    @tornado.web.authenticated
    async def get(self) -> None:
        try:
            query = {
                k: self.get_query_argument(k) for k in self.request.query_arguments
                if k not in _JUPYTER_QUERY_ARGS
            }
            args = _fetch_args(query)
            check_same_origin(self, str(args.get("url") or "(no url given)"))
            self._ticket = _connection_ticket(args.pop("download_id"))
            try:
                result = await self.cache.fetch(args.pop("url"), download_id=self._ticket,
                                                **args)
            finally:
                self._ticket = None
            if result.warning:
                self.set_header("Warning", '110 - "served from the cache, upstream unavailable"')
            await self.stream_file(result.key)
        except CacheError as err:
            self.send_cache_error(err)

    def on_connection_close(self) -> None:
        """The client went away: withdraw its interest in the download (the transfer stops
        when nobody else waits for it, and nothing is cached)."""
        if self._ticket:
            self.cache.cancel(self._ticket, missing_ok=True)


def setup_cache_handlers(server_app: Any) -> ModelCache:
    """Create the cache from ``c.BioImageCache`` settings and register the endpoints."""
    config = BioImageCache(parent=server_app)
    web_app = server_app.web_app
    if config.cross_origin_isolation:
        apply_cross_origin_isolation(web_app)
        server_app.log.info(
            "jupyterlab_bioimage: cross-origin isolation on (COOP same-origin, COEP require-corp)"
        )
    cache = ModelCache(
        config.resolved_cache_dir(),
        max_bytes=config.max_bytes,
        max_concurrent_downloads=config.max_concurrent_downloads,
        idle_timeout=config.idle_timeout,
        allowed_hosts=config.allowed_hosts,
        allowed_private_addresses=config.allowed_private_addresses,
        logger=server_app.log,
    )
    web_app.settings[SETTINGS_KEY] = cache
    base = url_path_join(web_app.settings["base_url"], "bioimage")
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "cache"), CacheHandler),
            (url_path_join(base, "cache", "fetch"), FetchHandler),
            (url_path_join(base, "cache", "file", "(.+)"), FileHandler),
            (url_path_join(base, "cache", "downloads"), DownloadsHandler),
            (url_path_join(base, "cache", "downloads", "(.+)"), DownloadsHandler),
            (url_path_join(base, "cache", "models", "(.+)"), ModelHandler),
            (url_path_join(base, "proxy"), ProxyHandler),
        ],
    )
    server_app.log.info("jupyterlab_bioimage: model cache in %s", cache.root)
    return cache
