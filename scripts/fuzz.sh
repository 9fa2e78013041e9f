#!/usr/bin/env bash
# Fuzzes what Atelier reads from strangers' files with libFuzzer + ASan + UBSan (fuzz/): builds the
# targets with clang into build-fuzz/, seeds each corpus from ../shared/fixtures (fuzz/make_seeds.py),
# runs every target for SECONDS (default 600) — FUZZ_JOBS (default 2) at a time — and prints one
# line per target: executions, coverage, corpus size, peak memory, and OK or the crash file.
# Corpora persist in build-fuzz/corpus/<target> between runs; crashes land in build-fuzz/artifacts/.
#
#   scripts/fuzz.sh                 # every target, 10 minutes each
#   scripts/fuzz.sh 60 pth media    # two targets, a minute each
#
# Exit status: 0 when no target found anything, 1 otherwise. Needs clang (Debian: clang,
# libclang-rt-14-dev), already in the project's set-up. Not part of the test command: it runs for as
# long as it is told to. Every crash it finds becomes a regression test (tests/unit/test_hostile_files.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${1:-600}
shift || true
ALL=(safetensors pth pickle spm_model tokenizer_json chat_template configs dataset media)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
FIXTURES=${ATELIER_FIXTURES:-$ROOT/../shared/fixtures}
B=$ROOT/build-fuzz
JOBS=${FUZZ_JOBS:-2}

LAUNCHER=()
command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CXX=clang++ cmake -S fuzz -B "$B" -G Ninja "${LAUNCHER[@]}" >/dev/null
cmake --build "$B" -j2
python3 fuzz/make_seeds.py "$FIXTURES" "$B/seeds"
mkdir -p "$B/artifacts" "$B/logs"
export ATELIER_FUZZ_META=$B/seeds/meta
# Leaks are findings too; a slow input (10 s) or 2 GiB of memory for one input is a finding.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
    local t=$1
    mkdir -p "$B/corpus/$t"
    local extra=()
    # Media decode is slow per byte: small inputs (make_seeds.py writes small images and sounds too).
    [ "$t" = media ] && extra=(-max_len=131072)
    set +e
    "$B/fuzz_$t" "$B/corpus/$t" "$B/seeds/$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$B/artifacts/$t-" -print_final_stats=1 "${extra[@]}" >"$B/logs/$t.log" 2>&1
    local rc=$?
    set -e
    local execs cov peak units
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$B/logs/$t.log" | awk '{print $2}' | tail -1)
    peak=$(grep -oE 'stat::peak_rss_mb: *[0-9]+' "$B/logs/$t.log" | awk '{print $2}' | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$B/logs/$t.log" | tail -1 | awk '{print $2}')
    units=$(ls "$B/corpus/$t" | wc -l)
    local verdict=OK
    if [ $rc -ne 0 ]; then
        verdict="FOUND: $(ls -t "$B/artifacts/$t-"* 2>/dev/null | head -1) (see $B/logs/$t.log)"
    fi
    printf '%-15s %10s execs  cov %6s  corpus %5s  peak %5s MB  %ss  %s\n' "$t" "${execs:-?}" "${cov:-?}" \
        "$units" "${peak:-?}" "$SECONDS_EACH" "$verdict" | tee -a "$B/summary.txt"
    [ $rc -eq 0 ]
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m) $(nproc) cores, $SECONDS_EACH s each" | tee -a "$B/summary.txt"
failed=0
pids=()
for t in "${TARGETS[@]}"; do
    run_one "$t" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$JOBS" ]; then
        wait "${pids[0]}" || failed=1
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
exit $failed
