"""Benchmark of the public progress dashboard (issue 3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dashboard_bench \\
        .venv/bin/python manage.py generate_scale_data --territories 30 --actions 150 \\
        --indicators 3 --periods 16 --reset
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dashboard_bench \\
        .venv/bin/python bench/dashboard.py [--duration 20] [--connections 16] [--no-cache]

Serves the app with gunicorn (2 workers, DEBUG off, whitenoise for static files) on a
free port, warms it up, then measures with wrk (16 connections): the plan dashboard of
the national plan, the territory overview of the national territory (30 plans side by
side) and, in the same run and from the same server, a static CSS file for comparison.
Prints p50/p95/p99 latency and requests per second as a Markdown table.

`--no-cache` sets PROGRESS_CACHE_SECONDS=0, so every request recomputes the figures and
renders the whole page (chart SVGs stay cached by their spec): the worst case after
each new validation.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LUA = Path(__file__).resolve().parent / "wrk_report.lua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_ids(env: dict[str, str]) -> tuple[int, str]:
    code = (
        "from bhrplan.plans.models import Plan;"
        "p = Plan.objects.filter(territory__code='BENCH').first();"
        "print(p.pk if p else '')"
    )
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if not out.stdout.strip():
        sys.exit("No benchmark data: run manage.py generate_scale_data first (see the docstring).")
    return int(out.stdout.split()[-1]), "BENCH"


def wrk(url: str, duration: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", str(LUA), url],
        capture_output=True,
        text=True,
        check=True,
    )
    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
    return json.loads(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")
    static_root = tempfile.mkdtemp(prefix="bhrplan-bench-static-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": static_root,
        "PROGRESS_CACHE_SECONDS": "0" if args.no_cache else "3600",
    }
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    plan_id, territory = bench_ids(env)
    port = free_port()
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    urls = {
        "plan dashboard": f"{base}/es/progress/plans/{plan_id}/",
        "territory overview (30 plans)": f"{base}/es/progress/territories/{territory}/",
        "static CSS file": f"{base}/static/css/bhrplan.css",
    }
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"{base}/static/css/bhrplan.css", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        sizes = {}
        for name, url in urls.items():
            for _ in range(4):  # warm both workers (first chart render, caches)
                started = time.monotonic()
                with urllib.request.urlopen(url, timeout=120) as response:
                    body = response.read()
                    assert response.status == 200, (name, response.status)
                sizes[name] = (len(body), time.monotonic() - started)
        results = {name: wrk(url, args.duration, args.connections) for name, url in urls.items()}
    finally:
        server.terminate()
        server.wait(timeout=20)
    mode = "figures recomputed on every request" if args.no_cache else "figures cached"
    print(f"\n{args.connections} connections, {args.duration} s each, gunicorn 2 workers, {mode}\n")
    print("| page | p50 ms | p95 ms | p99 ms | requests/s | errors | size KB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        size = sizes[name][0] / 1024
        print(
            f"| {name} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {r['rps']:.0f} | {r['errors']} | {size:.0f} |"
        )


if __name__ == "__main__":
    main()
