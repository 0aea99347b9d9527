#!/bin/bash
# fuzz.sh: fuzzes the language for SECONDS (default 600) with build-fuzz/'s fuzz_lang
# (see README.md). The corpus grows in build-fuzz/fuzz/corpus; crashes land in
# build-fuzz/fuzz/ as crash-*, leak-*, timeout-*, oom-*: replay one with
# `build-fuzz/tests/fuzz/fuzz_lang FILE`, then add it to tests/fuzz/regressions/ or as a
# tests/lang/*.lt cell once fixed.
set -eu
shopt -s nullglob
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build-fuzz/tests/fuzz
work=$top/build-fuzz/fuzz
mkdir -p "$work/corpus" "$work/seeds" "$work/scratch"
cp -r "$top/tests/lang/data" "$work/scratch/"
"$bin/fuzz_replay" --dict "$work/latent.dict"
"$bin/fuzz_replay" --seeds "$work/seeds" "$top"/tests/lang/*.lt "$top/share/docs/language.md" \
    "$top"/tests/fuzz/regressions/*
# any UBSan report is a crash; fontconfig's caches are not our leaks
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}
cd "$work/scratch"   # inputs may write files (savefig)
exec "$bin/fuzz_lang" -dict="$work/latent.dict" -max_len=512 -rss_limit_mb=4096 -timeout=10 \
    -max_total_time="${1:-600}" -artifact_prefix="$work/" -print_final_stats=1 \
    "$work/corpus" "$work/seeds"
