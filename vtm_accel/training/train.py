"""Training pipeline of the split CNN: gen-data, train, evaluate, export.

``python -m vtm_accel.training.train [STEP] --work DIR [options]`` (also ``vtm-accel train``),
STEP one of ``all`` (default), ``gen-data``, ``train``, ``evaluate``, ``export``:

- gen-data: encodes clips with the engine in exhaustive mode with ``--split-log`` at each QP
  (default 22/27/32/37), all-intra (``--configs ai``: ``--frames`` pictures ``--stride`` apart)
  and/or random access (``ra``: ``--ra-frames`` consecutive pictures, intra period
  ``--intra-period``, the inter pictures' cue from the engine's reconstruction), and writes one
  dataset file per (clip, config, QP) (docs/dataset.md) under
  ``WORK/data/{train,test}``. Real clips come from ``--data-dir`` (default ../shared/data) when
  present (small clips and 416x240 crops of large ones, FFmpeg decodes them); otherwise
  scikit-image photographs panned across the frame. Test data = held-out real clips (or a
  held-out photo). Stops when ``--max-cpu-hours`` of engine CPU time are spent.
- train: BCE on the valid units (positives weighted by sqrt(neg/pos) per map), Adam, flips and
  transposes of whole CTUs as augmentation, deterministic seed, ``--epochs`` / ``--minutes``.
- evaluate: per-map precision/recall/F1/AUC and the offline rule replay on the test data, for the
  CNN and, unless ``--no-baseline``, the scikit-learn baseline (``baseline.py``).
- export: the weights (``--out``, default vtm_accel/predictors/weights/split_cnn.pt, float16
  state_dict) and their record (same name, .json: data, command, git commit, metrics).

``--tiny`` shrinks everything for the test-suite (one small photo clip, one QP, one epoch).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from vtm_accel.core import HarnessError
from vtm_accel.io import write_y4m
from vtm_accel.training.dataset import (
    ClipSpec,
    Examples,
    concat,
    examples_from_log,
    find_real_clips,
    load_clip,
    photo_clips,
)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "predictors" / "weights" / "split_cnn.pt"
STEPS = ("all", "gen-data", "train", "evaluate", "export")


@dataclass
class TrainOptions:
    work: Path
    data_dir: Path | None = None
    engine: Path | None = None
    qps: tuple[int, ...] = (22, 27, 32, 37)
    clips: int = 0  # 0 = every default real clip
    first_clip: int = 0  # skip the first K default real clips (split gen-data over processes)
    test: bool = True  # gen-data also encodes the held-out test clips
    clip_set: str = "default"  # dataset.find_real_clips: default, extra
    photos: int = 2  # photo clips added to the training set
    frames: int = 1
    start: int = 0  # first picture of each clip
    stride: int = 8
    configs: tuple[str, ...] = ("ai",)
    ra_frames: int = 9
    intra_period: int = 8
    ra_size: tuple[int, int] = (0, 0)  # ra crops (centred in the clip's crop); 0: the same
    max_cpu_hours: float = 2.0
    epochs: int = 60
    minutes: float = 60.0
    batch: int = 32
    lr: float = 2e-3
    seed: int = 1
    threads: int = 1  # torch CPU threads for training
    width: int = 24  # the CNN's channel width at the 32x32 stage (model.ModelConfig)
    out: Path = DEFAULT_OUT
    baseline: bool = True
    tiny: bool = False
    command: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------- gen-data


def _engine(opts: TrainOptions) -> Path:
    if opts.engine is not None:
        return opts.engine
    from vtm_accel.codecs.engine import find_engine

    return find_engine(REPO)


def _centre_crop(spec: ClipSpec, w: int, h: int) -> ClipSpec:
    """spec cropped further to w x h around the centre of its own crop."""
    from dataclasses import replace

    from vtm_accel.training.dataset import _probe_size

    sw, sh = spec.width, spec.height
    if not (sw and sh) and spec.path is not None:
        sw, sh = _probe_size(spec.path)
    if sw <= w and sh <= h:
        return spec
    w, h = min(w, sw), min(h, sh)
    return replace(
        spec,
        width=w,
        height=h,
        crop_x=spec.crop_x + (sw - w) // 2 // 2 * 2,
        crop_y=spec.crop_y + (sh - h) // 2 // 2 * 2,
    )


def _read_recon(path: Path, w: int, h: int) -> list:
    """The engine's --recon file (10-bit LE 4:2:0, source size, display order) as frames."""
    from vtm_accel.io.frames import frame_bytes, frame_from_buffer

    raw = path.read_bytes()
    fb = frame_bytes(w, h, 10)
    return [frame_from_buffer(raw[i : i + fb], w, h, 10) for i in range(0, len(raw) - fb + 1, fb)]


def _encode_one(
    engine: Path, tag: str, frames: list, qp: int, tmp: Path, ra_intra_period: int = 0
) -> tuple[Examples, float]:
    """One exhaustive engine encode with the split log; ra_intra_period > 0: random access."""
    from vtm_accel.codecs.engine import engine_command
    from vtm_accel.timing import run_timed

    h, w = frames[0].y.shape
    src = tmp / f"{tag}.y4m"
    if not src.exists():
        write_y4m(src, frames, w, h, 25.0, 10)
    log = tmp / f"{tag}_qp{qp}.splits.jsonl"
    recon_path = tmp / f"{tag}_qp{qp}.recon.yuv"
    ra = ra_intra_period > 0
    argv = engine_command(
        engine,
        src,
        frames=len(frames),
        qp=qp,
        bitstream=tmp / f"{tag}_qp{qp}.266",
        split_log=log,
        config="ra" if ra else None,
        intra_period=ra_intra_period if ra else None,
        recon=recon_path if ra else None,
        options={"preset": "slower"},  # the default search's decisions
    )
    stats = run_timed(argv, tmp / f"{tag}_qp{qp}.log")
    recon = None
    if ra_intra_period > 0:
        recon = _read_recon(recon_path, w, h)
        recon_path.unlink()
    return examples_from_log(log, frames, w, h, recon), stats.cpu_s


def gen_data(opts: TrainOptions) -> dict:
    """Encode the clips and write WORK/data/{train,test}/*.npz plus WORK/data/manifest.json."""
    engine = _engine(opts)
    data = opts.work / "data"
    tmp = opts.work / "tmp"
    for d in (data / "train", data / "test", tmp):
        d.mkdir(parents=True, exist_ok=True)
    if opts.tiny:
        train_specs = [ClipSpec("photo-coffee", None, "coffee", 136, 72, pan=(2, 1))]
        test_specs = [ClipSpec("photo-astronaut", None, "astronaut", 136, 72, pan=(1, 2))]
    else:
        train_specs = find_real_clips(opts.data_dir, clip_set=opts.clip_set)[opts.first_clip :]
        if opts.clips:
            train_specs = train_specs[: opts.clips]
        train_specs += photo_clips(opts.photos if train_specs else max(opts.photos, 4))
        test_specs = find_real_clips(opts.data_dir, held_out=True) or [
            ClipSpec("photo-rocket", None, "rocket", 416, 240, pan=(2, 2))
        ]
    budget_s = opts.max_cpu_hours * 3600.0
    spent = 0.0
    entries = []
    # Test data first (small), then training clips interleaved by QP so a budget cut keeps variety.
    jobs = [("test", s, q, c) for c in opts.configs for s in test_specs for q in opts.qps]
    if not opts.test:
        jobs = []
    # Extreme QPs first (22, 37, 27, 32): a budget cut still spans the QP range; configs
    # interleaved per clip.
    qorder = sorted(opts.qps, key=lambda q: (q not in (min(opts.qps), max(opts.qps)), q))
    jobs += [("train", s, q, c) for q in qorder for s in train_specs for c in opts.configs]
    cache: dict[str, list] = {}  # frames per clip tag
    for split, spec, qp, cfg in jobs:
        if spent >= budget_s:
            print(f"gen-data: CPU budget of {opts.max_cpu_hours} h spent, stopping", flush=True)
            break
        start = 0 if split == "test" else opts.start  # the test pictures stay fixed
        tag = f"{spec.name}_f{start}" if start else spec.name
        if cfg == "ra":
            tag += "_ra"
        out = data / split / f"{tag}_qp{qp}.npz"
        if out.exists():
            ex = Examples.load(out)
            entries.append(
                {
                    "split": split,
                    "clip": spec.name,
                    "qp": qp,
                    "ctus": len(ex),
                    "cpu_s": None,
                    "file": str(out.relative_to(opts.work)),
                }
            )
            continue
        if cfg == "ra" and opts.ra_size[0]:
            spec = _centre_crop(spec, *opts.ra_size)
        if tag not in cache:
            try:
                if cfg == "ra":
                    cache[tag] = load_clip(spec, opts.ra_frames, 1, start)
                else:
                    cache[tag] = load_clip(spec, opts.frames, opts.stride, start)
            except HarnessError as e:  # e.g. a clip shorter than --start: the others go on
                print(f"gen-data: skipping {spec.name} ({cfg}): {e}", flush=True)
                cache[tag] = []
        if not cache[tag]:
            continue
        ra_period = opts.intra_period if cfg == "ra" else 0
        ex, cpu = _encode_one(engine, tag, cache[tag], qp, tmp, ra_period)
        ex.save(out)
        spent += cpu
        src = str(spec.path.name) if spec.path else f"skimage.data.{spec.photo} pan {spec.pan}"
        entries.append({
            "split": split, "clip": spec.name, "source": src, "qp": qp, "ctus": len(ex),
            "config": cfg, "frames": len(cache[tag]),
            "stride": 1 if cfg == "ra" else opts.stride, "start": start,
            "intra_period": ra_period or None,
            "size": [spec.width, spec.height], "crop": [spec.crop_x, spec.crop_y],
            "cpu_s": round(cpu, 2), "file": str(out.relative_to(opts.work)),
        })  # fmt: skip
        print(
            f"gen-data: {split} {spec.name} {cfg} QP {qp}: {len(ex)} CTUs, {cpu:.1f} s CPU",
            flush=True,
        )
    manifest = {"engine_cpu_s": round(spent, 1), "entries": entries}
    (data / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def load_split(work: Path, split: str) -> Examples:
    files = sorted((work / "data" / split).glob("*.npz"))
    if not files:
        raise HarnessError(f"no dataset files in {work / 'data' / split}: run gen-data first")
    return concat([Examples.load(f) for f in files])


# ------------------------------------------------------------------------------------- train


def _augment(luma, cue, target, mask, gen):
    """Random flips / transpose of the fully valid CTUs of a batch (boundary maps follow)."""
    import torch

    k = int(torch.randint(0, 8, (1,), generator=gen))
    if k & 1:  # horizontal flip: a left edge at column j moves to column 32 - j
        luma, cue, mask = luma.flip(-1), cue.flip(-1), mask.flip(-1)
        target = target.flip(-1)
        target[:, 0::2] = target[:, 0::2].roll(1, dims=-1)
        mask[:, 0::2] = mask[:, 0::2].roll(1, dims=-1)
    if k & 2:  # vertical flip
        luma, cue, mask = luma.flip(-2), cue.flip(-2), mask.flip(-2)
        target = target.flip(-2)
        target[:, 1::2] = target[:, 1::2].roll(1, dims=-2)
        mask[:, 1::2] = mask[:, 1::2].roll(1, dims=-2)
    if k & 4:  # transpose: vertical <-> horizontal maps
        luma, cue = luma.transpose(-1, -2), cue.transpose(-1, -2)
        target = target.transpose(-1, -2)[:, [1, 0, 3, 2]]
        mask = mask.transpose(-1, -2)[:, [1, 0, 3, 2]]
    return luma.contiguous(), cue.contiguous(), target.contiguous(), mask.contiguous()


def train_model(opts: TrainOptions, train: Examples) -> tuple[object, dict]:
    import torch
    from torch.nn import functional as F

    from vtm_accel.predictors.model import ModelConfig, SplitCNN, normalise_luma, side_planes
    from vtm_accel.training.evaluate import loss_mask

    torch.manual_seed(opts.seed)
    torch.set_num_threads(opts.threads)
    gen = torch.Generator().manual_seed(opts.seed)
    # Widths scale together: stem = width / 2, context = width * 4 / 3 (24: the default net).
    model = SplitCNN(ModelConfig(opts.width // 2, opts.width, opts.width * 4 // 3))
    opt = torch.optim.Adam(model.parameters(), lr=opts.lr)
    luma = normalise_luma(torch.from_numpy(train.luma.astype(np.int16)))[:, None]
    cue = (torch.from_numpy(np.minimum(train.cue, 1023).astype(np.int16)).float() / 64.0)[:, None]
    side = side_planes(
        torch.from_numpy(train.qp.astype(np.int64)),
        torch.from_numpy(train.slice_type.astype(np.int64)),
        torch.from_numpy(train.temporal_id.astype(np.int64)),
    )
    target = torch.from_numpy(train.target.astype(np.float32))
    mask = torch.from_numpy(loss_mask(train))
    full = torch.from_numpy(train.valid.reshape(len(train), -1).all(axis=1))
    pos = (target * mask).sum(dim=(0, 2, 3))
    neg = ((1 - target) * mask).sum(dim=(0, 2, 3))
    pos_weight = torch.sqrt(neg / pos.clamp(min=1)).clamp(1, 10)[None, :, None, None]
    n = len(train)
    t0 = time.monotonic()
    epochs_done, last = 0, float("nan")
    total_steps = max(1, opts.epochs * ((n + opts.batch - 1) // opts.batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, opts.lr, total_steps=total_steps)
    for ep in range(opts.epochs):
        if time.monotonic() - t0 > opts.minutes * 60:
            break
        perm = torch.randperm(n, generator=gen)
        tot = 0.0
        for s in range(0, n, opts.batch):
            idx = perm[s : s + opts.batch]
            lb, cb, tb, mb = luma[idx], cue[idx], target[idx], mask[idx]
            fb = full[idx]
            if fb.any():
                a = _augment(lb[fb], cb[fb], tb[fb], mb[fb], gen)
                lb, cb, tb, mb = lb.clone(), cb.clone(), tb.clone(), mb.clone()
                lb[fb], cb[fb], tb[fb], mb[fb] = a
            logits = model(lb, cb, side[idx])
            loss = F.binary_cross_entropy_with_logits(
                logits, tb, weight=mb.float(), pos_weight=pos_weight, reduction="sum"
            ) / mb.sum().clamp(min=1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched.last_epoch < total_steps - 1:
                sched.step()
            tot += float(loss.detach()) * len(idx)
        last = tot / n
        epochs_done = ep + 1
        print(f"train: epoch {ep + 1} loss {last:.4f} ({time.monotonic() - t0:.0f} s)", flush=True)
    info = {
        "epochs": epochs_done,
        "train_loss": round(last, 5),
        "train_s": round(time.monotonic() - t0, 1),
        "train_ctus": n,
        "pos_weight": [round(float(v), 3) for v in pos_weight.flatten()],
        "seed": opts.seed,
        "threads": opts.threads,
        "width": opts.width,
        "lr": opts.lr,
        "batch": opts.batch,
    }
    return model.eval(), info


# ---------------------------------------------------------------------------- evaluate/export


def _git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(REPO),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                "vtm_accel/predictors",
            ],
            capture_output=True,
            text=True,
        ).stdout
        return head + ("-dirty" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def evaluate_all(opts: TrainOptions, model_path: Path, train: Examples | None = None) -> dict:
    from vtm_accel.predictors.model import load_predictor
    from vtm_accel.training.evaluate import evaluate, format_report

    test = load_split(opts.work, "test")
    work_ctus = 2 if opts.tiny else 8
    pred = load_predictor(model_path, device="cpu")
    t = time.process_time()
    prob = pred.predict_proba(test.luma, test.qp, test.slice_type, test.cue, test.temporal_id)
    per_ctu_ms = (time.process_time() - t) * 1000.0 / max(1, len(test))
    res = {"cnn": evaluate(prob, test, work_ctus), "cnn_cpu_ms_per_ctu": round(per_ctu_ms, 3)}
    print(format_report("CNN", res["cnn"]), flush=True)
    print(f"CNN inference: {per_ctu_ms:.2f} ms CPU per CTU (1 thread)", flush=True)
    if opts.baseline:
        from vtm_accel.training.baseline import BaselineModel

        train = train if train is not None else load_split(opts.work, "train")
        t = time.process_time()
        base = BaselineModel.fit(train, seed=opts.seed, small=opts.tiny)
        fit_s = time.process_time() - t
        base.save(opts.work / "baseline.pkl")
        bprob = base.predict_proba(test)
        res["baseline"] = evaluate(bprob, test, work_ctus)
        res["baseline_fit_cpu_s"] = round(fit_s, 1)
        print(format_report("baseline (random forest)", res["baseline"]), flush=True)
    return res


def export(opts: TrainOptions, model, info: dict, metrics: dict, manifest: dict) -> Path:
    from vtm_accel.predictors.model import save_weights

    opts.out.parent.mkdir(parents=True, exist_ok=True)
    save_weights(model, opts.out)
    from vtm_accel.predictors.np_infer import npz_path

    record = {
        "weights": opts.out.name,
        "numpy_weights": npz_path(opts.out).name,
        "bytes": opts.out.stat().st_size,
        "command": " ".join(opts.command) if opts.command else "python -m vtm_accel.training.train",
        "git_commit": _git_commit(),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": manifest,
        "training": info,
        "metrics": metrics,
        "options": {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in asdict(opts).items()
            if k != "command"
        },
    }
    opts.out.with_suffix(".json").write_text(json.dumps(record, indent=1))
    print(f"export: {opts.out} ({record['bytes']} bytes) + {opts.out.with_suffix('.json').name}")
    return opts.out


def run(step: str, opts: TrainOptions) -> int:
    opts.work.mkdir(parents=True, exist_ok=True)
    ckpt = opts.work / "model.pt"
    manifest_path = opts.work / "data" / "manifest.json"
    t_start = time.process_time()
    if step in ("all", "gen-data"):
        gen_data(opts)
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    model, info = None, {}
    if step in ("all", "train"):
        from vtm_accel.predictors.model import save_weights

        train = load_split(opts.work, "train")
        model, info = train_model(opts, train)
        save_weights(model, ckpt)
        (opts.work / "train_info.json").write_text(json.dumps(info, indent=1))
    if step in ("all", "evaluate", "export"):
        if not ckpt.exists():
            raise HarnessError(f"{ckpt} missing: run the train step first")
        metrics = evaluate_all(opts, ckpt)
        (opts.work / "eval.json").write_text(json.dumps(metrics, indent=1))
        if step in ("all", "export"):
            from vtm_accel.predictors.model import load_predictor

            if model is None:
                model = load_predictor(ckpt, device="cpu").model
                info = json.loads((opts.work / "train_info.json").read_text())
            export(opts, model, info, metrics, manifest)
    print(f"{step}: done, {time.process_time() - t_start:.0f} s CPU in this process")
    return 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("step", nargs="?", default="all", choices=STEPS)
    p.add_argument("--work", type=Path, default=Path("train-work"), help="working directory")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="real clips (default: ../shared/data or $VTM_ACCEL_DATA when present)",
    )
    p.add_argument("--engine", type=Path, default=None, help="engine binary (default: found)")
    p.add_argument("--qps", default="22,27,32,37", help="comma-separated QPs")
    p.add_argument("--clips", type=int, default=0, help="at most this many real clips (0: all)")
    p.add_argument("--first-clip", type=int, default=0, help="skip the first K real clips")
    p.add_argument("--no-test", action="store_true", help="gen-data: no held-out test clips")
    p.add_argument(
        "--clip-set",
        default="default",
        choices=("default", "extra"),
        help="gen-data: the real clips to encode (extra: more regions and kinds of content)",
    )
    p.add_argument("--photos", type=int, default=2, help="photo clips added to the training set")
    p.add_argument("--frames", type=int, default=1, help="pictures per clip")
    p.add_argument("--stride", type=int, default=8, help="distance between those pictures")
    p.add_argument("--start", type=int, default=0, help="first picture of each clip")
    p.add_argument("--configs", default="ai", help="comma-separated: ai, ra (gen-data)")
    p.add_argument("--ra-frames", type=int, default=9, help="pictures per clip in ra")
    p.add_argument("--intra-period", type=int, default=8, help="ra intra period")
    p.add_argument("--ra-size", default="0x0", help="WxH crop of the ra clips (0x0: as ai)")
    p.add_argument("--max-cpu-hours", type=float, default=2.0, help="engine CPU budget")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--minutes", type=float, default=60.0, help="training wall-time budget")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1, help="train: CPU threads")
    p.add_argument(
        "--width", type=int, default=24, help="train: CNN width (stem w/2, context 4w/3)"
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="weights file to write")
    p.add_argument("--no-baseline", action="store_true", help="skip the scikit-learn baseline")
    p.add_argument("--tiny", action="store_true", help="tiny budget (the test-suite's run)")


def default_data_dir() -> Path | None:
    env = os.environ.get("VTM_ACCEL_DATA")
    for c in ([Path(env)] if env else []) + [REPO.parent / "shared" / "data"]:
        if c.is_dir() and any(c.iterdir()):
            return c
    return None


def options_from_args(a: argparse.Namespace, argv: list[str]) -> TrainOptions:
    opts = TrainOptions(
        work=a.work,
        data_dir=a.data_dir or default_data_dir(),
        engine=a.engine,
        qps=tuple(int(q) for q in a.qps.split(",") if q.strip()),
        clips=a.clips,
        first_clip=a.first_clip,
        test=not a.no_test,
        clip_set=a.clip_set,
        photos=a.photos,
        frames=a.frames,
        stride=a.stride,
        start=a.start,
        configs=tuple(c.strip() for c in a.configs.split(",") if c.strip()),
        ra_frames=a.ra_frames,
        intra_period=a.intra_period,
        ra_size=tuple(int(v) for v in a.ra_size.lower().split("x")),  # type: ignore[arg-type]
        max_cpu_hours=a.max_cpu_hours,
        epochs=a.epochs,
        minutes=a.minutes,
        batch=a.batch,
        lr=a.lr,
        seed=a.seed,
        threads=a.threads,
        width=a.width,
        out=a.out,
        baseline=not a.no_baseline,
        tiny=a.tiny,
        command=argv,
    )
    if a.tiny:
        opts.qps = opts.qps[:1] if a.qps != "22,27,32,37" else (32,)
        opts.epochs = min(opts.epochs, 1)
        opts.frames = 1
    return opts


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(prog="vtm-accel train", description=__doc__.split("\n\n")[0])
    add_arguments(p)
    a = p.parse_args(argv)
    try:
        return run(a.step, options_from_args(a, ["vtm-accel", "train", *argv]))
    except HarnessError as e:
        print(f"vtm-accel train: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
