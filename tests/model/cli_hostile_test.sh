#!/usr/bin/env bash
# Hostile files given to atelier-cli (issue 12): every one ends with exit 1 and a message naming the
# file and the problem, within 60 seconds and within 4 GiB of address space for the engine — never a
# signal, a hang or an out-of-memory kill. Invoked by CTest with the paths in the environment:
#   CLI=build/bin/atelier-cli FIXTURES=../shared/fixtures TOOLS=tests/tools WORK=/tmp/x cli_hostile_test.sh
set -uo pipefail
: "${CLI:?}" "${FIXTURES:?}" "${TOOLS:?}" "${WORK:?}"
rm -rf "$WORK" && mkdir -p "$WORK"
failures=0
# AddressSanitizer reserves terabytes of address space for its shadow: no ceiling under scripts/asan.sh.
VMEM_KB=4194304
ldd "$CLI" 2>/dev/null | grep -q libasan && VMEM_KB=unlimited

# expect NAME WHAT-IN-STDERR... -- atelier-cli arguments
expect() {
    local name=$1 && shift
    local needles=()
    while [ "$1" != "--" ]; do needles+=("$1") && shift; done
    shift
    local err="$WORK/$name.err" start=$SECONDS rc
    # A 4 GiB address-space ceiling: a file of a few KB that makes the engine allocate more fails
    # here (bad_alloc) instead of passing unnoticed on a large machine.
    (ulimit -v "$VMEM_KB"; exec timeout -s KILL 60 "$CLI" "$@") >/dev/null 2>"$err"
    rc=$?
    local ok=1
    [ $rc -eq 1 ] || ok=0
    for n in "${needles[@]}"; do grep -qF -- "$n" "$err" || ok=0; done
    if [ $ok -eq 1 ]; then
        printf 'ok    %-28s %2ds  %s\n' "$name" $((SECONDS - start)) "$(head -c 160 "$err" | tr '\n' ' ')"
    else
        printf 'FAIL  %-28s exit %s (want 1 and %s)\n%s\n' "$name" "$rc" "${needles[*]}" "$(head -c 2000 "$err")"
        failures=$((failures + 1))
    fi
}

hf_copy() {  # a writable copy of the stories260K HF folder
    mkdir -p "$1" && cp "$FIXTURES"/stories260K/hf/* "$1"/ && chmod -R u+w "$1"
}
deep() { python3 -c "import sys; n=int(sys.argv[1]); print('['*n + ']'*n, end='')" "$1"; }

# Model folders.
hf_copy "$WORK/layers" && sed -i 's/"num_hidden_layers": *[0-9]*/"num_hidden_layers": 1000000000/' "$WORK/layers/config.json"
expect layers-info config.json num_hidden_layers -- info --model "$WORK/layers"
expect layers-generate config.json num_hidden_layers -- generate --model "$WORK/layers" --prompt hi
hf_copy "$WORK/deep-config" && { printf '{"a": '; deep 1000000; printf '}'; } >"$WORK/deep-config/config.json"
expect deep-config config.json "deeper than 128" -- info --model "$WORK/deep-config"

# Tokenizers.
hf_copy "$WORK/deep-tok" && rm "$WORK/deep-tok/tokenizer.model"
{ printf '{"model": {"type": "BPE", "vocab": {}, "merges": []}, "normalizer": '; deep 1000000; printf '}'; } >"$WORK/deep-tok/tokenizer.json"
expect deep-tokenizer-json tokenizer.json "deeper than 128" -- generate --model "$WORK/deep-tok" --prompt hi
hf_copy "$WORK/bad-spm" && head -c 3000 "$FIXTURES/stories260K/hf/tokenizer.model" >"$WORK/bad-spm/tokenizer.model"
expect truncated-spm tokenizer.model -- generate --model "$WORK/bad-spm" --prompt hi

# Adapters.
mkdir -p "$WORK/adapter"
cat >"$WORK/adapter/adapter_config.json" <<'JSON'
{"peft_type": "LORA", "r": 1099511627776, "lora_alpha": 16, "target_modules": ["q_proj"]}
JSON
printf '\x08\0\0\0\0\0\0\0{}      ' >"$WORK/adapter/adapter_model.safetensors"
expect huge-rank adapter_config.json 1099511627776 -- generate --model "$FIXTURES/stories260K/hf" --adapter "$WORK/adapter" --prompt hi

# Meta folders and torch.save archives.
python3 "$TOOLS/make_pth.py" meta-from-llama2c "$FIXTURES/stories260K/llama2c/stories260K.bin" "$WORK/meta" >/dev/null
sed -i 's/"n_heads": *[0-9]*/"n_heads": 0/' "$WORK/meta/params.json"
expect meta-zero-heads params.json n_heads -- info --model "$WORK/meta"
mkdir -p "$WORK/bomb"
cp "$WORK/meta/params.json" "$WORK/bomb/" && sed -i 's/"n_heads": *0/"n_heads": 8/' "$WORK/bomb/params.json"
cat >"$WORK/bomb.json" <<'JSON'
{"storages": [{"dtype": "float32", "values": [1.5]}],
 "tensors": [{"name": "a", "storage": 0, "shape": [8193, 16384], "stride": [0, 0]},
             {"name": "b", "storage": 0, "shape": [8193, 16384], "stride": [0, 0]},
             {"name": "c", "storage": 0, "shape": [8193, 16384], "stride": [0, 0]}]}
JSON
python3 "$TOOLS/make_pth.py" spec "$WORK/bomb.json" "$WORK/bomb/consolidated.00.pth"
expect pth-expansion consolidated.00.pth "+ 1 GiB" -- info --model "$WORK/bomb"

# Datasets: every row hostile (nested a million deep, a symlink loop, a name past NAME_MAX).
ln -s loop-b "$WORK/loop-a" && ln -s loop-a "$WORK/loop-b"
{
    printf '{"instruction": "a", "output": "b", "x": '; deep 1000000; printf '}\n'
    printf '{"image": "loop-a/x.png", "conversations": [{"from": "human", "value": "<image>"}, {"from": "gpt", "value": "x"}]}\n'
    printf '{"image": "%s/x.png", "conversations": [{"from": "human", "value": "<image>"}, {"from": "gpt", "value": "x"}]}\n' "$(printf 'y%.0s' $(seq 300))"
} >"$WORK/rows.jsonl"
expect hostile-dataset rows.jsonl -- train --model "$FIXTURES/stories260K/hf" --data "$WORK/rows.jsonl" --out "$WORK/run" --max-steps 1 --store "$WORK/runs.db"

# Media.
head -c 20000 "$FIXTURES/media/astronaut.png" >"$WORK/truncated.png"
expect truncated-png truncated.png -- media info "$WORK/truncated.png"
head -c 4096 /dev/urandom >"$WORK/noise.mp4"
expect noise-mp4 noise.mp4 -- media info "$WORK/noise.mp4"
python3 - "$WORK/huge.png" <<'PY'
import struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
expect huge-png huge.png -- media info "$WORK/huge.png"

if [ $failures -ne 0 ]; then
    echo "$failures hostile input(s) not refused cleanly"
    exit 1
fi
echo "every hostile input was refused with exit 1 and a message naming its file"
