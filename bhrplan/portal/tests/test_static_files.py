"""With production settings (DEBUG=0), whitenoise serves static files compressed and cached.

Runs collectstatic into a temporary folder in a subprocess with production settings,
then asks for the stylesheet with `Accept-Encoding: gzip` through the WSGI stack.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import django, json
    django.setup()
    from django.core.management import call_command
    from django.templatetags.static import static
    from django.test import Client
    call_command("collectstatic", interactive=False, verbosity=0)
    url = static("css/bhrplan.css")
    client = Client()
    plain = client.get(url, secure=True)
    zipped = client.get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip, br")
    print(json.dumps({
        "url": url,
        "status": zipped.status_code,
        "encoding": zipped.get("Content-Encoding", ""),
        "cache": zipped.get("Cache-Control", ""),
        "plain_length": len(b"".join(plain.streaming_content)),
        "zipped_length": len(b"".join(zipped.streaming_content)),
    }))
    """
)


@pytest.mark.dbless
def test_it_serves_static_files_compressed_with_long_cache_lifetimes(tmp_path: Path):
    import json

    root = Path(__file__).resolve().parents[3]
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "test-only-secret-key-for-static-files-check-0123456789",
        "ALLOWED_HOSTS": "testserver",
        "BHRPLAN_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["status"] == 200
    assert data["url"] != "/static/css/bhrplan.css"  # hashed name from the manifest
    assert data["encoding"] in {"gzip", "br"}
    assert data["zipped_length"] < data["plain_length"]
    max_age = int(data["cache"].split("max-age=")[1].split(",")[0])
    assert max_age >= 31536000
    assert "immutable" in data["cache"] or "public" in data["cache"]
