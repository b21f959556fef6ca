"""A manifest per run: enough to show later exactly how a plan came about.

A plan decides where a family lives; months later a council member or a judge
may ask why. The manifest pins the inputs (by hash, never by content: they hold
personal data), the policy as parsed, the seed and every version that could
change the answer.
"""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from allocatie import __version__

#: Packages whose version can change a plan or its report.
PACKAGES = ("ortools", "numpy", "pandas", "geopandas", "shapely", "pyproj", "openpyxl")


def sha256(path: str | Path) -> str:
    """Hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """allocatie, Python and the packages that matter, as installed."""
    found = {"allocatie": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def manifest(
    inputs: dict[str, str | Path | None], policy: dict[str, Any], run: dict[str, Any]
) -> dict[str, Any]:
    """The manifest of one run.

    Parameters
    ----------
    inputs
        Input role → path (``None`` when not given); hashed, not copied.
    policy
        The policy as parsed (defaults filled in).
    run
        Facts of the run: seed, solver method (parts per method, as rendered by
        :class:`allocatie.solve.Methods`) and status, matching date, area source.
    """
    files = {
        role: {"path": str(path), "sha256": sha256(path)}
        for role, path in inputs.items()
        if path is not None and Path(path).is_file()
    }
    return {"inputs": files, "policy": policy, "run": run, "versions": versions()}
