"""The ``vtm-accel`` command: encode, challenge, batch, report, bdrate, demo (docs/cli.md).

Exit status: 0 success (and, for ``challenge``/``demo``, every rule passed); 1 the run finished
but a rule or a point failed; 2 bad input or a missing tool (``vtm-accel: error: ...``).
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vtm_accel.batch.progress import default_enabled
from vtm_accel.core import HarnessError
from vtm_accel.procs import Terminated, clear_stop_signal, on_stop_signal, raise_if_stopped
from vtm_accel.report.labels import short_label
from vtm_accel.report.render import nn_cell

PROG = "vtm-accel"


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from e
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _qp(text: str) -> int:
    try:
        v = int(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"QP must be an integer 0..63, got {text!r}") from e
    if not 0 <= v <= 63:
        raise argparse.ArgumentTypeError(f"QP must be an integer 0..63, got {text!r}")
    return v


def _qp_list(text: str) -> tuple[int, ...]:
    qps = tuple(_qp(t.strip()) for t in text.split(",") if t.strip())
    if not qps:
        raise argparse.ArgumentTypeError("expected a comma-separated list of QPs, e.g. 22,27,32,37")
    return qps


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from e
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return v


STORE_HELP = (
    "the point store, shared between runs: points any run put there (same input, encoder, "
    "decoder and arguments) are reused, not encoded again (default: --out itself)"
)


def _sequence_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sequences",
        required=True,
        metavar="FILE|ctc:CLASS",
        help="a sequence list, or JVET CTC classes (ctc:B, ctc:C,D; A1 A2 B C D E F) found "
        "in --ctc-dir",
    )
    p.add_argument("--ctc-dir", type=Path, metavar="DIR", help="the folder of the CTC files")


def _batch_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "batch", help="one encoder over a set of sequences at every QP: coded, decoded, measured"
    )
    _sequence_arguments(p)
    p.add_argument("--encoder", required=True, metavar="SPEC", help="e.g. vvenc:slower, engine")
    p.add_argument("--out", required=True, type=Path, metavar="DIR")
    p.add_argument("--qps", type=_qp_list, default=(22, 27, 32, 37), metavar="Q,Q,...")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="local cores (0: all)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--decoder", default="ffmpeg", metavar="SPEC")
    p.add_argument("--timeout", type=_positive_float, metavar="S", help="per program, seconds")
    p.add_argument("--frames", type=_positive_int, metavar="N", help="code at most N frames each")
    p.add_argument("--store", type=Path, metavar="DIR", help=STORE_HELP)
    p.add_argument(
        "--allow-nn-fallback", action="store_true", help="accept a CNN that did not answer"
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG, description="NN-accelerated VVC encoder harness (ISCAS track 3)"
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    e = sub.add_parser("encode", help="encode one source at one QP, decode it and measure it")
    e.add_argument("--encoder", required=True, metavar="SPEC", help="e.g. vvenc:medium, engine")
    e.add_argument("--input", required=True, type=Path, metavar="FILE", help=".yuv or .y4m")
    e.add_argument("--width", type=_positive_int, metavar="W")
    e.add_argument("--height", type=_positive_int, metavar="H")
    e.add_argument("--fps", type=_positive_float, metavar="F")
    e.add_argument("--bit-depth", type=int, choices=(8, 10), metavar="B")
    e.add_argument("--frames", required=True, type=_positive_int, metavar="N")
    e.add_argument("--qp", required=True, type=_qp, metavar="Q")
    e.add_argument("--out", required=True, type=Path, metavar="DIR")
    e.add_argument("--intra-period", type=int, metavar="N", help="default: CTC (32/48/64 by fps)")
    e.add_argument("--decoder", default="ffmpeg", metavar="SPEC", help="ffmpeg (default), vtm:PATH")
    e.add_argument("--timeout", type=_positive_float, metavar="S", help="per program, seconds")
    e.add_argument("--nn", type=Path, metavar="MODEL", help="engine only: CNN split predictor")
    e.add_argument("--nn-level", type=int, choices=range(6), metavar="L", help="engine: 0..5")
    e.add_argument(
        "--allow-nn-fallback", action="store_true", help="accept a CNN that did not answer"
    )

    c = sub.add_parser("challenge", help="run the track-3 challenge: anchor vs candidate")
    _sequence_arguments(c)
    c.add_argument("--anchor", required=True, metavar="SPEC")
    c.add_argument("--candidate", required=True, metavar="SPEC")
    c.add_argument(
        "--reference",
        action="append",
        default=[],
        metavar="SPEC",
        help="another encoder to compare with the anchor (repeatable): coded, decoded, checked, "
        "plotted and given a BD-rate, outside the rules (it never fails the run)",
    )
    c.add_argument("--out", required=True, type=Path, metavar="DIR")
    c.add_argument("--match-anchor", action="store_true", help="search candidate QPs to match rate")
    c.add_argument("--jobs", type=int, default=1, metavar="N", help="local cores (0: all)")
    c.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    c.add_argument("--decoder", default="ffmpeg", metavar="SPEC")
    c.add_argument("--qps", type=_qp_list, default=(22, 27, 32, 37), metavar="Q,Q,...")
    c.add_argument("--timeout", type=_positive_float, metavar="S", help="per program, seconds")
    c.add_argument("--frames", type=_positive_int, metavar="N", help="code at most N frames each")
    c.add_argument("--max-extra-encodes", type=int, default=6, metavar="N")
    c.add_argument("--store", type=Path, metavar="DIR", help=STORE_HELP)
    c.add_argument(
        "--allow-nn-fallback",
        action="store_true",
        help="accept points whose CNN fell back to the exhaustive search (default: they fail)",
    )

    _batch_parser(sub)

    r = sub.add_parser("report", help="rebuild report.md/html/csv/png from DIR/results.json")
    r.add_argument("dir", type=Path, metavar="DIR")

    b = sub.add_parser(
        "bdrate",
        help="BD-rate and BD-PSNR of two RD-point CSV files (or two batch outputs: per sequence)",
    )
    b.add_argument("anchor", type=Path, metavar="ANCHOR.csv")
    b.add_argument("test", type=Path, metavar="TEST.csv")

    d = sub.add_parser(
        "demo",
        help="a short real-content challenge run: the engine with its CNN against the engine's "
        "exhaustive search, VVenC slower as a reference",
    )
    d.add_argument("--out", type=Path, default=Path("vtm-accel-demo"), metavar="DIR")
    d.add_argument("--jobs", type=int, default=0, metavar="N", help="local cores (0: all)")
    d.add_argument(
        "--anchor",
        metavar="SPEC",
        help="another anchor, e.g. stock VTM-20.2: vtm:encoder=PATH/EncoderApp,"
        "cfg=PATH/encoder_randomaccess_vtm.cfg (default: the engine's exhaustive search)",
    )
    d.add_argument("--decoder", default="ffmpeg", metavar="SPEC", help="ffmpeg (default), vtm:PATH")

    from vtm_accel.training import train as train_mod

    t = sub.add_parser(
        "train", help="train the CNN split predictor (gen-data, train, evaluate, export)"
    )
    train_mod.add_arguments(t)
    return p


# ------------------------------------------------------------------------------ commands --


def _fmt(v: object, digits: int = 2) -> str:
    return "-" if v is None else f"{v:.{digits}f}" if isinstance(v, (int, float)) else str(v)


def _reference_name(index: int, count: int) -> str:
    """The role of a reference encoder in the console table: "reference", or numbered."""
    return "reference" if count == 1 else f"reference {index + 1}"


def print_summary(results: dict, console: Console) -> None:
    """The per-point table and the verdicts of a results.json document."""
    for seq in results.get("sequences", []):
        t = Table(title=f"{seq['name']}  BD-rate {_fmt(seq.get('bd_rate'))}%")
        cols = ("QP", "role", "QP used", "kbps", "PSNR-Y", "PSNR-YUV", "CPU s", "CNN", "status")
        for col in cols:
            # the role stays whole in an 80-column log; the numbers give way first
            t.add_column(col, justify="right", no_wrap=col == "role")
        refs = list((results.get("config") or {}).get("references") or [])
        for p in seq.get("points", []):
            ref_recs = list(p.get("references") or [])
            sides = [(role, p.get(role) or {}) for role in ("anchor", "candidate")]
            sides += [
                (_reference_name(i, len(refs)), (ref_recs[i] if i < len(ref_recs) else None) or {})
                for i in range(len(refs))
            ]
            for role, rec in sides:
                t.add_row(
                    str(p["qp"]),
                    role,
                    _fmt(rec.get("qp_used")),
                    _fmt(rec.get("kbps")),
                    _fmt(rec.get("psnr_y"), 3),
                    _fmt(rec.get("psnr_yuv"), 3),
                    _fmt(rec.get("cpu_s"), 3),
                    nn_cell(rec),
                    str(rec.get("status", "missing")),
                )
        console.print(t)
    s = results.get("summary", {})
    console.print(f"average BD-rate (PSNR-YUV): {_fmt(s.get('bd_rate'))}%")
    console.print(f"average BD-PSNR (PSNR-YUV): {_fmt(s.get('bd_psnr'), 3)} dB")
    refs = s.get("references") or []
    for i, r in enumerate(refs):
        console.print(
            f"{_reference_name(i, len(refs))}: {short_label(str(r.get('encoder')))} "
            f"({r.get('encoder')}), outside the rules: BD-rate "
            f"{_fmt(r.get('bd_rate'))}% vs the anchor, CPU time {_fmt(r.get('cpu_ratio'), 3)} "
            f"of the anchor's, {r.get('failed_points', 0)} failed points",
            markup=False,
        )
    from vtm_accel.report.reuse import reuse_line

    reused = reuse_line(results)
    if reused:
        console.print(f"reused from the store: {reused}", markup=False)
    for name, r in (s.get("rules") or {}).items():
        verdict = "pass" if r.get("passed") else "FAIL"
        first = f"  ({r['failures'][0]})" if r.get("failures") else ""
        console.print(f"rule {name}: {verdict}{first}", markup=False)
    console.print(f"overall: {'PASS' if s.get('passed') else 'FAIL'}")


def with_nn_options(spec: str, nn: Path | None, level: int | None) -> str:
    """Fold ``--nn MODEL --nn-level L`` into an engine spec (``engine:...,nn=MODEL,nn-level=L``)."""
    if nn is None and level is None:
        return spec
    if spec.split(":", 1)[0] != "engine":
        raise HarnessError(f"--nn/--nn-level need --encoder engine (got {spec!r})")
    if nn is None:
        raise HarnessError("--nn-level needs --nn MODEL (the CNN weights file)")
    if not nn.is_file():
        raise HarnessError(f"--nn {nn}: no such model file")
    opts = [f"nn={nn.resolve()}"] + ([f"nn-level={level}"] if level is not None else [])
    sep = "," if ":" in spec else ":"
    return spec + sep + ",".join(opts)


def cmd_encode(args: argparse.Namespace, console: Console) -> int:
    from vtm_accel.batch.store import ensure_writable_dir, exclusive_out_dir, write_json_atomic
    from vtm_accel.challenge import backends
    from vtm_accel.challenge.points import PointTask, run_point
    from vtm_accel.challenge.run import default_intra_period
    from vtm_accel.io import probe_video

    video = probe_video(args.input, args.width, args.height, args.fps, args.bit_depth)
    if video.num_frames is not None and video.num_frames < args.frames:
        raise HarnessError(
            f"{args.input} has {video.num_frames} frames, --frames {args.frames} requested"
        )
    encoder_spec = with_nn_options(args.encoder, args.nn, args.nn_level)
    ip = args.intra_period if args.intra_period is not None else default_intra_period(video.fps)
    backends.check_input(backends.make_encoder(encoder_spec), video, args.frames, ip)
    out = ensure_writable_dir(args.out)
    task = PointTask(
        sequence=args.input.stem,
        role="encode",
        video=video,
        frames=args.frames,
        intra_period=ip,
        qp=args.qp,
        encoder_spec=encoder_spec,
        decoder_spec=args.decoder,
        store_root=out,
        timeout_s=args.timeout,
        allow_nn_fallback=args.allow_nn_fallback,
    )
    with exclusive_out_dir(out):
        rec = run_point(task)
        write_json_atomic(out / "result.json", rec)
    if rec["status"] != "ok" and rec.get("stage") in ("setup", "encode"):
        raise HarnessError(rec["error"])
    t = Table(title=f"{args.input.name} QP {args.qp} ({args.encoder})")
    for col in ("kbps", "PSNR-Y", "PSNR-U", "PSNR-V", "PSNR-YUV", "CPU s", "wall s", "status"):
        t.add_column(col, justify="right")
    t.add_row(
        _fmt(rec["kbps"]),
        *(_fmt(rec[k], 3) for k in ("psnr_y", "psnr_u", "psnr_v", "psnr_yuv", "cpu_s", "wall_s")),
        rec["status"],
    )
    console.print(t)
    nn = (rec.get("checks") or {}).get("nn")
    if nn is not None:
        console.print(f"CNN: {nn['detail']}", markup=False)
    console.print(f"bitstream: {rec['bitstream']}\nresult: {out / 'result.json'}", markup=False)
    if rec["status"] != "ok":
        console.print(f"point failed: {rec['error']}", markup=False)
        return 1
    return 0


def cmd_challenge(args: argparse.Namespace, console: Console) -> int:
    from vtm_accel.challenge.backends import resolve_sequences
    from vtm_accel.challenge.run import ChallengeConfig, run_challenge

    seqs = resolve_sequences(args.sequences, args.ctc_dir, args.frames)
    cfg = ChallengeConfig(
        anchor=args.anchor,
        candidate=args.candidate,
        decoder=args.decoder,
        qps=tuple(args.qps),
        match_anchor=args.match_anchor,
        jobs=args.jobs,
        scheduler=args.scheduler,
        timeout_s=args.timeout,
        max_extra_encodes=args.max_extra_encodes,
        progress=default_enabled(),
        allow_nn_fallback=args.allow_nn_fallback,
        references=tuple(args.reference),
        store=args.store,
    )
    outcome = run_challenge(seqs, cfg, args.out)
    print_summary(outcome.results, console)
    console.print(f"report: {args.out / 'report.html'}", markup=False)
    return 0 if outcome.passed else 1


def cmd_batch(args: argparse.Namespace, console: Console) -> int:
    from vtm_accel.challenge.backends import resolve_sequences
    from vtm_accel.challenge.batch import BatchConfig, run_batch

    seqs = resolve_sequences(args.sequences, args.ctc_dir, args.frames)
    cfg = BatchConfig(
        encoder=args.encoder,
        decoder=args.decoder,
        qps=tuple(args.qps),
        jobs=args.jobs,
        scheduler=args.scheduler,
        timeout_s=args.timeout,
        progress=default_enabled(),
        allow_nn_fallback=args.allow_nn_fallback,
        point_lines=True,
        store=args.store,
    )
    outcome = run_batch(seqs, cfg, args.out)
    print_batch_summary(outcome.results, console)
    console.print(f"report: {args.out / 'report.html'}", markup=False)
    return 0 if outcome.passed else 1


def print_batch_summary(results: dict, console: Console) -> None:
    """The per-point table of a batch's results.json, as the JVET sheet orders it."""
    from vtm_accel.report.reuse import reuse_line

    for seq in results.get("sequences", []):
        t = Table(title=str(seq["name"]))
        cols = ("QP", "kbps", "PSNR-Y", "PSNR-U", "PSNR-V", "PSNR-YUV", "enc s", "dec s", "status")
        for col in cols:
            t.add_column(col, justify="right")
        for p in seq.get("points", []):
            rec = p.get("record") or {}
            t.add_row(
                str(p["qp"]),
                _fmt(rec.get("kbps")),
                *(_fmt(rec.get(k), 3) for k in ("psnr_y", "psnr_u", "psnr_v", "psnr_yuv")),
                _fmt(rec.get("cpu_s"), 3),
                _fmt(rec.get("decode_cpu_s"), 3),
                str(rec.get("status", "missing")) + (" (reused)" if rec.get("cached") else ""),
            )
        console.print(t)
    s = results.get("summary", {})
    reused = reuse_line(results)
    if reused:
        console.print(f"reused from the store: {reused}", markup=False)
    console.print(f"{s.get('points')} points, {s.get('failed_points')} failed", markup=False)
    console.print(f"overall: {'PASS' if s.get('passed') else 'FAIL'}")


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    from vtm_accel.report import regenerate

    files = regenerate(args.dir)
    from vtm_accel.report.batch import is_batch
    from vtm_accel.report.results import load_results

    results = load_results(args.dir)
    (print_batch_summary if is_batch(results) else print_summary)(results, console)
    for f in (files.results_csv, files.report_md, files.report_html, files.rd_png):
        if f is not None:
            console.print(f"wrote {f}", markup=False)
    return 0 if results.get("summary", {}).get("passed") else 1


def cmd_bdrate(args: argparse.Namespace, console: Console) -> int:
    from vtm_accel.report.rdcsv import bd_of_curves, read_curves

    anchor, test = read_curves(args.anchor), read_curves(args.test)
    results = bd_of_curves(anchor, test)
    unshared = {
        "anchor": [str(k) for k in anchor if k not in test],
        "test": [str(k) for k in test if k not in anchor],
    }
    if len(results) == 1 and results[0].sequence is None:  # two plain curves
        r = results[0]
        if r.bd_rate is None or r.bd_psnr is None:
            raise HarnessError(f"BD-rate is undefined: {r.note}")
        console.print(f"BD-rate: {r.bd_rate:+.2f}%", markup=False)
        console.print(f"BD-PSNR: {r.bd_psnr:+.4f} dB", markup=False)
        return 0
    for r in results:
        if r.bd_rate is None or r.bd_psnr is None:
            console.print(f"{r.sequence}: BD-rate undefined ({r.note})", markup=False)
        else:
            console.print(
                f"{r.sequence}: BD-rate {r.bd_rate:+.2f}%, BD-PSNR {r.bd_psnr:+.4f} dB",
                markup=False,
            )
    for side, only in unshared.items():
        if only:
            console.print(f"only in the {side} file (no BD): {', '.join(only)}", markup=False)
    got = [r for r in results if r.bd_rate is not None and r.bd_psnr is not None]
    if not got:
        raise HarnessError("BD-rate is undefined for every sequence (see above)")
    of = f" (mean of {len(got)} of {len(results)} sequences)" if len(got) < len(results) else ""
    console.print(f"BD-rate: {sum(r.bd_rate for r in got) / len(got):+.2f}%{of}", markup=False)
    console.print(f"BD-PSNR: {sum(r.bd_psnr for r in got) / len(got):+.4f} dB{of}", markup=False)
    return 0 if len(got) == len(results) else 1


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from vtm_accel.demo import run_demo

    anchor = {"anchor": args.anchor} if args.anchor else {}  # else the demo's own
    outcome = run_demo(
        args.out, jobs=args.jobs, progress=default_enabled(), decoder=args.decoder, **anchor
    )
    print_summary(outcome.results, console)
    console.print(f"report: {args.out / 'report.html'}", markup=False)
    return 0 if outcome.passed else 1


def _missing_training_modules(step: str, baseline: bool) -> list[str]:
    """The `train` extra's modules that ``step`` needs and this Python lacks."""
    import importlib.util

    wanted = [] if step == "gen-data" else ["torch"]
    if baseline and step in ("all", "evaluate"):
        wanted.append("sklearn")
    return [m for m in wanted if importlib.util.find_spec(m) is None]


def cmd_train(args: argparse.Namespace, console: Console) -> int:
    from vtm_accel.training import train as train_mod

    missing = _missing_training_modules(args.step, not args.no_baseline)
    if missing:
        raise HarnessError(
            f"training needs {' and '.join(missing)}, which this Python lacks (encoding with "
            f"the CNN does not); install them with: pip install 'vtm-accel[train]', or "
            f"bash scripts/install"
        )
    argv = ["vtm-accel", *args.argv]  # recorded beside the weights
    return train_mod.run(args.step, train_mod.options_from_args(args, argv))


COMMANDS = {
    "train": cmd_train,
    "encode": cmd_encode,
    "challenge": cmd_challenge,
    "batch": cmd_batch,
    "report": cmd_report,
    "bdrate": cmd_bdrate,
    "demo": cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``vtm-accel``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    console = Console(highlight=False, soft_wrap=True)
    previous = {}
    if threading.current_thread() is threading.main_thread():
        clear_stop_signal()
        stops = [signal.SIGTERM, signal.SIGHUP]
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            stops.append(signal.SIGINT)  # not when ignored (started in the background)
        previous = {s: signal.signal(s, on_stop_signal) for s in stops}
    try:
        rc = COMMANDS[args.command](args, console)
        raise_if_stopped()  # a stop whose exception a finalizer swallowed
        return rc
    except HarnessError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as e:
        print(f"{PROG}: interrupted; finished points are stored, rerun to resume", file=sys.stderr)
        return 128 + e.signum if isinstance(e, Terminated) else 130
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if args.command in ("encode", "challenge", "batch", "demo"):
            from vtm_accel.predictors.protocol import cleanup_stale_segments

            cleanup_stale_segments()  # of an engine killed with its worker


if __name__ == "__main__":
    sys.exit(main())
