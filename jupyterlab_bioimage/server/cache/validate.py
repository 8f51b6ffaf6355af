"""Validation of everything a client sends to the cache: ids, names, hashes, URLs and keys.

Why so strict: model ids, versions and file names end up in the index and in file names of
responses, and URLs make the *server* issue a request. Anything that could be abused as a path
(``..``, separators, NUL), or to reach other schemes or hosts, is refused with
:class:`~.errors.InvalidRequest` before it is used.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from typing import Any, Optional
from urllib.parse import urlsplit

from ...layout import KEY_RE, SHA256_RE
from .errors import InvalidRequest

# Anchored with ``\Z``, not ``$``: ``$`` also matches before a trailing newline, so
# ``"abc\n"`` would pass and end up in the index (and in log lines, headers, file names).
_MODEL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+@-]{0,127}\Z")
_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}\Z")
_DOWNLOAD_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")


def validate_model_id(value: Optional[str]) -> Optional[str]:
    """Refuse model ids that could be abused as paths (``..``, separators, NUL, absolute)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _MODEL_ID_RE.match(value) or ".." in value:
        raise InvalidRequest(
            f"Invalid model id {value!r}: use a bioimage.io id such as 'affable-shark' "
            "(letters, digits and . _ - : + @; no '..', no '/' or '\\', at most 128 characters).",
            field="model_id",
        )
    return value


def validate_file_name(value: Optional[str]) -> Optional[str]:
    """Refuse file names that are not a single plain path component."""
    if value is None:
        return None
    bad = (
        not isinstance(value, str)
        or value in ("", ".", "..")
        or len(value) > 255
        or any(sep in value for sep in ("/", "\\", ":"))
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
        or value.startswith(("~", " "))
        or ".." in value
    )
    if bad:
        raise InvalidRequest(
            f"Invalid file name {value!r}: give the bare file name (e.g. 'weights.onnx'), "
            "without directories, '..', drive letters or control characters.",
            field="file_name",
        )
    return value


def validate_version(value: Optional[str]) -> Optional[str]:
    """Versions are short tokens such as ``v0`` or ``1.2``."""
    if value is None:
        return None
    if not isinstance(value, str) or not _VERSION_RE.match(value) or ".." in value:
        raise InvalidRequest(
            f"Invalid version {value!r}: expected a short token such as 'v0' or '1.2'.",
            field="version",
        )
    return value


def validate_download_id(value: Optional[str]) -> Optional[str]:
    """Client-chosen download ids must be short, URL-safe tokens."""
    if value is None:
        return None
    if not isinstance(value, str) or not _DOWNLOAD_ID_RE.match(value):
        raise InvalidRequest(
            f"Invalid download id {value!r}: use up to 128 letters, digits, '.', '_' or '-'.",
            field="download_id",
        )
    return value


def normalize_sha256(value: Optional[str]) -> Optional[str]:
    """Lower-case 64-digit hex, or None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and SHA256_RE.match(value.lower()):
        return value.lower()
    raise InvalidRequest(
        f"Invalid sha256 {value!r}: expected 64 hexadecimal digits.", field="sha256"
    )


def validate_url(url: Any, allowed_hosts: Iterable[str] = ()) -> str:
    """Only plain http(s) URLs with a host; ``file:``, ``ftp:``, credentials etc. are refused."""
    if not isinstance(url, str) or not url:
        raise InvalidRequest("Missing 'url': give the http(s) URL of the file.", field="url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(
            f"Refused URL {url!r}: only http:// and https:// URLs can be fetched.", field="url"
        )
    if parts.username or parts.password:
        raise InvalidRequest(
            "Refused URL with embedded credentials: they would be stored in the cache index.",
            field="url",
        )
    if any(ord(ch) < 33 for ch in url):
        raise InvalidRequest("Refused URL containing spaces or control characters.", field="url")
    patterns = list(allowed_hosts)
    host = parts.hostname.lower()
    if patterns and not any(fnmatch.fnmatch(host, p.lower()) for p in patterns):
        raise InvalidRequest(
            f"Refused URL {url!r}: host {host!r} is not in c.BioImageCache.allowed_hosts.",
            field="url",
        )
    return url


def validate_key(key: str) -> str:
    """Public cache keys are ``sha256-<hex>`` or ``url-<hex>``; nothing else maps to a path."""
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise InvalidRequest(
            f"Invalid cache key {key!r}: expected 'sha256-<64 hex>' or 'url-<64 hex>'.",
            field="key",
        )
    return key
