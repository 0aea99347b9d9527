#!/bin/bash
# train_compare.sh: Latent's engine against PyTorch on the four lecture MLPs, in one run.
#
#   tests/bench/train_compare.sh [--out DIR] [--build DIR] [extra train_bench/torch_ref flags]
#   tests/bench/train_compare.sh --table DIR     # only reprint the table of a kept run
#   tests/bench/train_compare.sh --cpu-clock --threads 1   # CPU time instead of wall time
#   tests/bench/train_compare.sh --unet          # also the U-Net step (unet_compare.sh, 3 runs)
#
# 1. builds build/tests/bench/train_bench if needed (cmake, -j2);
# 2. runs train_bench and torch_ref.py on the same IDX file (the repository's
#    share/data/mnist, or $IMAGES) with the same flags, model by model and alternating
#    (ours ae, torch ae, ours vae, ...) so that a change in the machine's load hits both;
#    ddpm is run with --sample (DDPM sampling with the model just trained). Each model
#    runs in a fresh process, so each peak RSS is that model's own;
# 3. prints the table described in tests/bench/README.md with each target.
# PyTorch runs with /usr/bin/python3 (Debian's python3-torch) and OMP_WAIT_POLICY=PASSIVE,
# its best setting on this 2-core machine; OPENBLAS_CORETYPE is left as the environment
# has it, for both programs. Nothing is downloaded.
#
# --cpu-clock: both programs report the process's CPU time instead of wall time (ours with
# train_bench --cpu-clock; PyTorch's torch_ref.py unchanged, run with time.perf_counter
# replaced by time.process_time). With --threads 1 that measures the work done, nearly
# independent of other processes on the machine; with 2 threads it also counts spinning.
#
# Environment: IMAGES (IDX image file), TORCH_REF (torch_ref.py; default the copy beside
# this script, tests/bench/torch_ref.py), PY
# (default /usr/bin/python3), LATENT_GEMM (off: our engine with OpenBLAS only, as before
# its own sgemm kernel; see train_bench.c).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$ROOT/build
OUT=""
MODELS=ae,vae,gan,ddpm
TABLE_ONLY=0
CPU_CLOCK=0
UNET=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --table) OUT=$2; TABLE_ONLY=1; shift 2 ;;
    --models) MODELS=$2; shift 2 ;;
    --cpu-clock) CPU_CLOCK=1; shift ;;
    --unet) UNET=1; shift ;;
    *) EXTRA+=("$1"); shift ;;
  esac
done
IMAGES=${IMAGES:-$ROOT/share/data/mnist/t10k-images-idx3-ubyte.gz}
PY=${PY:-/usr/bin/python3}
if [ -z "${TORCH_REF:-}" ]; then
  TORCH_REF=$HERE/torch_ref.py
fi
if [ $TABLE_ONLY = 0 ]; then
  [ -n "${TORCH_REF:-}" ] && [ -f "$TORCH_REF" ] || { echo "train_compare: set TORCH_REF to torch_ref.py" >&2; exit 1; }
  [ -f "$IMAGES" ] || { echo "train_compare: no image file $IMAGES" >&2; exit 1; }
  [ -n "$OUT" ] || OUT=$(mktemp -d /tmp/train_compare.XXXXXX)
  mkdir -p "$OUT"

  if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" >/dev/null
  fi
  cmake --build "$BUILD" -j2 --target train_bench >/dev/null
  BENCH=$BUILD/tests/bench/train_bench

  echo "# $(date -u '+%F %T UTC')  $(nproc) cores  load: $(cut -d' ' -f1-3 /proc/loadavg)  OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}"
  echo "# images: $IMAGES   raw outputs: $OUT"
  OURS_CLOCK=()
  TORCH=("$PY" "$TORCH_REF")
  if [ $CPU_CLOCK = 1 ]; then
    OURS_CLOCK=(--cpu-clock)
    TORCH=("$PY" -c 'import runpy, sys, time
time.perf_counter = time.process_time
sys.argv = sys.argv[1:]
print("# clock=cpu (time.perf_counter = time.process_time)")
runpy.run_path(sys.argv[0], run_name="__main__")' "$TORCH_REF")
  fi
  # torch.set_num_threads(1) leaves OpenBLAS's own pthreads at 2: make --threads 1 mean 1
  for ((i = 0; i < ${#EXTRA[@]}; i++)); do
    if [ "${EXTRA[$i]}" = --threads ] && [ "${EXTRA[$((i + 1))]:-}" = 1 ]; then
      export OPENBLAS_NUM_THREADS=1
    fi
  done
  echo "# clock: $([ $CPU_CLOCK = 1 ] && echo 'process CPU time' || echo wall)  OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-(unset)}"
  : > "$OUT/ours.txt"
  : > "$OUT/torch.txt"
  rm -f "$OUT/unet.txt"
  for m in ${MODELS//,/ }; do
    S=()
    [ "$m" = ddpm ] && S=(--sample)
    "$BENCH" --images "$IMAGES" --models "$m" ${S[@]+"${S[@]}"} ${OURS_CLOCK[@]+"${OURS_CLOCK[@]}"} \
      ${EXTRA[@]+"${EXTRA[@]}"} >> "$OUT/ours.txt"
    OMP_WAIT_POLICY=PASSIVE "${TORCH[@]}" --images "$IMAGES" --models "$m" ${S[@]+"${S[@]}"} \
      ${EXTRA[@]+"${EXTRA[@]}"} >> "$OUT/torch.txt"
  done
  if [ $UNET = 1 ]; then
    cmake --build "$BUILD" -j2 --target unet_step >/dev/null
    sh "$HERE/unet_compare.sh" "$BUILD" 3 > "$OUT/unet.txt"
  fi
fi

"$PY" - "$OUT/ours.txt" "$OUT/torch.txt" "$OUT/unet.txt" <<'EOF'
import re, sys

LINE = re.compile(r"^(ae|vae|gan|ddpm) epoch_s=([\d.]+) samples_per_s=\S+ final_loss=(\S+)\s+epochs=\[([^\]]*)\]")
EXTRA = re.compile(r"^(ae|vae|gan|ddpm) peak_rss_mb=")
SAMPLE = re.compile(r"^ddpm_sample .*total_s=([\d.]+)")
SGEMM = re.compile(r"^ddpm_sample gemm_calls=.*gemm_replay_s=([\d.]+)")
SBLAS = re.compile(r"^ddpm_sample gemm_calls=.*gemm_replay_blas_s=([\d.]+)")

def parse(path):
    r = {}
    for line in open(path):
        m = LINE.match(line)
        if m:
            r.setdefault(m.group(1), {}).update(epoch_s=float(m.group(2)), loss=m.group(3), epochs=m.group(4))
        m = EXTRA.match(line)
        if m:
            kv = dict(f.split("=", 1) for f in line.split()[1:])
            r.setdefault(m.group(1), {}).update({k: float(v) for k, v in kv.items()})
        m = SAMPLE.match(line)
        if m:
            r["sample"] = float(m.group(1))
        m = SGEMM.match(line)
        if m:
            r["sample_gemm"] = float(m.group(1))
        m = SBLAS.match(line)
        if m:
            r["sample_blas"] = float(m.group(1))
    return r

def losses(s):
    if s.startswith("D="):
        return [float(p.split("=")[1]) for p in s.split(",")]
    return [float(s)]

ours, torch = parse(sys.argv[1]), parse(sys.argv[2])
ok = lambda c: "ok" if c else "MISS"
print("%-5s %9s %9s %7s %5s | %9s %9s %9s %7s %5s %6s | %-19s %-19s %8s %5s" % (
    "model", "ours_s", "torch_s", "ratio", "<=.6", "gemm_s", "blas_s", "insitu_s", "ovh", "<=1.3",
    "floor", "loss_ours", "loss_torch", "diff", "<=5%"))
for n in ["ae", "vae", "gan", "ddpm"]:
    if n not in ours or n not in torch:
        continue
    o, t = ours[n], torch[n]
    ratio = o["epoch_s"] / t["epoch_s"]
    rep = o.get("gemm_replay_s")
    ovh = o["epoch_s"] / rep if rep else float("nan")
    lo, lt = losses(o["loss"]), losses(t["loss"])
    if n == "gan":   # same regime: D and G within a factor 2 of PyTorch's
        worst = max(max(a / b, b / a) for a, b in zip(lo, lt))
        diff, verdict = "x%.2f" % worst, ok(worst <= 2.0)
    else:
        d = abs(lo[0] - lt[0]) / lt[0]
        diff, verdict = "%.1f%%" % (100 * d), ok(d <= 0.05)
    print("%-5s %9.4f %9.4f %7.3f %5s | %9.4f %9.4f %9.4f %7.2f %5s %6.3f | %-19s %-19s %8s %5s" % (
        n, o["epoch_s"], t["epoch_s"], ratio, ok(ratio <= 0.6), rep or float("nan"),
        o.get("gemm_replay_blas_s", float("nan")), o.get("gemm_insitu_s", float("nan")), ovh,
        ok(ovh <= 1.3),
        (rep or float("nan")) / t["epoch_s"], o["loss"], t["loss"], diff, verdict))
if "sample" in ours and "sample" in torch:
    r = ours["sample"] / torch["sample"]
    print("ddpm_sample 64x1000: ours %.3f s  torch %.3f s  ratio %.3f  (<= 0.6: %s)" % (
        ours["sample"], torch["sample"], r, ok(r <= 0.6)), end="")
    if "sample_gemm" in ours:
        print("   gemm_s %.3f  ovh %.2f  floor %.3f" % (ours["sample_gemm"], ours["sample"] / ours["sample_gemm"],
                                                      ours["sample_gemm"] / torch["sample"]), end="")
        if "sample_blas" in ours:
            print("  (OpenBLAS only: gemm_s %.3f, floor %.3f)" % (
                ours["sample_blas"], ours["sample_blas"] / torch["sample"]))
        else:
            print()
    else:
        print()
if "ae" in ours and "peak_rss_mb" in ours["ae"]:
    print("peak RSS of the ae run (ours): %.1f MB  (< 150 MB: %s);  others: %s" % (
        ours["ae"]["peak_rss_mb"], ok(ours["ae"]["peak_rss_mb"] < 150),
        ", ".join("%s %.1f MB" % (n, ours[n]["peak_rss_mb"]) for n in ["vae", "gan", "ddpm"]
                  if n in ours and "peak_rss_mb" in ours[n])))
import os
if len(sys.argv) > 3 and os.path.exists(sys.argv[3]):
    for line in open(sys.argv[3]):
        m = re.match(r"median over (\d+) runs: ours ([\d.]+) ms/step, pytorch ([\d.]+) ms/step", line)
        if m:
            r = float(m.group(2)) / float(m.group(3))
            print("unet step (batch 128, median of %s runs): ours %s ms  torch %s ms  ratio %.3f  (<= 0.6: %s)" % (
                m.group(1), m.group(2), m.group(3), r, ok(r <= 0.6)))
print("floor = gemm_s / torch_s: the ratio with zero engine overhead (bare sgemm only);"
      " blas_s: the same sgemm calls on OpenBLAS only")
print("epochs (s) ours / torch:")
for n in ["ae", "vae", "gan", "ddpm"]:
    if n in ours and n in torch:
        print("  %-5s [%s] / [%s]" % (n, ours[n]["epochs"], torch[n]["epochs"]))
EOF
