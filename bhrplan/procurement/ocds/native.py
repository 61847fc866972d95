"""The screening's hot modules, compiled with mypyc when the machine could build them.

`merge` and `extract` are plain typed Python. `scripts/build_native.py` (run by `make`)
compiles each into a C extension beside its source, which Python imports instead of the
`.py`, and records the SHA-256 of the source it compiled. A compiled module whose source
has changed since is not used: `guard()` (run when the package is imported) loads the
source instead, so an edit is never hidden by an old build. Both forms give the same
rows; tests compare them.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import logging
import sys
from pathlib import Path
from types import ModuleType

logger = logging.getLogger(__name__)

PACKAGE = __name__.rsplit(".", 1)[0]
HERE = Path(__file__).resolve().parent
MODULES = ("merge", "extract")
MYPY_CONFIG = HERE / "mypyc.ini"
BUILD_RECORD = HERE / "native-build.json"


def source_path(name: str) -> Path:
    return HERE / f"{name}.py"


def compiled_paths(name: str) -> list[Path]:
    return [
        path
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
        if (path := HERE / f"{name}{suffix}").exists()
    ]


def _digest(name: str) -> str:
    return hashlib.sha256(source_path(name).read_bytes()).hexdigest()


def _recorded() -> dict[str, str]:
    try:
        data = json.loads(BUILD_RECORD.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def status() -> dict[str, str]:
    """Per module: "compiled" (built from the current source), "stale" or "plain"."""
    recorded = _recorded()
    out = {}
    for name in MODULES:
        if not compiled_paths(name):
            out[name] = "plain"
        elif recorded.get(name) == _digest(name):
            out[name] = "compiled"
        else:
            out[name] = "stale"
    return out


def record_build() -> None:
    BUILD_RECORD.write_text(json.dumps({name: _digest(name) for name in MODULES}, indent=2))


def remove_builds() -> None:
    for name in MODULES:
        for stem in (name, f"{name}__mypyc"):  # the module, and the library mypyc adds
            for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                (HERE / f"{stem}{suffix}").unlink(missing_ok=True)
    BUILD_RECORD.unlink(missing_ok=True)


def load_source(name: str, as_name: str | None = None) -> ModuleType:
    """Execute the `.py` source of a module (never its compiled form)."""
    fullname = as_name or f"{PACKAGE}._source_{name}"
    loader = importlib.machinery.SourceFileLoader(fullname, str(source_path(name)))
    spec = importlib.util.spec_from_loader(fullname, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[fullname] = module
    loader.exec_module(module)
    return module


def is_compiled(module: ModuleType) -> bool:
    return not str(getattr(module, "__file__", "")).endswith(".py")


def guard() -> None:
    """Make a stale compiled module unreachable: its source is imported under its name."""
    for name, state in status().items():
        fullname = f"{PACKAGE}.{name}"
        if state == "stale" and fullname not in sys.modules:
            logger.warning(
                "%s changed since it was compiled: running it as plain Python "
                "(make native, or scripts/build_native.py, compiles it again)",
                source_path(name).name,
            )
            load_source(name, fullname)
