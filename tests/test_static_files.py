"""Static files as `make serve` serves them: collected under names holding their hashes,
gzipped, and sent with a far-future Cache-Control, with production settings behind
deploy/serve.py."""

import gzip
import re
from http import HTTPStatus

import pytest

from tests.servers import database_url, get, manage, production_server
from tests.test_slow_clients import PRODUCTION

pytestmark = pytest.mark.django_db


def test_static_files_are_sent_compressed_under_hashed_names_cached_for_good(tmp_path):
    root = tmp_path / "static"
    done = manage("collectstatic", "--noinput", "--verbosity", "0", DJANGO_STATIC_ROOT=str(root))
    assert done.returncode == 0, done.stderr
    env = PRODUCTION | {
        "DATABASE_URL": database_url(),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(root),
    }
    with production_server(**env) as (port, _):
        base = f"http://127.0.0.1:{port}"
        status, _, page = get(base + "/api/docs/")
        assert status == HTTPStatus.OK
        scripts = re.findall(r'src="(/static/[^"]+)"', page.decode())
        bundle = next(script for script in scripts if "swagger-ui-bundle" in script)
        # A new version of the file is a new name, so a client may keep this one for good.
        assert re.search(r"\.[0-9a-f]{12}\.js$", bundle), bundle
        original = (root / bundle.removeprefix("/static/")).read_bytes()

        status, headers, body = get(base + bundle, {"Accept-Encoding": "gzip"})
        assert status == HTTPStatus.OK
        assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert headers["Content-Encoding"] == "gzip"
        assert len(body) < len(original) / 2
        assert gzip.decompress(body) == original

        status, headers, body = get(base + bundle)
        assert (status, headers.get("Content-Encoding"), body) == (HTTPStatus.OK, None, original)
