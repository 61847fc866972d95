"""Procurement screening benchmark (not a test).

    .venv/bin/python bench/procurement.py [--releases 1000000] [--slice 20000] [--dir var/bench]

1. generates a national-scale JSON Lines gzip file by replicating the real releases of
   bhrplan/procurement/data/ocds-samples with new ocids (never committed);
2. measures, each phase in its own process (so peak RSS is per phase):
   - `orjson`: a plain line-by-line orjson parse of the file (the parsing limit);
   - `screening`: bhrplan's screening (read + compile + match on DuckDB), in worker
     processes (one per core); peak RSS is that of the whole process tree;
   - `ocdskit`: `ocdskit compile` on the first --slice releases;
3. prints releases/s, MB/s (uncompressed JSON) and peak RSS, and the goals:
   screening ≥ 50% of the orjson throughput, ≥ 10× ocdskit compile, peak RSS ≤ 1 GB.
   The orjson parse and ocdskit run before and after the screening; the ratios use the
   mean of the two rates, since the speed of a shared machine drifts during a run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (worker processes), in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total / 1024 / 1024


class TreeMemory:
    """Samples the process tree's resident memory every 50 ms; keeps the peak."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _tree_rss_mb(os.getpid()))

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def generate(target: Path, releases: int) -> dict:
    import orjson

    from bhrplan.procurement.ocds.pipeline import expand_paths
    from bhrplan.procurement.ocds.reader import OcdsFileError, read_file

    samples = []
    for path in expand_paths([ROOT / "bhrplan/procurement/data/ocds-samples"]):
        try:
            entries, _stats = read_file(path)
            samples.extend(e.data for e in entries if e.kind == "release")
        except OcdsFileError:
            continue
    for release in samples:
        release["version"] = "1.1"  # already upgraded by the reader
    written = raw_bytes = 0
    copy = 0
    with gzip.open(target, "wb", compresslevel=1) as out:
        while written < releases:
            for release in samples:
                if written >= releases:
                    break
                release_copy = dict(release)
                release_copy["ocid"] = f"{release['ocid']}-bench{copy}"
                line = orjson.dumps(release_copy) + b"\n"
                out.write(line)
                raw_bytes += len(line)
                written += 1
            copy += 1
    return {"releases": written, "raw_bytes": raw_bytes, "gzip_bytes": target.stat().st_size}


def package_of(lines: Path) -> Path:
    """The same releases as one release package (gzip): how many publishers distribute
    a year of data. Written once, next to the JSON Lines file."""
    target = lines.with_name(lines.name.replace(".jsonl.gz", ".package.json.gz"))
    if target.exists():
        return target
    partial = target.with_suffix(".partial")
    with gzip.open(lines, "rb") as fh, gzip.open(partial, "wb", compresslevel=1) as out:
        out.write(b'{"uri": "https://example.org/bench", "version": "1.1", "releases": [\n')
        for number, line in enumerate(fh):
            out.write((b",\n" if number else b"") + line.rstrip())
        out.write(b"\n]}\n")
    partial.rename(target)
    return target


def phase_orjson(path: Path) -> dict:
    import orjson

    count = 0
    cpu = _cpu_seconds()
    started = time.perf_counter()
    with gzip.open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                orjson.loads(line)
                count += 1
    return {
        "releases": count,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _cpu_seconds() - cpu,
    }


def phase_screening(path: Path) -> dict:
    import django

    django.setup()
    from bhrplan.procurement.screening.run import run_screening

    store = path.parent / "bench-store.duckdb"
    cpu = _cpu_seconds()
    started = time.perf_counter()
    with TreeMemory() as memory:
        result = run_screening([path], store)
    elapsed = time.perf_counter() - started
    files = result.files[0]
    return {
        "releases": files.releases,
        "seconds": elapsed,
        "cpu_seconds": _cpu_seconds() - cpu,
        "tree_peak_rss_mb": memory.peak,
        "items": result.coverage["items"],
        "flagged_items": result.summary["flagged_items"],
        "error": files.error,
    }


def phase_ocdskit(path: Path, slice_size: int, schema: Path) -> dict:
    sliced = path.parent / "bench-slice.jsonl"
    count = 0
    with gzip.open(path, "rb") as fh, sliced.open("wb") as out:
        for line in fh:
            # One release package per line: ocdskit guesses the version of a bare release
            # from the presence of `parties`, which some (upgraded) releases lack.
            out.write(b'{"version": "1.1", "releases": [' + line.rstrip() + b"]}\n")
            count += 1
            if count >= slice_size:
                break
    ocdskit = Path(sys.executable).parent / "ocdskit"
    started = time.perf_counter()
    with sliced.open("rb") as stdin:
        subprocess.run(
            [str(ocdskit), "compile", "--schema", str(schema)],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
    elapsed = time.perf_counter() - started
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    sliced.unlink()
    return {"releases": count, "seconds": elapsed, "child_peak_rss_mb": child}


def run_phase(name: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--releases", type=int, default=1_000_000)
    parser.add_argument("--slice", type=int, default=20_000)
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench"))
    parser.add_argument(
        "--package",
        action="store_true",
        help="also screen the same releases written as one release package",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = parser.parse_args()

    if opts.phase:
        path = Path(opts.args[0])
        if opts.phase == "orjson":
            result = phase_orjson(path)
        elif opts.phase == "screening":
            result = phase_screening(path)
        else:
            result = phase_ocdskit(path, int(opts.args[1]), Path(opts.args[2]))
        result["peak_rss_mb"] = max(
            _peak_rss_mb(), result.get("child_peak_rss_mb", 0), result.get("tree_peak_rss_mb", 0)
        )
        print(json.dumps(result))
        return

    workdir = Path(opts.dir)
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"ocds-{opts.releases}.jsonl.gz"
    meta_file = data.with_suffix(".meta.json")
    if not data.exists() or not meta_file.exists():
        print(f"generating {opts.releases} releases into {data} …", flush=True)
        meta = generate(data, opts.releases)
        meta_file.write_text(json.dumps(meta))
    meta = json.loads(meta_file.read_text())
    mb = meta["raw_bytes"] / 1e6
    print(
        f"file: {meta['releases']} releases, {mb:.0f} MB JSON, "
        f"{meta['gzip_bytes'] / 1e6:.0f} MB gzip",
        flush=True,
    )

    from bhrplan.procurement.ocds.merge import schema_stub

    schema = workdir / "release-schema-stub.json"
    schema.write_text(json.dumps(schema_stub()))

    # The machine's speed drifts (shared virtual machines): the parse and ocdskit run
    # before and after the screening, and the ratios use the mean of both rates.
    results = {
        "orjson": run_phase("orjson", str(data)),
        "ocdskit": run_phase("ocdskit", str(data), str(opts.slice), str(schema)),
        "screening": run_phase("screening", str(data)),
        "orjson-2": run_phase("orjson", str(data)),
        "ocdskit-2": run_phase("ocdskit", str(data), str(opts.slice), str(schema)),
    }
    if opts.package:
        results["package"] = run_phase("screening", str(package_of(data)))
    per_byte = meta["raw_bytes"] / meta["releases"]
    print(
        f"{'phase':<10} {'releases':>9} {'seconds':>8} {'CPU s':>8} {'rel/s':>9} {'MB/s':>7} "
        f"{'peak RSS MB':>11}"
    )
    rates = {}
    for name, r in results.items():
        rate = rates[name] = r["releases"] / r["seconds"]
        cpu = r.get("cpu_seconds")
        print(
            f"{name:<10} {r['releases']:>9} {r['seconds']:>8.1f} "
            f"{(f'{cpu:.1f}' if cpu is not None else '-'):>8} {rate:>9.0f} "
            f"{rate * per_byte / 1e6:>7.1f} {r['peak_rss_mb']:>11.0f}"
        )
    screening = rates["screening"]
    parse = (rates["orjson"] + rates["orjson-2"]) / 2
    ocdskit = (rates["ocdskit"] + rates["ocdskit-2"]) / 2
    print(
        f"screening / orjson parse: {100 * screening / parse:.1f}% (goal ≥ 50%; "
        f"{100 * screening / rates['orjson']:.1f}% and {100 * screening / rates['orjson-2']:.1f}%"
        " against the parse before and after)"
    )
    print(
        f"screening / ocdskit compile: {screening / ocdskit:.1f}× (goal ≥ 10×; "
        f"{screening / rates['ocdskit']:.1f}× and {screening / rates['ocdskit-2']:.1f}×)"
    )
    orjson_cpu = (results["orjson"]["cpu_seconds"] + results["orjson-2"]["cpu_seconds"]) / 2
    print(
        f"workers: {os.cpu_count()} cores; screening CPU time / orjson CPU time: "
        f"{results['screening']['cpu_seconds'] / orjson_cpu:.1f}×"
    )
    print(f"screening peak RSS: {results['screening']['peak_rss_mb']:.0f} MB (goal ≤ 1024 MB)")
    if opts.package:
        print(
            f"one release package: {rates['package'] / screening:.2f}× the JSON Lines "
            f"screening's rate ({results['package']['items']} items, "
            f"{results['package']['flagged_items']} flagged)"
        )
    print(json.dumps({"file": meta, **results}))


if __name__ == "__main__":
    main()
