#!/bin/bash
# check.sh RUNNER: latent-run runs cells in order, writes displayed images with --png-dir,
# and stops with status 1 at the first failing cell, naming the file and the cell's line.
set -u
run=$1; here=$(cd "$(dirname "$0")" && pwd); tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL: $*"; exit 1; }
out=$("$run" --png-dir "$tmp" "$here/ok.lt") || bad "ok.lt exited $?"
[ "$(printf '%s' "$out" | head -1)" = "3" ] || bad "ok.lt printed '$out', want 3 first"
grep -q "line plot 'squares'" <<<"$out" || bad "the plot's text/plain is missing: '$out'"
[ -s "$tmp/000.png" ] || bad "no 000.png written"
head -c 8 "$tmp/000.png" | od -An -tx1 | grep -q "89 50 4e 47" || bad "000.png is not a PNG"
"$run" "$here/fails.lt" >"$tmp/out" 2>"$tmp/err"; st=$?
[ $st -eq 1 ] || bad "fails.lt exited $st, want 1"
grep -q "never reached" "$tmp/out" && bad "a cell after the failing one ran"
grep -q "fails.lt:3: the cell starting here failed" "$tmp/err" || bad "stderr: $(cat "$tmp/err")"
"$run" "$tmp/missing.lt" 2>/dev/null; [ $? -eq 2 ] || bad "a missing file should exit 2"
echo "latent-run: 1 passed, 0 failed"
