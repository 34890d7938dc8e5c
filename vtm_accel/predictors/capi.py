"""Where the predictor's C API is: its header, shared library and C example.

``pip install .`` installs them inside the package, as ``vtm_accel/capi/include/
vtm_accel_predictor.h``, ``vtm_accel/capi/lib/libvtm_accel_predictor.so`` and
``vtm_accel/capi/examples/predictor_example.c``; an engine build tree has the same
``capi/include`` and ``capi/lib`` beside its ``vtm-accel-engine``. To build against it::

    cc my_encoder.c $(python -m vtm_accel.predictors.capi --cflags --libs)

``--include-dir``, ``--lib-dir`` and ``--example`` print one path each; without flags it prints
all of them. Looked up in this order: ``$VTM_ACCEL_CAPI`` (a folder with include/ and lib/),
the build tree of ``$VTM_ACCEL_ENGINE``, this package, the installed distribution (when this
package is a source checkout), then the checkout's build folders (the newest library).
docs/integrating-an-encoder.md explains the API and where an encoder calls it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import sys
from dataclasses import dataclass
from pathlib import Path

HEADER = "vtm_accel_predictor.h"
LIBRARY = "libvtm_accel_predictor.so"
EXAMPLE = "predictor_example.c"
_PACKAGE = Path(__file__).resolve().parents[1]
_REPO = _PACKAGE.parent


@dataclass(frozen=True)
class CApi:
    include_dir: Path
    lib_dir: Path
    example: Path | None

    @property
    def cflags(self) -> list[str]:
        return [f"-I{self.include_dir}"]

    @property
    def libs(self) -> list[str]:
        # rpath: the library stays where pip put it, so programs find it without LD_LIBRARY_PATH
        return [f"-L{self.lib_dir}", f"-Wl,-rpath,{self.lib_dir}", "-lvtm_accel_predictor"]


def _installed_root() -> Path | None:
    try:
        root = importlib.metadata.distribution("vtm-accel").locate_file("vtm_accel/capi")
    except importlib.metadata.PackageNotFoundError:
        return None
    return Path(str(root))


def _build_roots() -> list[Path]:
    pats = ("build*/capi", "build/*/capi", "engine/build*/capi", "build/pip/*/engine/capi")
    found = [p for pat in pats for p in _REPO.glob(pat) if (p / "lib" / LIBRARY).is_file()]
    return sorted(found, key=lambda p: (p / "lib" / LIBRARY).stat().st_mtime, reverse=True)


def candidate_roots() -> list[Path]:
    roots: list[Path] = []
    if env := os.environ.get("VTM_ACCEL_CAPI"):
        roots.append(Path(env))
    if env := os.environ.get("VTM_ACCEL_ENGINE"):
        roots.append(Path(env).resolve().parent / "capi")
    roots.append(_PACKAGE / "capi")
    if installed := _installed_root():
        roots.append(installed)
    roots += _build_roots()
    return list(dict.fromkeys(roots))


def find_capi() -> CApi:
    """The first candidate root with both the header and the library; RuntimeError if none."""
    for root in candidate_roots():
        if (root / "include" / HEADER).is_file() and (root / "lib" / LIBRARY).is_file():
            examples = [root / "examples" / EXAMPLE, _REPO / "engine" / "examples" / EXAMPLE]
            example = next((e for e in examples if e.is_file()), None)
            return CApi(root / "include", root / "lib", example)
    raise RuntimeError(
        "the predictor's C API was not found: install the package (pip install .) or build the "
        "engine (cmake -S engine -B build/rel && cmake --build build/rel); looked in "
        + ", ".join(str(r) for r in candidate_roots())
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m vtm_accel.predictors.capi",
        description="Print where the predictor's C API (header, library, example) is installed.",
    )
    ap.add_argument("--cflags", action="store_true", help="compiler flags (-I...)")
    ap.add_argument("--libs", action="store_true", help="linker flags (-L, rpath, -l)")
    ap.add_argument("--include-dir", action="store_true", help="the header's folder")
    ap.add_argument("--lib-dir", action="store_true", help="the library's folder")
    ap.add_argument("--example", action="store_true", help="the C example's source file")
    args = ap.parse_args(argv)
    try:
        api = find_capi()
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    words: list[str] = []
    if args.cflags:
        words += api.cflags
    if args.libs:
        words += api.libs
    if args.include_dir:
        words.append(str(api.include_dir))
    if args.lib_dir:
        words.append(str(api.lib_dir))
    if args.example:
        if api.example is None:
            print("error: the C example is not installed", file=sys.stderr)
            return 2
        words.append(str(api.example))
    if words:
        print(" ".join(words))
        return 0
    print(f"header:  {api.include_dir / HEADER}")
    print(f"library: {api.lib_dir / LIBRARY}")
    print(f"example: {api.example or '(not installed)'}")
    print(f"build:   cc FILE.c {' '.join(api.cflags + api.libs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
