#!/usr/bin/env python3
"""Makes torch.save-compatible .pth checkpoints without torch (python3 stdlib only), for tests.

The pickle is made by Python's own Pickler against a fake `torch` / `torch._utils` registered in
sys.modules, with the persistent_id torch.save uses, so data.pkl is byte-for-byte what torch.save
writes for a state_dict (protocol 2). The zip is laid out like PyTorchStreamWriter's: a top folder,
data.pkl, byteorder, data/<key> per storage, version; entries stored, data aligned to 64 bytes
with an "FB" extra field.

Usage:
  make_pth.py spec SPEC.json OUT.pth            tensors described by a JSON spec (see below)
  make_pth.py meta-from-llama2c IN.bin OUTDIR   llama2.c legacy checkpoint -> Meta folder
                                                (OUTDIR/consolidated.00.pth + OUTDIR/params.json)

Spec (every key optional except "tensors"):
  {
    "protocol": 2,                 # pickle protocol (torch.save uses 2)
    "prefix": "archive",           # the zip's top folder; default: OUT's stem, as torch.save does
    "zip64": false,                # write zip64 central directory fields and end records
    "compress": false,             # deflate the data/ entries (torch never does: must be refused)
    "omit_records": ["data/1"],    # leave these records out of the zip
    "wrap": "model",               # save {"model": state_dict, "epoch": 3} instead of the state_dict
    "top": "list",                 # save a list of the tensors instead of a dict
    "evil": {"global": "os.system", "arg": "touch /tmp/x"},   # add a value calling that global
    "storages": [{"dtype": "float32", "values": [1, 2, 3, 4, 5, 6]}],
    "tensors": [
      {"name": "w", "dtype": "float16", "shape": [2, 2], "values": [1, 2, 3, 4]},  # own storage
      {"name": "v", "storage": 0, "offset": 1, "shape": [2, 2], "stride": [1, 2]}  # view of storages[0]
    ]
  }
dtypes: float32 float16 bfloat16 float64 int64 int32 int16 int8 uint8 bool.
"""

import collections
import json
import os
import pickle
import struct
import sys
import types
import zlib

# --------------------------------------------------------------------------------------------
# A fake torch, just enough for pickle to name torch.<Type>Storage and torch._utils functions.

DTYPES = {  # name: (storage class, struct format, item size)
    "float32": ("FloatStorage", "f", 4),
    "float16": ("HalfStorage", "e", 2),
    "bfloat16": ("BFloat16Storage", None, 2),
    "float64": ("DoubleStorage", "d", 8),
    "int64": ("LongStorage", "q", 8),
    "int32": ("IntStorage", "i", 4),
    "int16": ("ShortStorage", "h", 2),
    "int8": ("CharStorage", "b", 1),
    "uint8": ("ByteStorage", "B", 1),
    "bool": ("BoolStorage", "?", 1),
}

torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
torch._utils = torch_utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils
for _cls_name, _, _ in DTYPES.values():
    setattr(torch, _cls_name, type(_cls_name, (), {"__module__": "torch"}))


def _torch_utils_function(name):
    def f(*args):
        raise RuntimeError("fake torch: never called")

    f.__name__ = f.__qualname__ = name
    f.__module__ = "torch._utils"
    setattr(torch_utils, name, f)
    return f


_rebuild_tensor_v2 = _torch_utils_function("_rebuild_tensor_v2")
# Stands in for a forbidden global; its GLOBAL opcode is rewritten to the requested one after pickling.
_EVIL_PLACEHOLDER = _torch_utils_function("__atelier_evil__")


class Storage:
    def __init__(self, dtype, data):
        self.dtype = dtype
        self.data = bytes(data)
        self.numel = len(self.data) // DTYPES[dtype][2]


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def __reduce_ex__(self, protocol):
        # What torch.Tensor._reduce_ex_internal returns for a plain CPU tensor.
        return (_rebuild_tensor_v2,
                (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()))


class Evil:
    def __init__(self, arg):
        self.arg = arg

    def __reduce__(self):
        return (_EVIL_PLACEHOLDER, (self.arg,))


def f32_to_bf16_bits(x):
    b = struct.unpack("<I", struct.pack("<f", x))[0]
    b += 0x7FFF + ((b >> 16) & 1)  # round to nearest even
    return (b >> 16) & 0xFFFF


def encode(dtype, values):
    if dtype == "bfloat16":
        return struct.pack("<%dH" % len(values), *(f32_to_bf16_bits(float(v)) for v in values))
    fmt = DTYPES[dtype][1]
    if dtype == "bool":
        values = [bool(v) for v in values]
    elif fmt in "efd":
        values = [float(v) for v in values]
    else:
        values = [int(v) for v in values]
    return struct.pack("<%d%s" % (len(values), fmt), *values)


def contiguous_stride(shape):
    stride, acc = [], 1
    for s in reversed(shape):
        stride.append(acc)
        acc *= s
    return list(reversed(stride))


# --------------------------------------------------------------------------------------------
# Pickling, as torch.save does it.

class TorchPickler(pickle.Pickler):
    def __init__(self, f, protocol):
        super().__init__(f, protocol=protocol)
        self.keys = {}  # id(storage) -> key, in first-use order: "0", "1", ...
        self.storages = {}

    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            key = self.keys.setdefault(id(obj), str(len(self.keys)))
            self.storages[key] = obj
            return ("storage", getattr(torch, DTYPES[obj.dtype][0]), key, "cpu", obj.numel)
        return None


def dump_pickle(obj, protocol, evil_global=None):
    import io
    buf = io.BytesIO()
    p = TorchPickler(buf, protocol)
    p.dump(obj)
    data = buf.getvalue()
    if evil_global:
        module, _, name = evil_global.rpartition(".")
        placeholder = b"ctorch._utils\n__atelier_evil__\n"
        if protocol > 3 or placeholder not in data:
            sys.exit("make_pth.py: 'evil' needs protocol 2 or 3")
        data = data.replace(placeholder, b"c" + module.encode() + b"\n" + name.encode() + b"\n")
    return data, p.storages


# --------------------------------------------------------------------------------------------
# The zip, as PyTorchStreamWriter (miniz) lays it out.

class TorchZipWriter:
    ALIGN = 64

    def __init__(self, f, prefix, zip64=False):
        self.f, self.prefix, self.zip64 = f, prefix, zip64
        self.pos = 0
        self.entries = []

    def _write(self, b):
        self.f.write(b)
        self.pos += len(b)

    def write_record(self, name, data, compress=False):
        full = ("%s/%s" % (self.prefix, name)).encode()
        offset = self.pos
        # The "FB" extra field pads so the data starts on a 64-byte boundary (getPadding()).
        start = offset + 30 + len(full) + 4
        pad = (-start) % self.ALIGN
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        crc = zlib.crc32(data) & 0xFFFFFFFF
        method, stored = 0, data
        if compress:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            method, stored = 8, c.compress(data) + c.flush()
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(stored), len(data),
                                len(full), len(extra)))
        self._write(full + extra)
        assert compress or self.pos % self.ALIGN == 0
        self._write(stored)
        self.entries.append((full, method, crc, len(stored), len(data), offset))

    def close(self):
        cd_offset = self.pos
        for full, method, crc, csize, usize, offset in self.entries:
            extra = b""
            if self.zip64:
                extra = struct.pack("<HHQQQ", 0x0001, 24, usize, csize, offset)
                csize = usize = offset = 0xFFFFFFFF
            self._write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 45 if self.zip64 else 20, 0, method, 0,
                                    0x21, crc, csize, usize, len(full), len(extra), 0, 0, 0, 0, offset))
            self._write(full + extra)
        cd_size = self.pos - cd_offset
        n = len(self.entries)
        if self.zip64:
            eocd64 = self.pos
            self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, cd_size, cd_offset))
            self._write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
            self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
        else:
            self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, cd_size, cd_offset, 0))


def torch_save(obj, path, protocol=2, prefix=None, zip64=False, compress=False, omit=(), evil_global=None):
    if prefix is None:  # torch.save names the top folder after the file, extension stripped
        prefix = os.path.splitext(os.path.basename(path))[0]
    data_pkl, storages = dump_pickle(obj, protocol, evil_global)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        z = TorchZipWriter(f, prefix, zip64)
        records = [("data.pkl", data_pkl, False), ("byteorder", b"little", False)]
        records += [("data/" + k, storages[k].data, compress) for k in sorted(storages)]
        records += [("version", b"3\n", False)]
        for name, data, comp in records:
            if name not in omit:
                z.write_record(name, data, comp)
        z.close()
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# Commands

def state_dict(items):
    sd = collections.OrderedDict(items)
    sd._metadata = collections.OrderedDict([("", {"version": 1})])  # as Module.state_dict() sets
    return sd


def cmd_spec(spec_path, out_path):
    with open(spec_path) as f:
        spec = json.load(f)
    storages = [Storage(s["dtype"], encode(s["dtype"], s["values"])) for s in spec.get("storages", [])]
    items = []
    for t in spec["tensors"]:
        shape = t["shape"]
        if "storage" in t:
            storage = storages[t["storage"]]
        else:
            storage = Storage(t["dtype"], encode(t["dtype"], t["values"]))
        items.append((t["name"], Tensor(storage, t.get("offset", 0), shape, t.get("stride", contiguous_stride(shape)))))
    evil = spec.get("evil")
    if evil:
        items.insert(len(items) // 2, ("evil", Evil(evil.get("arg", ""))))

    obj = state_dict(items)
    if spec.get("top") == "list":
        obj = [v for _, v in items]
    if spec.get("wrap"):
        obj = {spec["wrap"]: obj, "epoch": 3, "note": "training checkpoint"}
    torch_save(obj, out_path, protocol=spec.get("protocol", 2), prefix=spec.get("prefix"),
               zip64=spec.get("zip64", False), compress=spec.get("compress", False),
               omit=set(spec.get("omit_records", [])), evil_global=evil["global"] if evil else None)


def cmd_meta_from_llama2c(in_path, out_dir):
    with open(in_path, "rb") as f:
        raw = f.read()
    dim, hidden, n_layers, n_heads, n_kv_heads, vocab, seq_len = struct.unpack("<7i", raw[:28])
    shared = vocab > 0
    vocab = abs(vocab)
    head_size = dim // n_heads
    kv_dim = dim * n_kv_heads // n_heads
    pos = 28

    def take(*shape):  # the next fp32 array of this shape, one Storage per layer slice
        nonlocal pos
        n = 1
        for s in shape:
            n *= s
        if pos + 4 * n > len(raw):
            sys.exit("make_pth.py: %s is truncated" % in_path)
        b = raw[pos:pos + 4 * n]
        pos += 4 * n
        return b

    def per_layer(*shape):
        n = 1
        for s in shape:
            n *= s
        b = take(n_layers, *shape)
        return [b[4 * n * i:4 * n * (i + 1)] for i in range(n_layers)]

    emb = take(vocab, dim)
    rms_att = per_layer(dim)
    wq = per_layer(dim, dim)
    wk = per_layer(kv_dim, dim)
    wv = per_layer(kv_dim, dim)
    wo = per_layer(dim, dim)
    rms_ffn = per_layer(dim)
    w1 = per_layer(hidden, dim)
    w2 = per_layer(dim, hidden)
    w3 = per_layer(hidden, dim)
    rms_final = take(dim)
    take(seq_len * head_size // 2)  # freq_cis_real (unused: RoPE is recomputed)
    take(seq_len * head_size // 2)  # freq_cis_imag
    wcls = emb if shared else take(vocab, dim)

    def tensor(b, *shape):
        return Tensor(Storage("float32", b), 0, shape, contiguous_stride(list(shape)))

    # Meta's consolidated.00.pth key order; llama2.c already stores Meta's (interleaved RoPE) rows.
    items = [("tok_embeddings.weight", tensor(emb, vocab, dim)),
             ("norm.weight", tensor(rms_final, dim)),
             ("output.weight", tensor(bytes(wcls), vocab, dim))]
    for i in range(n_layers):
        p = "layers.%d." % i
        items += [(p + "attention.wq.weight", tensor(wq[i], dim, dim)),
                  (p + "attention.wk.weight", tensor(wk[i], kv_dim, dim)),
                  (p + "attention.wv.weight", tensor(wv[i], kv_dim, dim)),
                  (p + "attention.wo.weight", tensor(wo[i], dim, dim)),
                  (p + "feed_forward.w1.weight", tensor(w1[i], hidden, dim)),
                  (p + "feed_forward.w2.weight", tensor(w2[i], dim, hidden)),
                  (p + "feed_forward.w3.weight", tensor(w3[i], hidden, dim)),
                  (p + "attention_norm.weight", tensor(rms_att[i], dim)),
                  (p + "ffn_norm.weight", tensor(rms_ffn[i], dim))]

    # Meta derives the FFN width from multiple_of: multiple_of * ceil(int(8 * dim / 3) / multiple_of).
    multiple_of = 1
    for m in (256, 128, 64, 32, 16, 8, 4, 2, 1):
        if m * ((int(2 * 4 * dim / 3) + m - 1) // m) == hidden:
            multiple_of = m
            break
    params = {"dim": dim, "n_layers": n_layers, "n_heads": n_heads, "n_kv_heads": n_kv_heads,
              "vocab_size": vocab, "multiple_of": multiple_of, "norm_eps": 1e-05, "max_seq_len": seq_len,
              "hidden_dim": hidden}
    os.makedirs(out_dir, exist_ok=True)
    torch_save(state_dict(items), os.path.join(out_dir, "consolidated.00.pth"))
    with open(os.path.join(out_dir, "params.json"), "w") as f:
        json.dump(params, f, indent=2)
        f.write("\n")


def main(argv):
    if len(argv) == 4 and argv[1] == "spec":
        cmd_spec(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "meta-from-llama2c":
        cmd_meta_from_llama2c(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
