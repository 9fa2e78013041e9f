#!/usr/bin/env bash
# Atelier beside llama2.c's run.c on the same llama2.c checkpoint, prompt, token count and thread
# count, in one run (issue 14). run.c is built from ../shared/peers/llama2.c into a temporary folder
# (nothing of it enters this repository) the way its README recommends for speed:
# gcc -Ofast -march=native (and -fopenmp when THREADS > 1).
#
#   bench/vs-llama2c.sh [CHECKPOINT.bin TOKENIZER.bin TOKENIZER.model] [THREADS] [STEPS] [REPEATS]
#   bench/vs-llama2c.sh 1b [THREADS] [STEPS] [REPEATS]
#
# Defaults: stories260K from ../shared/fixtures, 1 thread, 256 steps, best of 5. `1b` writes a random
# float32 checkpoint of TinyLlama's shape with tok512's vocabulary (3.9 GB, legacy header: the one
# run.c reads) into the temporary folder with bench_generate --write-llama2c, and runs that. Prints decode
# tokens/s (run.c counts from its second token; Atelier reports decode after the prompt) and the
# whole command's wall time (start to last token: loading included), then the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=${ATELIER_FIXTURES:-$(cd .. && pwd)/shared/fixtures}
peer=${ATELIER_PEERS:-$(cd .. && pwd)/shared/peers}/llama2.c/run.c
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "${1:-}" = 1b ]; then
  shift
  bench=${ATELIER_BENCH_GENERATE:-build/bin/bench_generate}
  [ -x "$bench" ] || { echo "vs-llama2c: build first ($bench missing)"; exit 2; }
  "$bench" --write-llama2c "$work/random1b.bin" >/dev/null
  set -- "$work/random1b.bin" "$fixtures/stories260K/llama2c/tok512.bin" "$fixtures/stories260K/llama2c/tok512.model" "$@"
fi
ckpt=${1:-$fixtures/stories260K/llama2c/stories260K.bin}
tokbin=${2:-$fixtures/stories260K/llama2c/tok512.bin}
tokmodel=${3:-$fixtures/stories260K/llama2c/tok512.model}
threads=${4:-1}
steps=${5:-256}
repeats=${6:-5}
prompt="Once upon a time"
cli=${ATELIER_CLI:-build/bin/atelier-cli}

[ -f "$peer" ] || { echo "vs-llama2c: no $peer"; exit 2; }
[ -x "$cli" ] || { echo "vs-llama2c: build first ($cli missing)"; exit 2; }
flags=(-Ofast -march=native)
[ "$threads" -gt 1 ] && flags+=(-fopenmp)
gcc "${flags[@]}" "$peer" -o "$work/run" -lm

now() { date +%s.%N; }
best() { sort -g | tail -1; }
least() { sort -g | head -1; }

# The prompt's tokens count in run.c's steps: Atelier generates the rest, so both end at `steps`.
prompt_tokens=5  # BOS + "Once upon a time" in llama2.c's tokenizers (tok512 and Llama 2's 32k alike)
new_tokens=$((steps - prompt_tokens))

run_tps=(); run_wall=(); at_tps=(); at_wall=()
for ((i = 0; i < repeats; i++)); do
  t0=$(now)
  out=$(OMP_NUM_THREADS=$threads "$work/run" "$ckpt" -z "$tokbin" -t 0 -n "$steps" -i "$prompt" 2>&1 >/dev/null)
  t1=$(now)
  run_tps+=("$(echo "$out" | sed -n 's/achieved tok\/s: //p')")
  run_wall+=("$(echo "$t1 - $t0" | bc -l)")
  t0=$(now)
  out=$("$cli" generate --model "$ckpt" --tokenizer "$tokmodel" --threads "$threads" --temperature 0 \
        --max-new-tokens "$new_tokens" --prompt "$prompt" 2>&1 >/dev/null)
  t1=$(now)
  at_tps+=("$(echo "$out" | sed -n 's/.*decode \([0-9.]*\) tok\/s.*/\1/p')")
  at_wall+=("$(echo "$t1 - $t0" | bc -l)")
done
rt=$(printf '%s\n' "${run_tps[@]}" | best); at=$(printf '%s\n' "${at_tps[@]}" | best)
rw=$(printf '%s\n' "${run_wall[@]}" | least); aw=$(printf '%s\n' "${at_wall[@]}" | least)
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
flags_seen=$(grep -m1 "^flags" /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|avx512_bf16|amx_bf16|f16c)$' | tr '\n' ' ')
echo "machine: $cpu ($(nproc) cores; $flags_seen)"
echo "checkpoint: $(basename "$ckpt"), prompt \"$prompt\", $steps steps, $threads thread(s), best of $repeats"
printf '%-10s %14s %14s\n' engine "decode tok/s" "wall s"
printf '%-10s %14.1f %14.3f\n' run.c "$rt" "$rw"
printf '%-10s %14.1f %14.3f\n' atelier "$at" "$aw"
printf 'atelier / run.c: decode %.2fx, wall time %.2fx (lower is better for wall)\n' \
  "$(echo "$at / $rt" | bc -l)" "$(echo "$aw / $rw" | bc -l)"
