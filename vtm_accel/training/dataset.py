"""Training data for the split CNN: clips -> engine split logs -> per-CTU examples (.npz).

Format: docs/dataset.md. One ``.npz`` file per (clip, QP) encode holds, per CTU: the source luma
(10-bit, edge-replicated beyond the picture), QP, slice type, the temporal cue, the target
boundary maps (what the exhaustive search chose, see ``tree.boundary_maps``), the valid-unit mask
and the raw split lists (for replaying the decision rule offline).

Public API:
- ``ClipSpec`` / ``find_real_clips(data_dir)`` / ``photo_clips(n, width, height)``
- ``load_clip(spec, frames) -> list[Frame]`` (10-bit frames; FFmpeg decodes compressed clips)
- ``ctu_luma(y, pic_w, pic_h) -> [N, 128, 128]`` CTUs in raster order, edge-replicated
- ``temporal_cue(cur, ref)`` the inter pictures' cue plane
- ``examples_from_log(log_path, frames, width, height, recon=None) -> Examples``
- ``Examples.save(path)`` / ``Examples.load(path)`` / ``concat(list)``
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from vtm_accel.core import HarnessError
from vtm_accel.io import Frame
from vtm_accel.io.frames import frame_from_buffer, frame_samples
from vtm_accel.predictors.tree import (
    CTU,
    GRID,
    boundary_maps,
    coded_size,
    replay_tree,
    valid_units,
)

SLICE_TYPES = {"B": 0, "P": 1, "I": 2}
FORMAT_VERSION = 2  # 2: temporal_id; inter pictures (single tree) and their cue


@dataclass(frozen=True)
class ClipSpec:
    """A source clip: a real file, or a scikit-image photo panned across the frame."""

    name: str
    path: Path | None = None  # real clip (any format FFmpeg reads, or raw .yuv named WxH)
    photo: str | None = None  # skimage.data image name when path is None
    width: int = 0  # output (crop) size; 0 = the clip's own size
    height: int = 0
    crop_x: int = 0
    crop_y: int = 0
    pan: tuple[int, int] = (3, 1)


# Small real clips for data generation (names in ../shared/data), with a crop of the larger ones.
DEFAULT_REAL = (
    ("basketballpass_416x240_50_10bit.266", 416, 240, 0, 0),
    ("racehorses_416x240_30_10bit.266", 416, 240, 0, 0),
    ("bqmall_832x480_60_10bit.266", 416, 240, 208, 120),
    ("partyscene_832x480_50_10bit.266", 416, 240, 208, 120),
    ("kimono_1920x1080_24_10bit.266", 416, 240, 752, 420),
    ("marketplace_1920x1080_60_10bit.266", 416, 240, 752, 420),
    ("bus_cif_352x288_30.yuv", 352, 288, 0, 0),
    ("parkpath_runners_1280x720_25_10bit.266", 416, 240, 432, 240),
    ("sintel_1920x1080_24_10bit.266", 416, 240, 752, 420),
)
# More training content (``gen-data --clip-set extra``): other regions of the larger default
# clips and clips of other kinds (CTC class B/E, animation, film, 8-bit consumer video), as
# (file, crop width, height, x, y, name). None of the benchmark clips (benchmarks/bench_nn.py:
# the held-out clips, RitualDance, BasketballDrive) nor the rule's validation clips
# (BasketballDrill, RitualDance) are among them.
EXTRA_REAL = (
    ("bqmall_832x480_60_10bit.266", 416, 240, 0, 0, "bqmall-r2"),
    ("partyscene_832x480_50_10bit.266", 416, 240, 416, 0, "partyscene-r2"),
    ("kimono_1920x1080_24_10bit.266", 416, 240, 128, 640, "kimono-r2"),
    ("kimono_1920x1080_24_10bit.266", 416, 240, 1376, 96, "kimono-r3"),
    ("marketplace_1920x1080_60_10bit.266", 416, 240, 200, 100, "marketplace-r2"),
    ("marketplace_1920x1080_60_10bit.266", 416, 240, 1300, 800, "marketplace-r3"),
    ("parkpath_runners_1280x720_25_10bit.266", 416, 240, 800, 440, "parkpath-r2"),
    ("whiteflowers_1920x1080_25_10bit.266", 416, 240, 300, 500, "whiteflowers"),
    ("whiteflowers_1920x1080_25_10bit.266", 416, 240, 1200, 200, "whiteflowers-r2"),
    ("fireworks_1920x1080_25_10bit.266", 416, 240, 752, 300, "fireworks"),
    ("johnny_1280x720_60.266", 416, 240, 432, 240, "johnny"),
    ("cockatoo_1280x720_20.mp4", 416, 240, 432, 240, "cockatoo"),
    ("bigbuckbunny_1280x720_25.mp4", 416, 240, 432, 240, "bigbuckbunny"),
    ("meeting4people_1280x720_30.webm", 416, 240, 432, 240, "meeting4people"),
    ("chaplin_bw_film_640x360_25.mp4", 416, 240, 112, 60, "chaplin"),
    ("foreman_cif_352x288_30.264", 352, 288, 0, 0, "foreman"),
    ("mobile_calendar_cif_352x288_30.264", 352, 288, 0, 0, "mobile"),
    ("cars_highway_320x240_25.yuv", 320, 240, 0, 0, "cars"),
)
# Held out from training (evaluation and benchmark clips).
HELD_OUT = ("blowingbubbles_416x240_50_10bit.266", "bqsquare_416x240_60_10bit.266")

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "colorwheel")


def find_real_clips(
    data_dir: Path | None, held_out: bool = False, clip_set: str = "default"
) -> list[ClipSpec]:
    """The real clips of a set (``default``, ``extra``) present in data_dir, or the held-out set."""
    if clip_set not in ("default", "extra"):
        raise HarnessError(f"unknown clip set {clip_set!r} (known: default, extra)")
    if data_dir is None or not data_dir.is_dir():
        return []
    if clip_set == "extra" and not held_out:
        return [
            ClipSpec(tag, data_dir / name, None, w, h, cx, cy)
            for name, w, h, cx, cy, tag in EXTRA_REAL
            if (data_dir / name).exists()
        ]
    out = []
    if held_out:
        for name in HELD_OUT:
            if (data_dir / name).exists():
                out.append(ClipSpec(Path(name).stem, data_dir / name))
        return out
    for name, w, h, cx, cy in DEFAULT_REAL:
        p = data_dir / name
        if p.exists():
            out.append(ClipSpec(p.stem.split("_")[0], p, None, w, h, cx, cy))
    return out


def photo_clips(n: int, width: int = 416, height: int = 240) -> list[ClipSpec]:
    pans = ((3, 1), (-2, 2), (4, -1), (1, 3), (-3, -2), (2, 0))
    return [
        ClipSpec(
            f"photo-{PHOTOS[i % len(PHOTOS)]}",
            None,
            PHOTOS[i % len(PHOTOS)],
            width,
            height,
            pan=pans[i % len(pans)],
        )
        for i in range(n)
    ]


def _rgb_to_frame10(rgb: np.ndarray) -> Frame:
    """BT.709 limited range, 10-bit, 4:2:0 (2x2 average)."""
    kr, kb = 0.2126, 0.0722
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = kr * r + (1 - kr - kb) * g + kb * b
    cb = (b - y) / (2 * (1 - kb))
    cr = (r - y) / (2 * (1 - kr))

    def sub(c: np.ndarray) -> np.ndarray:
        return 0.25 * (c[0::2, 0::2] + c[1::2, 0::2] + c[0::2, 1::2] + c[1::2, 1::2])

    def q(v: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(v * 4), 0, 1023).astype(np.uint16)

    return Frame(q(16 + 219 * y), q(128 + 224 * sub(cb)), q(128 + 224 * sub(cr)))


def _photo_frames(spec: ClipSpec, frames: int) -> list[Frame]:
    from skimage import data
    from skimage.transform import resize

    rgb = getattr(data, spec.photo or "astronaut")()
    if rgb.ndim == 2:
        rgb = np.stack([rgb] * 3, axis=-1)
    rgb = rgb[..., :3].astype(np.float64) / 255.0
    dx, dy = spec.pan
    need_w, need_h = spec.width + abs(dx) * frames, spec.height + abs(dy) * frames
    h, w = rgb.shape[:2]
    scale = max(need_w / w, need_h / h, 1.0)
    if scale > 1.0:
        rgb = resize(rgb, (int(np.ceil(h * scale)), int(np.ceil(w * scale))), order=1)
    out = []
    for i in range(frames):
        x0 = dx * i if dx >= 0 else -dx * (frames - 1 - i)
        y0 = dy * i if dy >= 0 else -dy * (frames - 1 - i)
        out.append(_rgb_to_frame10(rgb[y0 : y0 + spec.height, x0 : x0 + spec.width]))
    return out


def _probe_size(path: Path) -> tuple[int, int]:
    from vtm_accel.io import parse_video_name

    info = parse_video_name(path.name)
    if info.width and info.height:
        return info.width, info.height
    raise HarnessError(f"{path}: cannot tell the picture size from the name")


def load_clip(spec: ClipSpec, frames: int, stride: int = 1, start: int = 0) -> list[Frame]:
    """Pictures start, start + stride, ... (``frames`` of them) of a clip as 10-bit 4:2:0 frames,
    cropped (fewer when the clip is shorter)."""
    if spec.path is None:
        return _photo_frames(spec, start + frames * stride)[start::stride][:frames]
    import imageio_ffmpeg

    w0, h0 = _probe_size(spec.path)
    w = spec.width or w0
    h = spec.height or h0
    args = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin"]
    if spec.path.suffix == ".yuv":
        args += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{w0}x{h0}"]
    args += ["-i", str(spec.path)]
    vf = f"select=gte(n\\,{start})*not(mod(n-{start}\\,{stride}))," if stride > 1 or start else ""
    vf += f"crop={w}:{h}:{spec.crop_x}:{spec.crop_y}"
    args += ["-vf", vf, "-frames:v", str(frames), "-pix_fmt", "yuv420p10le", "-f", "rawvideo", "-"]
    raw = subprocess.run(args, capture_output=True, check=False)
    if raw.returncode != 0:
        raise HarnessError(f"ffmpeg could not decode {spec.path}: {raw.stderr.decode()[-400:]}")
    buf = np.frombuffer(raw.stdout, np.uint16)
    fs = frame_samples(w, h)
    n = len(buf) // fs
    if n == 0:
        raise HarnessError(f"ffmpeg returned no frames for {spec.path}")
    views = (frame_from_buffer(buf[i * fs : (i + 1) * fs], w, h, 10) for i in range(n))
    return [Frame(*(plane.copy() for plane in f)) for f in views]


def ctu_luma(y: np.ndarray, width: int, height: int) -> np.ndarray:
    """uint16 [N, 128, 128]: the CTUs of a luma plane in raster order, edge-replicated."""
    nx, ny = -(-width // CTU), -(-height // CTU)
    p = np.pad(y[:height, :width], ((0, ny * CTU - height), (0, nx * CTU - width)), mode="edge")
    return p.reshape(ny, CTU, nx, CTU).transpose(0, 2, 1, 3).reshape(ny * nx, CTU, CTU)


def temporal_cue(cur: np.ndarray, ref: np.ndarray | None) -> np.ndarray:
    """The inter pictures' cue: |cur - ref| of the co-located 10-bit luma (zeros for intra).

    The engine sends |source - reconstruction of the nearest reference picture| (the record's
    ``ref_poc``); the dataset uses that reconstruction when it has it, else the reference's
    source picture."""
    if ref is None:
        return np.zeros_like(cur, dtype=np.uint16)
    return np.abs(cur.astype(np.int32) - ref.astype(np.int32)).astype(np.uint16)


@dataclass
class Examples:
    """Per-CTU examples (arrays share the first axis N), see docs/dataset.md."""

    luma: np.ndarray  # uint16 [N,128,128]
    cue: np.ndarray  # uint16 [N,128,128] (zeros for intra CTUs)
    qp: np.ndarray  # int16 [N]
    slice_type: np.ndarray  # uint8 [N] 0 B, 1 P, 2 I
    temporal_id: np.ndarray  # uint8 [N] TemporalId of the picture (0 for all-intra)
    poc: np.ndarray  # int32 [N]
    ctu_x: np.ndarray  # int32 [N]
    ctu_y: np.ndarray  # int32 [N]
    pic_w: np.ndarray  # int32 [N] coded width
    pic_h: np.ndarray  # int32 [N] coded height
    target: np.ndarray  # uint8 [N,4,32,32] 0/1
    valid: np.ndarray  # bool [N,32,32]
    splits_luma: np.ndarray  # uint8 concatenated split lists
    off_luma: np.ndarray  # int64 [N+1]
    splits_chroma: np.ndarray
    off_chroma: np.ndarray

    def __len__(self) -> int:
        return int(self.qp.shape[0])

    def split_list(self, i: int, chroma: bool) -> list[int]:
        s, o = (
            (self.splits_chroma, self.off_chroma) if chroma else (self.splits_luma, self.off_luma)
        )
        return [int(v) for v in s[o[i] : o[i + 1]]]

    def save(self, path: Path) -> None:
        arrays = {f.name: getattr(self, f.name) for f in fields(self)}
        np.savez_compressed(path, format_version=np.int32(FORMAT_VERSION), **arrays)

    @classmethod
    def load(cls, path: Path) -> Examples:
        with np.load(path) as z:
            kw = {f.name: z[f.name] for f in fields(cls) if f.name in z.files}
        if "temporal_id" not in kw:  # format 1 files (intra only)
            kw["temporal_id"] = np.zeros(kw["qp"].shape[0], np.uint8)
        return cls(**kw)

    def subset(self, idx: np.ndarray) -> Examples:
        lists = [(self.split_list(int(i), False), self.split_list(int(i), True)) for i in idx]
        sl, ol = _pack([a for a, _ in lists])
        sc, oc = _pack([b for _, b in lists])
        kw = {
            f.name: getattr(self, f.name)[idx]
            for f in fields(self)
            if f.name not in ("splits_luma", "off_luma", "splits_chroma", "off_chroma")
        }
        return Examples(**kw, splits_luma=sl, off_luma=ol, splits_chroma=sc, off_chroma=oc)


def _pack(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    off = np.zeros(len(lists) + 1, np.int64)
    off[1:] = np.cumsum([len(v) for v in lists])
    flat = np.fromiter((v for s in lists for v in s), np.uint8, count=int(off[-1]))
    return flat, off


def concat(parts: list[Examples]) -> Examples:
    if len(parts) == 1:
        return parts[0]
    kw = {}
    for f in fields(Examples):
        if f.name in ("off_luma", "off_chroma"):
            continue
        kw[f.name] = np.concatenate([getattr(p, f.name) for p in parts])
    for name, flat in (("off_luma", "splits_luma"), ("off_chroma", "splits_chroma")):
        offs, base = [np.zeros(1, np.int64)], 0
        for p in parts:
            o = getattr(p, name)
            offs.append(o[1:] + base)
            base += len(getattr(p, flat))
        kw[name] = np.concatenate(offs)
    return Examples(**kw)


def read_split_log(path: Path) -> list[dict]:
    with Path(path).open() as fh:
        return [json.loads(line) for line in fh if line.strip()]


def examples_from_log(
    log_path: Path,
    frames: list[Frame],
    width: int,
    height: int,
    recon: list[Frame] | None = None,
) -> Examples:
    """Pair every CTU's split records with the source samples.

    Records come in coding order, CTUs in raster order within a picture: I pictures have a luma
    and a chroma record per CTU (dual tree), inter pictures one "single" record per CTU. The
    record's POC indexes ``frames`` (display order, POC 0 = frames[0]); ``recon`` (the engine's
    reconstruction, display order) gives the inter pictures' cue reference when present.
    """
    pic = coded_size(width, height)
    nx, ny = -(-pic.width // CTU), -(-pic.height // CTU)
    recs = read_split_log(log_path)
    # Group the records by picture (consecutive records with the same POC).
    pictures: list[list[dict]] = []
    for r in recs:
        if not pictures or pictures[-1][0]["poc"] != r["poc"]:
            pictures.append([])
        pictures[-1].append(r)
    cols: dict[str, list] = {
        k: [] for k in ("qp", "st", "tid", "poc", "x", "y", "tgt", "valid", "sl", "sc")
    }
    lumas, cues = [], []
    for block in pictures:
        poc = block[0]["poc"]
        if not 0 <= poc < len(frames):
            raise HarnessError(f"{log_path}: picture {poc} logged, {len(frames)} frames given")
        st = SLICE_TYPES[block[0]["slice_type"]]
        dual = st == 2
        per_ctu = 2 if dual else 1
        if len(block) != nx * ny * per_ctu:
            raise HarnessError(
                f"{log_path}: picture {poc} has {len(block)} records, expected {nx * ny * per_ctu}"
            )
        y = frames[poc].y
        lumas.append(ctu_luma(y, pic.width, pic.height))
        ref = None
        if not dual:
            rp = int(block[0].get("ref_poc", -1))
            src = recon if recon is not None and 0 <= rp < len(recon) else frames
            if 0 <= rp < len(src):
                ref = src[rp].y
        cues.append(ctu_luma(temporal_cue(y, ref), pic.width, pic.height))
        for k in range(nx * ny):
            rl = block[per_ctu * k]
            rc = block[per_ctu * k + 1] if dual else rl
            want = ("luma", "chroma") if dual else ("single", "single")
            if (rl["tree"], rc["tree"]) != want or (rl["x"], rl["y"]) != (rc["x"], rc["y"]):
                raise HarnessError(f"{log_path}: unexpected record order at picture {poc} CTU {k}")
            cx, cy = rl["x"], rl["y"]
            if (cx, cy) != ((k % nx) * CTU, (k // nx) * CTU):
                raise HarnessError(f"{log_path}: CTU ({cx},{cy}) out of raster order")
            tl = replay_tree(rl["splits"], cx, cy, pic, st, chroma=False)
            target = np.zeros((4, GRID, GRID), np.uint8)
            target[0:2] = boundary_maps(tl, cx, cy)
            if dual:
                tc = replay_tree(rc["splits"], cx, cy, pic, st, chroma=True)
                target[2:4] = boundary_maps(tc, cx, cy)
            else:
                target[2:4] = target[0:2]
            cols["qp"].append(rl["qp"])
            cols["st"].append(st)
            cols["tid"].append(int(rl.get("tid", 0)))
            cols["poc"].append(poc)
            cols["x"].append(cx)
            cols["y"].append(cy)
            cols["tgt"].append(target)
            cols["valid"].append(valid_units(cx, cy, pic))
            cols["sl"].append(rl["splits"])
            cols["sc"].append(rc["splits"] if dual else [])
    if not pictures:
        raise HarnessError(f"{log_path}: no records")
    n = len(cols["qp"])
    sl, ol = _pack(cols["sl"])
    sc, oc = _pack(cols["sc"])
    return Examples(
        luma=np.concatenate(lumas).astype(np.uint16),
        cue=np.concatenate(cues).astype(np.uint16),
        qp=np.asarray(cols["qp"], np.int16),
        slice_type=np.asarray(cols["st"], np.uint8),
        temporal_id=np.asarray(cols["tid"], np.uint8),
        poc=np.asarray(cols["poc"], np.int32),
        ctu_x=np.asarray(cols["x"], np.int32),
        ctu_y=np.asarray(cols["y"], np.int32),
        pic_w=np.full(n, pic.width, np.int32),
        pic_h=np.full(n, pic.height, np.int32),
        target=np.stack(cols["tgt"]),
        valid=np.stack(cols["valid"]),
        splits_luma=sl,
        off_luma=ol,
        splits_chroma=sc,
        off_chroma=oc,
    )
