#!/usr/bin/env bash
# A small multimodal model from scratch, on the demo task, in minutes on a laptop CPU:
#   scripts/multimodal-quickstart.sh OUT
# makes the demo data (OUT/data), two small encoders initialised at random (OUT/encoders: a
# CLIP-architecture vision tower with 4-pixel patches and a Whisper-architecture audio encoder),
# trains them together with the projectors (image spectrum: one translation-invariant token; audio
# frame stacking; video space-time DCT) and a LoRA adapter on
# stories260K (Alpaca template; LoRA on lm_head too: stories260K never trained its EOS row, which
# equals UNK's, so without it the model cannot learn to stop after the answer), leaves the bundle in
# OUT/bundle, and prints `eval` per question
# type on the test split (items never seen in training). Then ask it:
#   atelier-cli generate --model OUT/bundle --image OUT/data/media/img_0001.png \
#       --prompt "What colour is the shape?" --template alpaca --temperature 0
#
# atelier-cli comes from PATH, else from build/bin/. The language model is
# ../shared/fixtures/stories260K/hf beside the repository unless ATELIER_QUICKSTART_LLM names one.
# QUICKSTART_COUNT (items per modality) and QUICKSTART_EPOCHS shrink the run (CI runs a short one).
set -euo pipefail
out="${1:?usage: multimodal-quickstart.sh OUT}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="$(command -v atelier-cli || true)"
[ -n "$cli" ] || cli="$root/build/bin/atelier-cli"
[ -x "$cli" ] || { echo "multimodal-quickstart: atelier-cli is neither on PATH nor in build/bin (build first)" >&2; exit 1; }
llm="${ATELIER_QUICKSTART_LLM:-$(cd "$root/.." && pwd)/shared/fixtures/stories260K/hf}"
[ -e "$llm" ] || { echo "multimodal-quickstart: no language model at $llm (set ATELIER_QUICKSTART_LLM)" >&2; exit 1; }
count="${QUICKSTART_COUNT:-600}"
epochs="${QUICKSTART_EPOCHS:-10}"
mkdir -p "$out"
start=$(date +%s)

echo "== demo data ($count images, $count audio clips, videos) -> $out/data"
"$cli" demo-data --out "$out/data" --count "$count" --seed 1

echo "== encoders from scratch -> $out/encoders"
"$cli" new-encoder --arch clip --out "$out/encoders/image" --image-size 32 --patch-size 4 \
  --width 64 --layers 2 --heads 4 --seed 1
"$cli" new-encoder --arch whisper --out "$out/encoders/audio" --chunk-seconds 2 --mel-bins 80 \
  --width 64 --layers 2 --heads 4 --seed 2

echo "== training (encoders, projectors and a LoRA adapter) -> $out/bundle"
"$cli" train --model "$llm" --data "$out/data/train.json" --out "$out" --no-resume \
  --stage projector+adapter --method lora --template alpaca \
  --image-encoder "$out/encoders/image" --audio-encoder "$out/encoders/audio" --train-encoders \
  --feature-layer -1 --image-projector spectrum --audio-projector audio_stack --audio-stack 4 \
  --video-temporal dct --projector-tokens 8 --frames 8 \
  --targets q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj,lm_head \
  --lr 3e-3 --projector-lr 1e-3 --encoder-lr 1e-3 --warmup-ratio 0.05 \
  --epochs "$epochs" --batch-size 16 --seed 1 \
  --store "$out/runs.db" --feature-cache "$out/cache"

echo "== eval on the test split (unseen items), first word of each greedy answer"
"$cli" eval --model "$out/bundle" --data "$out/data/test.json" --template alpaca --metric first-word \
  --run latest --store "$out/runs.db"
echo "== done in $(( $(date +%s) - start )) s; the model is $out/bundle"
