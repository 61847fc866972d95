"""Compile the screening's hot modules with mypyc (C extensions beside their sources).

    .venv/bin/python scripts/build_native.py [--require]

`bhrplan/procurement/ocds/merge.py` and `extract.py` are typed Python; mypyc turns each
into a C extension (`merge.cpython-311-….so`) that Python imports instead of the `.py`.
The build records each source's SHA-256 in `native-build.json`; `native.py` loads the
plain source instead of a compiled module whose source has changed since, so an edit is
never shadowed by an old build. Without a C compiler the screening runs as plain Python
(about 1.5× slower); `--require` (used by `make test`) makes that an error instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bhrplan.procurement.ocds import native  # noqa: E402 - after the path is set


def build() -> None:
    from mypyc.build import mypycify
    from setuptools import setup

    sources = [str(native.source_path(name).relative_to(ROOT)) for name in native.MODULES]
    work = Path(tempfile.mkdtemp(prefix="bhrplan-native-"))
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        # Each module on its own (no shared library at the top level of the project);
        # mypy reads only these modules' own types, not the project's Django settings.
        extensions = []
        for source in sources:
            extensions += mypycify(
                # (its own cache: the project's mypy run keeps .mypy_cache for itself)
                [
                    "--config-file",
                    str(native.MYPY_CONFIG),
                    "--cache-dir",
                    str(work / "mypy"),
                    source,
                ],
                opt_level="3",
                target_dir=str(work / "c"),
            )
        setup(
            name="bhrplan-native",
            py_modules=[],
            packages=[],
            ext_modules=extensions,
            script_args=["--quiet", "build_ext", "--inplace", "--build-temp", str(work / "o")],
        )
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)
    native.record_build()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--require", action="store_true", help="fail when it cannot compile")
    opts = parser.parse_args()
    if native.status() == dict.fromkeys(native.MODULES, "compiled"):
        return 0
    native.remove_builds()
    try:
        build()
    except (Exception, SystemExit) as exc:
        native.remove_builds()
        message = f"mypyc could not compile the screening modules ({exc!r})"
        if opts.require:
            print(f"error: {message}", file=sys.stderr)
            return 1
        print(f"note: {message}; the screening runs as plain Python.", file=sys.stderr)
        return 0
    print("compiled with mypyc: " + ", ".join(native.MODULES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
