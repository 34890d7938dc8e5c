"""The shared-memory channel between the engine and the predictor service (layout and helpers).

The byte layout is specified in ``docs/predictor-protocol.md``; the C++ side is
``engine/src/nn/shm_channel.h``. Everything is little-endian and naturally aligned.

Two kinds of POSIX shared-memory segments, both mode 0600 and named ``vtm-accel-<PID>-<TAG>``
(``PID`` = the process that created it, so that a later start can remove the segments of a
dead owner):

- a *channel* (kind 1): created by one client (an encoder), one request/response slot, served by
  exactly one service;
- a *service* segment (kind 2): created by a shared service started with ``--serve``; clients
  read the service's pid from it and put that pid into their channel's ``service_pid`` word;
  the service finds such channels by scanning ``/dev/shm``.

Public API: the layout constants, ``ChannelLayout.for_ctus(n)``, ``ChannelHeader``,
``RequestHeader``, ``ResponseHeader`` (``pack``/``unpack``), ``Segment`` (an mmapped segment with
ordered access to the shared words), ``create_segment``, ``open_segment``, ``segment_name``,
``parse_owner_pid``, ``pid_alive``, ``list_segments``, ``cleanup_stale_segments``.
"""

from __future__ import annotations

import errno
import mmap
import os
import re
import secrets
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"VTMACCEL"
VERSION = 2  # 2: temporal_id in the request; the engine sends the cue for inter pictures
KIND_CHANNEL = 1
KIND_SERVICE = 2

HEADER_BYTES = 256  # channel header + request block + response block
CTU_SIZE = 128  # luma samples per CTU side
MAP_SIZE = 32  # probability map side (4x4 luma units)
NUM_MAPS = 4  # luma vertical, luma horizontal, chroma vertical, chroma horizontal
SERVICE_SEGMENT_BYTES = 128

SHM_DIR = Path("/dev/shm")  # where Linux keeps POSIX shared memory objects
PREFIX = "vtm-accel-"
_NAME_RE = re.compile(r"^vtm-accel-(\d+)-([0-9A-Za-z_]+)$")

# Offsets of the shared words (bytes from the segment start).
OFF_MAGIC = 0
OFF_VERSION = 8
OFF_KIND = 12
OFF_HEADER_BYTES = 16
OFF_CTU_SIZE = 20
OFF_MAP_SIZE = 24
OFF_NUM_MAPS = 28
OFF_MAX_CTUS = 32
OFF_OWNER_PID = 36
OFF_SEGMENT_BYTES = 40
OFF_SERVICE_PID = 48  # channel: the service that is to serve it; service: its own pid
OFF_FLAGS = 52  # channel: FLAG_*; service: STATE_*
OFF_REQUEST_SEQ = 56
OFF_RESPONSE_SEQ = 64
OFF_HEARTBEAT_NS = 72  # CLOCK_MONOTONIC ns, written by the service while it runs
OFF_REQUEST = 128
OFF_RESPONSE = 192
OFF_DATA = HEADER_BYTES

FLAG_READY = 1  # the client finished writing the header (written last)
FLAG_CLOSING = 2  # the client is done: the service stops serving the channel

STATE_LOADING = 1
STATE_READY = 2
STATE_STOPPING = 3

STATUS_OK = 0
STATUS_ERROR = 1

# slice_type values as in H.266 (sh_slice_type)
SLICE_B = 0
SLICE_P = 1
SLICE_I = 2

_FIXED = struct.Struct("<8sIIIIIIII Q")  # magic .. segment_bytes (48 bytes)
# picture_id, slice_type, qp, num_ctus, has_cue, w, h, temporal_id
_REQUEST = struct.Struct("<qIiIIIII")
_RESPONSE = struct.Struct("<qII48s")  # picture_id, status, num_ctus, message
REQUEST_BYTES = 64  # the request block (128..191); _REQUEST fills its start
assert _FIXED.size == 48 and _REQUEST.size == 36 and _RESPONSE.size == 64


def _align(n: int, a: int = 64) -> int:
    return (n + a - 1) // a * a


@dataclass(frozen=True)
class ChannelLayout:
    """Where the variable-size arrays of a channel for ``max_ctus`` CTUs live."""

    max_ctus: int
    origins: int  # u32 pairs (x, y) per CTU, luma samples
    luma: int  # u16 [max_ctus][128][128], 10-bit samples
    cue: int  # i16 [max_ctus][128][128], temporal cue (valid when has_cue)
    maps: int  # u8 [max_ctus][4][32][32], probability x 255
    total: int

    @staticmethod
    def for_ctus(max_ctus: int) -> ChannelLayout:
        if max_ctus < 1:
            raise ValueError("a channel needs room for at least one CTU")
        plane = CTU_SIZE * CTU_SIZE * 2
        origins = OFF_DATA
        luma = _align(origins + 8 * max_ctus)
        cue = _align(luma + plane * max_ctus)
        maps = _align(cue + plane * max_ctus)
        total = _align(maps + NUM_MAPS * MAP_SIZE * MAP_SIZE * max_ctus, 4096)
        return ChannelLayout(max_ctus, origins, luma, cue, maps, total)


@dataclass
class ChannelHeader:
    """The fixed part of every segment (bytes 0..47)."""

    kind: int
    max_ctus: int
    owner_pid: int
    segment_bytes: int
    magic: bytes = MAGIC
    version: int = VERSION
    header_bytes: int = HEADER_BYTES
    ctu_size: int = CTU_SIZE
    map_size: int = MAP_SIZE
    num_maps: int = NUM_MAPS

    def pack(self) -> bytes:
        return _FIXED.pack(
            self.magic,
            self.version,
            self.kind,
            self.header_bytes,
            self.ctu_size,
            self.map_size,
            self.num_maps,
            self.max_ctus,
            self.owner_pid,
            self.segment_bytes,
        )

    @staticmethod
    def unpack(buf: bytes | memoryview) -> ChannelHeader:
        magic, ver, kind, hb, ctu, ms, nm, mx, pid, sb = _FIXED.unpack_from(buf, 0)
        return ChannelHeader(kind, mx, pid, sb, magic, ver, hb, ctu, ms, nm)

    def check(self) -> str:
        """'' when this side can talk to the segment, else why not."""
        if self.magic != MAGIC:
            return "bad magic"
        if self.version != VERSION:
            return f"protocol version {self.version}, this side speaks {VERSION}"
        if self.kind == KIND_CHANNEL and (
            self.header_bytes != HEADER_BYTES
            or self.ctu_size != CTU_SIZE
            or self.map_size != MAP_SIZE
            or self.num_maps != NUM_MAPS
        ):
            return "unexpected sizes in the channel header"
        if self.kind not in (KIND_CHANNEL, KIND_SERVICE):
            return f"unknown segment kind {self.kind}"
        return ""


@dataclass
class RequestHeader:
    picture_id: int
    slice_type: int
    qp: int
    num_ctus: int
    has_cue: bool
    pic_width: int
    pic_height: int
    temporal_id: int = 0

    def pack(self) -> bytes:
        return _REQUEST.pack(
            self.picture_id,
            self.slice_type,
            self.qp,
            self.num_ctus,
            int(self.has_cue),
            self.pic_width,
            self.pic_height,
            self.temporal_id,
        ).ljust(REQUEST_BYTES, b"\0")

    @staticmethod
    def unpack(buf: bytes | memoryview) -> RequestHeader:
        pid, st, qp, n, cue, w, h, tid = _REQUEST.unpack_from(buf, 0)
        return RequestHeader(pid, st, qp, n, bool(cue), w, h, tid)


@dataclass
class ResponseHeader:
    picture_id: int
    status: int
    num_ctus: int
    message: str = ""

    def pack(self) -> bytes:
        msg = self.message.encode("utf-8", "replace")[:47]
        return _RESPONSE.pack(self.picture_id, self.status, self.num_ctus, msg)

    @staticmethod
    def unpack(buf: bytes | memoryview) -> ResponseHeader:
        pid, status, n, msg = _RESPONSE.unpack_from(buf, 0)
        return ResponseHeader(pid, status, n, msg.split(b"\0", 1)[0].decode("utf-8", "replace"))


def segment_name(pid: int | None = None, tag: str | None = None) -> str:
    """A fresh segment name ``vtm-accel-<pid>-<tag>`` (no leading slash)."""
    return f"{PREFIX}{os.getpid() if pid is None else pid}-{tag or secrets.token_hex(8)}"


def parse_owner_pid(name: str) -> int | None:
    m = _NAME_RE.match(name.lstrip("/"))
    return int(m.group(1)) if m else None


def pid_alive(pid: int) -> bool:
    """True while a process with this pid runs (EPERM counts as alive). A zombie is gone: it
    will never clean up, and a service whose engine was SIGKILLed sees it as one until its
    parent reaps it."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError as e:
        return e.errno == errno.EPERM
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True


def list_segments(shm_dir: Path = SHM_DIR) -> list[str]:
    try:
        return sorted(n for n in os.listdir(shm_dir) if _NAME_RE.match(n))
    except FileNotFoundError:
        return []


def cleanup_stale_segments(shm_dir: Path = SHM_DIR) -> list[str]:
    """Remove our segments whose owner process is gone; returns the names removed."""
    removed = []
    for name in list_segments(shm_dir):
        pid = parse_owner_pid(name)
        if pid is not None and not pid_alive(pid):
            try:
                (shm_dir / name).unlink()
                removed.append(name)
            except OSError:
                pass
    return removed


def monotonic_ns() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


class Segment:
    """An mmapped segment. The shared words are read and written as single aligned 32/64-bit
    numpy element accesses (one load or store each); on x86-64 (TSO) that orders them against
    the data as the protocol needs (data before the sequence number that publishes it)."""

    def __init__(self, name: str, mm: mmap.mmap, size: int, shm_dir: Path = SHM_DIR) -> None:
        self.name = name.lstrip("/")
        self.mm = mm
        self.size = size
        self.shm_dir = shm_dir
        self.buf = np.frombuffer(mm, dtype=np.uint8, count=size)
        self._u32 = self.buf[:HEADER_BYTES].view(np.uint32)
        self._u64 = self.buf[:HEADER_BYTES].view(np.uint64)

    # -- shared words --
    def load32(self, off: int) -> int:
        return int(self._u32[off // 4])

    def store32(self, off: int, v: int) -> None:
        self._u32[off // 4] = v

    def load64(self, off: int) -> int:
        return int(self._u64[off // 8])

    def store64(self, off: int, v: int) -> None:
        self._u64[off // 8] = v

    def header(self) -> ChannelHeader:
        return ChannelHeader.unpack(self.mm[:48])

    def layout(self) -> ChannelLayout:
        return ChannelLayout.for_ctus(self.header().max_ctus)

    # -- arrays of a channel --
    def origins(self, lay: ChannelLayout) -> np.ndarray:
        return self.buf[lay.origins : lay.origins + 8 * lay.max_ctus].view(np.uint32).reshape(-1, 2)

    def luma(self, lay: ChannelLayout) -> np.ndarray:
        n = lay.max_ctus * CTU_SIZE * CTU_SIZE * 2
        return self.buf[lay.luma : lay.luma + n].view(np.uint16).reshape(-1, CTU_SIZE, CTU_SIZE)

    def cue(self, lay: ChannelLayout) -> np.ndarray:
        n = lay.max_ctus * CTU_SIZE * CTU_SIZE * 2
        return self.buf[lay.cue : lay.cue + n].view(np.int16).reshape(-1, CTU_SIZE, CTU_SIZE)

    def maps(self, lay: ChannelLayout) -> np.ndarray:
        n = lay.max_ctus * NUM_MAPS * MAP_SIZE * MAP_SIZE
        return self.buf[lay.maps : lay.maps + n].reshape(-1, NUM_MAPS, MAP_SIZE, MAP_SIZE)

    def close(self, unlink: bool = False) -> None:
        self._u32 = self._u64 = self.buf = None  # type: ignore[assignment]
        try:
            self.mm.close()
        except BufferError:
            pass  # a caller still holds a view; the mapping goes with the process
        if unlink:
            unlink_segment(self.name, self.shm_dir)


def unlink_segment(name: str, shm_dir: Path = SHM_DIR) -> None:
    try:
        (shm_dir / name.lstrip("/")).unlink()
    except FileNotFoundError:
        pass


def create_segment(name: str, size: int, shm_dir: Path = SHM_DIR) -> Segment:
    """Create a new zero-filled segment, mode 0600 (fails if the name exists)."""
    path = shm_dir / name.lstrip("/")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.ftruncate(fd, size)
        mm = mmap.mmap(fd, size)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return Segment(name, mm, size, shm_dir)


def open_segment(name: str, shm_dir: Path = SHM_DIR) -> Segment:
    """Map an existing segment (whole file). OSError when it is absent or not ours."""
    path = shm_dir / name.lstrip("/")
    fd = os.open(path, os.O_RDWR)
    try:
        size = os.fstat(fd).st_size
        if size < SERVICE_SEGMENT_BYTES:
            raise OSError(errno.EINVAL, f"segment {name} is too small ({size} bytes)")
        mm = mmap.mmap(fd, size)
    finally:
        os.close(fd)
    return Segment(name, mm, size, shm_dir)


def create_channel(max_ctus: int, service_pid: int = 0, shm_dir: Path = SHM_DIR) -> Segment:
    """A client's channel for pictures of up to max_ctus CTUs, header complete (FLAG_READY)."""
    lay = ChannelLayout.for_ctus(max_ctus)
    seg = create_segment(segment_name(), lay.total, shm_dir)
    hdr = ChannelHeader(KIND_CHANNEL, max_ctus, os.getpid(), lay.total)
    seg.mm[:48] = hdr.pack()
    seg.store32(OFF_SERVICE_PID, service_pid)
    seg.store32(OFF_FLAGS, FLAG_READY)
    return seg


def create_service_segment(shm_dir: Path = SHM_DIR) -> Segment:
    seg = create_segment(
        segment_name(tag="svc" + secrets.token_hex(4)), SERVICE_SEGMENT_BYTES, shm_dir
    )
    hdr = ChannelHeader(KIND_SERVICE, 0, os.getpid(), SERVICE_SEGMENT_BYTES)
    seg.mm[:48] = hdr.pack()
    seg.store32(OFF_SERVICE_PID, os.getpid())
    seg.store64(OFF_HEARTBEAT_NS, monotonic_ns())
    seg.store32(OFF_FLAGS, STATE_LOADING)
    return seg
