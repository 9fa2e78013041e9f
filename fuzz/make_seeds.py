#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets (scripts/fuzz.sh runs this): the reference files from
../shared/fixtures where they exist, and small valid files written here where they do not
(tokenizer.json, datasets, torch.save archives via tests/tools/make_pth.py, configs).

usage: make_seeds.py FIXTURES OUT_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_PTH = os.path.join(HERE, "..", "tests", "tools", "make_pth.py")


def put(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def copy(out, target, path, prefix=b""):
    tag = "-%d" % prefix[0] if prefix else ""
    with open(path, "rb") as f:
        put(out, target, os.path.basename(os.path.dirname(path)) + tag + "-" + os.path.basename(path), prefix + f.read())


def byte_chars():
    # GPT-2's byte-to-unicode table.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def tokenizer_jsons():
    bc = byte_chars()
    vocab = {bc[b]: b for b in range(256)}
    merges = [(bc[32], "t"), ("h", "e"), (bc[32] + "t", "he"), ("1", "2"), ("l", "l"), ("e", "r")]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    llama3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
    base = {
        "version": "1.0",
        "added_tokens": [{"id": len(vocab), "content": "<|begin_of_text|>", "special": True},
                         {"id": len(vocab) + 1, "content": "<|eot_id|>", "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": llama3}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}}],
                           "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>",
                                                                   "ids": [len(vocab)]}}},
        "decoder": {"type": "ByteLevel"},
        "model": {"type": "BPE", "vocab": vocab, "merges": [a + " " + b for a, b in merges],
                  "ignore_merges": True, "byte_fallback": False},
    }
    gpt2 = json.loads(json.dumps(base))
    gpt2["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": True}
    gpt2["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFC"}]}
    gpt2["model"]["merges"] = [[a, b] for a, b in merges]
    return {"llama3.json": base, "gpt2.json": gpt2}


def small_media(out):
    """Small images and sounds, so the media target spends its time on headers, not pixels."""
    import struct
    import wave
    import zlib

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))

    for w, h, colour, bits in ((16, 12, 2, 8), (9, 7, 0, 16), (8, 8, 6, 8), (5, 3, 3, 8)):
        raw = b"".join(b"\0" + bytes((x * 37 + y * 11) % 256 for x in range(w * {0: 1, 2: 3, 3: 1, 6: 4}[colour] * bits // 8)) for y in range(h))
        png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bits, colour, 0, 0, 0))
        if colour == 3:
            png += chunk(b"PLTE", bytes(range(48)))  # 16 colours
        png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
        put(out, "media", "small-%dx%d-%d.png" % (w, h, colour), png)
    bmp_pixels = bytes((i * 7) % 256 for i in range(4 * 4 * 3))
    bmp = b"BM" + struct.pack("<IHHI", 54 + len(bmp_pixels), 0, 0, 54)
    bmp += struct.pack("<IiiHHIIiiII", 40, 4, 4, 1, 24, 0, len(bmp_pixels), 2835, 2835, 0, 0) + bmp_pixels
    put(out, "media", "small.bmp", bmp)
    for rate, channels, width in ((16000, 1, 2), (44100, 2, 2), (8000, 1, 1)):
        path = os.path.join(out, "media", "small-%d-%d.wav" % (rate, channels))
        with wave.open(path, "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(width)
            w.setframerate(rate)
            w.writeframes(bytes((i * 13) % 256 for i in range(rate // 20 * channels * width)))


def main(fixtures, out):
    shutil.rmtree(out, ignore_errors=True)
    found = {}
    for root, _, files in os.walk(fixtures):
        for name in files:
            found.setdefault(name, []).append(os.path.join(root, name))
    for p in found.get("model.safetensors", []) + [p for n, ps in found.items() if n.endswith(".safetensors")
                                                   and n != "model.safetensors" for p in ps]:
        if os.path.getsize(p) < 4 << 20:
            copy(out, "safetensors", p)
    for p in found.get("tokenizer.model", []) + found.get("tok512.model", []):
        copy(out, "spm_model", p)
    for name, tj in tokenizer_jsons().items():
        put(out, "tokenizer_json", name, json.dumps(tj))
    for p in found.get("tokenizer_config.json", []):
        copy(out, "chat_template", p)
    put(out, "chat_template", "llama3.json", json.dumps({"chat_template": "{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] + '<|eot_id|>' }}{% endfor %}"}))
    # configs: the first byte picks the parser (fuzz_configs.cpp).
    for p in found.get("config.json", []):
        for sel in range(6):
            copy(out, "configs", p, bytes([sel]))
    put(out, "configs", "adapter_lora.json", b"\x01" + json.dumps({"peft_type": "LORA", "r": 8, "lora_alpha": 16, "target_modules": ["q_proj", "v_proj"], "lora_dropout": 0.05}).encode())
    put(out, "configs", "adapter_prefix.json", b"\x01" + json.dumps({"method": "llama-adapter", "adapter_len": 10, "adapter_layer": 2}).encode())
    put(out, "configs", "projector.json", b"\x05" + json.dumps({"type": "mlp2x_gelu", "input_dim": 32, "output_dim": 64}).encode())
    put(out, "configs", "params.json", b"\x06" + json.dumps({"dim": 64, "n_layers": 5, "n_heads": 8, "n_kv_heads": 4, "vocab_size": 512, "multiple_of": 4, "norm_eps": 1e-5, "max_seq_len": 512}).encode())
    # datasets: the first byte picks .jsonl/.json and skip/strict (fuzz_dataset.cpp).
    alpaca = [{"instruction": "Say hi", "input": "", "output": "Hi."}, {"instruction": "Add", "input": "1+1", "output": "2"}]
    sharegpt = [{"conversations": [{"from": "human", "value": "<image>\nWhat is it?"}, {"from": "gpt", "value": "A cat."}], "image": "cat.png"}]
    openai = [{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}]
    for name, rows in (("alpaca", alpaca), ("sharegpt", sharegpt), ("openai", openai)):
        put(out, "dataset", name + ".jsonl", b"\x00" + "\n".join(json.dumps(r) for r in rows).encode())
        put(out, "dataset", name + ".json", b"\x01" + json.dumps(rows, indent=1).encode())
    # torch.save archives from the same writer the tests use, and their pickles alone.
    specs = {
        "dtypes": {"tensors": [{"name": "w", "dtype": "float32", "shape": [2, 3], "values": [1, 2, 3, 4, 5, 6]},
                               {"name": "h", "dtype": "float16", "shape": [2], "values": [1, 2]},
                               {"name": "b", "dtype": "bfloat16", "shape": [2], "values": [1, 2]}]},
        "views": {"storages": [{"dtype": "float32", "values": [0, 1, 2, 3, 4, 5]}],
                  "tensors": [{"name": "t", "storage": 0, "shape": [3, 2], "stride": [1, 3]},
                              {"name": "e", "storage": 0, "offset": 2, "shape": [3, 2], "stride": [0, 1]}],
                  "wrap": "model"},
    }
    tmp = os.path.join(out, ".tmp")
    os.makedirs(tmp, exist_ok=True)
    for name, spec in specs.items():
        sp = os.path.join(tmp, name + ".json")
        with open(sp, "w") as f:
            json.dump(spec, f)
        pth = os.path.join(tmp, name + ".pth")
        subprocess.run([sys.executable, MAKE_PTH, "spec", sp, pth], check=True)
        with open(pth, "rb") as f:
            put(out, "pth", name + ".pth", f.read())
        with zipfile.ZipFile(pth) as z:
            for n in z.namelist():
                if n.endswith("data.pkl"):
                    put(out, "pickle", name + ".pkl", z.read(n))
    for p in found.get("stories260K.bin", []):
        meta = os.path.join(out, "meta")
        subprocess.run([sys.executable, MAKE_PTH, "meta-from-llama2c", p, meta], check=True)
    shutil.rmtree(tmp)
    for p in [p for n, ps in found.items() if os.path.splitext(n)[1] in (".png", ".jpg", ".wav", ".mp3", ".mp4", ".webm") for p in ps]:
        if os.path.getsize(p) <= 200 << 10:
            copy(out, "media", p)
    small_media(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
