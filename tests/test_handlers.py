"""The server extension answers through a real Jupyter server (pytest-jupyter)."""

import json

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_bioimage import __version__
from jupyterlab_bioimage.handlers import bundled_models


async def test_health(jp_fetch):
    response = await jp_fetch("bioimage", "health")
    assert response.code == 200
    payload = json.loads(response.body)
    assert payload["status"] == "ok"
    assert payload["version"] == __version__
    assert payload["bundled_models"] == bundled_models()


async def test_bundled_file_is_served(jp_fetch):
    models = bundled_models()
    if not models:
        pytest.skip("no bundled models in this checkout")
    response = await jp_fetch("bioimage", "bundled", models[0], "rdf.yaml")
    assert response.code == 200
    assert b"format_version" in response.body


async def test_bundled_refuses_path_traversal(jp_fetch):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("bioimage", "bundled", "..%2F__init__.py")
    assert err.value.code in (403, 404)
