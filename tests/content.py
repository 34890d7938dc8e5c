"""Real-photo test clips made at test time (scikit-image ships the photographs).

``make_clip(path, width, height, frames, bit_depth=8, image="astronaut", fps=30.0, pan=(3, 1))
-> VideoInfo`` writes a 4:2:0 clip: a window of the photo (scaled so the window plus the pan
fits) moving ``pan`` = (dx, dy) pixels per frame, converted with BT.709 limited-range matrices at
the requested bit depth (a real 10-bit signal, not a shifted 8-bit one). ``.y4m`` paths get a
y4m file, anything else raw ``.yuv`` (8-bit bytes or 16-bit LE). Odd sizes work.

Images: any scikit-image ``data`` colour photo name: astronaut, coffee, chelsea, rocket, ...
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vtm_accel.core import VideoInfo
from vtm_accel.io import Frame, probe_video, write_y4m, write_yuv


def _photo(image: str) -> np.ndarray:
    from skimage import data

    rgb = getattr(data, image)()
    if rgb.ndim != 3:
        raise ValueError(f"skimage.data.{image} is not a colour photo")
    return rgb[..., :3].astype(np.float64) / 255.0


def _fit(rgb: np.ndarray, need_w: int, need_h: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = max(need_w / w, need_h / h, 1.0)
    if scale > 1.0:
        from skimage.transform import resize

        rgb = resize(rgb, (int(np.ceil(h * scale)), int(np.ceil(w * scale))), order=1)
    return rgb


def _to_yuv420(rgb: np.ndarray, bit_depth: int) -> Frame:
    kr, kb = 0.2126, 0.0722
    kg = 1.0 - kr - kb
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = kr * r + kg * g + kb * b
    cb = (b - y) / (2 * (1 - kb))
    cr = (r - y) / (2 * (1 - kr))
    s = float(1 << (bit_depth - 8))
    top = (1 << bit_depth) - 1
    dt = np.uint8 if bit_depth == 8 else np.uint16
    h, w = y.shape

    def sub(c: np.ndarray) -> np.ndarray:
        c = np.pad(c, ((0, h % 2), (0, w % 2)), mode="edge")
        return 0.25 * (c[0::2, 0::2] + c[1::2, 0::2] + c[0::2, 1::2] + c[1::2, 1::2])

    def q(x: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(x), 0, top).astype(dt)

    return Frame(q((16 + 219 * y) * s), q((128 + 224 * sub(cb)) * s), q((128 + 224 * sub(cr)) * s))


def make_clip(
    path: str | Path,
    width: int,
    height: int,
    frames: int,
    bit_depth: int = 8,
    image: str = "astronaut",
    fps: float = 30.0,
    pan: tuple[int, int] = (3, 1),
) -> VideoInfo:
    """Write a panning real-photo clip and return its VideoInfo (num_frames filled)."""
    path = Path(path)
    dx, dy = pan
    rgb = _fit(_photo(image), width + abs(dx) * frames, height + abs(dy) * frames)
    pics = []
    for i in range(frames):
        x0 = dx * i if dx >= 0 else abs(dx) * (frames - 1 - i)
        y0 = dy * i if dy >= 0 else abs(dy) * (frames - 1 - i)
        pics.append(_to_yuv420(rgb[y0 : y0 + height, x0 : x0 + width], bit_depth))
    if path.suffix.lower() == ".y4m":
        write_y4m(path, pics, width, height, fps, bit_depth)
    else:
        write_yuv(path, pics, bit_depth)
    return probe_video(path, width=width, height=height, fps=fps, bit_depth=bit_depth)
