#!/usr/bin/env bash
# End-to-end check of the engine by hand (no Python needed at run time except to locate
# FFmpeg when $FFMPEG is unset): encode a few frames, decode with FFmpeg's native VVC decoder
# with MD5 SEI verification, and require the decoded output to equal the engine's recon.
#
#   engine/tests/e2e_bitstream.sh [ENGINE] [INPUT [FRAMES [QP [extra engine options...]]]]
#
# ENGINE defaults to engine/build/vtm-accel-engine (run from the repo root); INPUT defaults
# to a 2-frame 10-bit clip decoded from /work/shared/data/basketballpass_416x240_50_10bit.266
# (.yuv inputs need W/H via E2E_WIDTH/E2E_HEIGHT/E2E_DEPTH). Exit 0 when every check passes.
set -euo pipefail

ENGINE=${1:-engine/build/vtm-accel-engine}
INPUT=${2:-}
FRAMES=${3:-2}
QP=${4:-32}
shift $(( $# > 4 ? 4 : $# )) || true
FFMPEG=${FFMPEG:-$(python3 -c "import imageio_ffmpeg as i; print(i.get_ffmpeg_exe())")}
WORK=$(mktemp -d /tmp/e2e-bitstream.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [[ -z "$INPUT" ]]; then
  SRC=/work/shared/data/basketballpass_416x240_50_10bit.266
  INPUT=$WORK/bp.yuv
  "$FFMPEG" -v error -i "$SRC" -frames:v "$FRAMES" -pix_fmt yuv420p10le -f rawvideo "$INPUT"
  E2E_WIDTH=416 E2E_HEIGHT=240 E2E_DEPTH=10
fi

SIZE_ARGS=()
if [[ "$INPUT" == *.yuv ]]; then
  SIZE_ARGS=(--width "${E2E_WIDTH:?set E2E_WIDTH}" --height "${E2E_HEIGHT:?set E2E_HEIGHT}"
             --input-bit-depth "${E2E_DEPTH:-8}")
fi

"$ENGINE" --input "$INPUT" "${SIZE_ARGS[@]}" --frames "$FRAMES" --qp "$QP" --md5-sei \
  --bitstream "$WORK/out.266" --recon "$WORK/recon.yuv" --log "$WORK/log.jsonl" "$@"
cat "$WORK/log.jsonl"

# 1. Every header parses (trace_headers prints each syntax element; any error fails).
"$FFMPEG" -v error -i "$WORK/out.266" -c copy -bsf:v trace_headers -f null - 2>"$WORK/trace.txt"
if grep -qiE "error|invalid" "$WORK/trace.txt"; then
  echo "FAIL: trace_headers reported errors" >&2
  cat "$WORK/trace.txt" >&2
  exit 1
fi

# 2. Decode with MD5 verification; FFmpeg prints "incorrect" for any hash mismatch.
"$FFMPEG" -v error -err_detect crccheck -i "$WORK/out.266" -f rawvideo -pix_fmt yuv420p10le \
  "$WORK/dec.yuv" 2>"$WORK/dec.txt"
if [[ -s "$WORK/dec.txt" ]]; then
  echo "FAIL: decoder messages:" >&2
  cat "$WORK/dec.txt" >&2
  exit 1
fi

# 3. The decoder's output equals the engine's recon, frame count included.
if ! cmp -s "$WORK/dec.yuv" "$WORK/recon.yuv"; then
  echo "FAIL: decoded output differs from the engine's recon ($(stat -c %s "$WORK/dec.yuv") vs" \
       "$(stat -c %s "$WORK/recon.yuv") bytes)" >&2
  exit 1
fi
[[ $(wc -l <"$WORK/log.jsonl") -eq $FRAMES ]] || { echo "FAIL: log lines != $FRAMES" >&2; exit 1; }
echo "PASS: $FRAMES frame(s) decoded bit-exactly with MD5 SEI verified ($(stat -c %s "$WORK/out.266") bytes)"
