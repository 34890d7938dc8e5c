"""Results stored per point as JSON, as each point finishes, so an interrupted batch resumes.

A point's key is a hash of everything that determines its result: the input's content (its size
and the SHA-256 of the whole file: any changed frame changes the key; no mtime, so a copied file
keeps its key), the encoder's and decoder's identities and every argument of the job. Hashing a
10 GB source takes a while, so digests are cached (``digests/`` beside the point records, and in
memory) under the file's path, device, inode, size, mtime and ctime: a rerun rehashes only a
file that was written since. Files are written atomically (temporary file in the same
directory, then ``os.replace``), so a killed batch never leaves a half-written record.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from vtm_accel.core import HarnessError

FINGERPRINT_CHUNK = 1 << 20
_DIGESTS: dict[str, str] = {}  # stat key -> fingerprint, for this process


def _stat_key(path: Path) -> str:
    st = path.stat()
    ident = (
        f"{path.resolve()}\0{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
    )
    return hashlib.sha256(ident.encode()).hexdigest()[:32]


def hash_file(path: Path, chunk: int = FINGERPRINT_CHUNK) -> str:
    """``<size>:<SHA-256 of every byte>``, streamed."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
            size += len(block)
    return f"{size}:{h.hexdigest()}"


def input_fingerprint(path: Path, cache_dir: Path | None = None) -> str:
    """Content fingerprint of an input: its size and the SHA-256 of the whole file, taken from
    the cache while the file's path, inode, size, mtime and ctime are unchanged."""
    try:
        key = _stat_key(path)
        if key in _DIGESTS:
            return _DIGESTS[key]
        cached = cache_dir / f"{key}.json" if cache_dir is not None else None
        if cached is not None:
            try:
                got = json.loads(cached.read_text()).get("fingerprint")
            except (OSError, ValueError, AttributeError):
                got = None
            if isinstance(got, str):
                _DIGESTS[key] = got
                return got
        digest = hash_file(path)
        if key != _stat_key(path):  # written while we read it: do not cache a torn digest
            raise HarnessError(f"input {path} changed while it was being hashed; rerun")
    except OSError as e:
        raise HarnessError(f"cannot read input {path}: {e.strerror or e}") from e
    _DIGESTS[key] = digest
    if cached is not None:
        write_json_atomic(cached, {"path": str(path), "fingerprint": digest})
    return digest


def point_key(fields: Mapping[str, object]) -> str:
    """Stable key of a point from its defining fields (canonical JSON, SHA-256, 24 hex chars)."""
    blob = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def _umask() -> int:
    # /proc first: setting the umask to read it would race with other threads creating files
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_NUM = r"(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|null|NaN|-?Infinity)"
# an array of numbers as ``indent`` spreads it, one number a line; JSON strings hold no raw
# newline, so a match is always a real array
_NUMBER_ARRAY = re.compile(rf"\[\n\s*{_NUM}(?:,\n\s*{_NUM})*\n\s*\]")


def dumps_readable(data: object) -> str:
    """Indented JSON with every array of numbers on one line (a point's per-picture rows are
    one line each, not nine)."""
    text = json.dumps(data, indent=2, sort_keys=True, default=str)
    return _NUMBER_ARRAY.sub(lambda m: "[" + " ".join(m.group(0)[1:-1].split()) + "]", text)


def write_json_atomic(path: Path, data: object) -> None:
    """Write JSON to ``path`` via a temporary file and ``os.replace`` (atomic on POSIX).

    The file gets the mode an ordinary ``open`` would give it (0666 less the umask): mkstemp's
    0600 would hide results from the others who share an output folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w") as f:
            f.write(dumps_readable(data) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_writable_dir(path: Path, flag: str = "--out") -> Path:
    """Create ``path`` and check it is writable, or raise a HarnessError saying so (and to
    choose another ``flag``)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, prefix=".probe", delete=True)
        probe.close()
    except OSError as e:
        raise HarnessError(
            f"output directory {path} is not writable ({e.strerror or e}); choose another {flag}"
        ) from e
    return path


@contextmanager
def exclusive_out_dir(path: Path) -> Iterator[None]:
    """Hold ``path/.vtm-accel.lock`` for one run writing into ``path``: a second run into the
    same folder would overwrite its result.json / results.json and reports under it, so it
    stops at once with a HarnessError naming the holder (released when the holder ends)."""
    lock = path / ".vtm-accel.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise HarnessError(
                f"another vtm-accel run (pid {holder}) is writing into {path}; wait for it to "
                f"finish or choose another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


@dataclass(frozen=True)
class ResultStore:
    """A directory of finished point records: ``<root>/points/<key>.json``."""

    root: Path

    @property
    def points_dir(self) -> Path:
        return self.root / "points"

    def work_dir(self, key: str) -> Path:
        """Where a point's bitstream, reconstruction and decoded output live."""
        return self.root / "work" / key

    def path(self, key: str) -> Path:
        return self.points_dir / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """The stored record, or None when absent or unreadable (then it is recomputed)."""
        try:
            with self.path(key).open() as f:
                data = json.load(f)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, record: Mapping[str, object]) -> Path:
        p = self.path(key)
        write_json_atomic(p, dict(record))
        return p

    @contextmanager
    def key_lock(self, key: str) -> Iterator[None]:
        """Exclusive lock on one key (a lock file under ``locks/``; released on exit or when
        the holding process dies), so concurrent tasks never compute the same point twice."""
        lock_dir = self.root / "locks"
        lock_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_dir / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def keys(self) -> Iterator[str]:
        if self.points_dir.is_dir():
            for p in sorted(self.points_dir.glob("*.json")):
                yield p.stem
