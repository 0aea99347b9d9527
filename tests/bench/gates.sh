#!/bin/bash
# gates.sh: the sample-quality and notebook-time gates of the generative lectures, in one
# run, beside PyTorch's figures for models of the same size and budget. A benchmark, not a
# test: it prints, it never fails a build (exit 0 even when a gate is missed; 2 when a
# script could not run).
#
#   bash tests/bench/gates.sh              every script in tests/bench/gates/
#   bash tests/bench/gates.sh gan vae      only those (file names without extension)
#
# Each gate script is a language file (NAME.lt, run by build/kernel/latent-run) or a shell
# script (NAME.sh, given the build folder as $1) that prints one line per gate:
#     gate NAME: VALUE (target: ...) ok|MISS
# Everything else the scripts print goes to the log (build/gates/NAME.log).
# GATES_KEEP=DIR keeps the executed notebooks of the run (to commit the outputs the gates were
# read from); LATENT_CELL_TIMEOUT=SECONDS lifts nbclient's 600 s per cell on a crowded machine.
# The load average is printed before and after: the wall times mean little on a busy machine.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
run="$top/build/kernel/latent-run"
[ -x "$run" ] || bash "$top/share/scripts/build.sh" >/dev/null
logs="$top/build/gates"; mkdir -p "$logs"
cd "$top/tests/bench/gates" || exit 2

scripts=()
if [ $# -gt 0 ]; then
  for n in "$@"; do for f in "$n".lt "$n".sh; do [ -f "$f" ] && scripts+=("$f"); done; done
else
  for f in *.lt *.sh; do [ -f "$f" ] && scripts+=("$f"); done
fi

cat <<'REF'
PyTorch 1.13 on 2 CPU cores, the same classifier's scores (256 samples; real digits:
conf 0.95-0.98, FD 20-34; uniform noise: conf 0, FD ~1370):
  VAE 40 epochs (8 s)                       conf 0.40  FD 245
  lecture GAN 30 epochs (10 s)              conf 0.49  FD 230
  larger GAN 100 epochs (144 s)             conf 0.61  FD 141
  U-Net 16/32/64, 180 s, DDIM-50            conf 0.45  FD 187
  U-Net 16/32/64, 600 s + EMA               conf 0.62  FD 91
REF
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
status=0; met=0; missed=0
for f in "${scripts[@]}"; do
  name=${f%.*}; log="$logs/$name.log"
  start=$(date +%s.%N)
  case $f in
    *.lt) "$run" "$f" >"$log" 2>&1 ;;
    *.sh) bash "$f" "$top/build" >"$log" 2>&1 ;;
  esac
  st=$?
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  grep '^gate ' "$log"
  met=$((met + $(grep -c '^gate .* ok$' "$log")))
  missed=$((missed + $(grep -c '^gate .* MISS$' "$log")))
  if [ $st -ne 0 ]; then echo "gate $name: script failed (exit $st, see $log) MISS"; missed=$((missed+1)); status=2; fi
  printf '  (%s: %.0f s)\n' "$f" "$secs"
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "gates: $met met, $missed missed"
exit $status
