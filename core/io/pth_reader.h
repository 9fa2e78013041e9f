// Reads PyTorch `torch.save` zip checkpoints (e.g. Meta's `consolidated.00.pth`) without Python
// and without executing pickle: a restricted unpickler that knows only the globals a state_dict
// needs (collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch.*Storage, ...). Anything
// else is refused with ErrorCode::UnsupportedFormat, so a malicious pickle cannot run code.
//
//   atelier::TensorMap sd = atelier::read_pth("consolidated.00.pth");
//   sd.at("layers.0.attention.wq.weight")   // zero-copy view into the mmapped zip when contiguous
//
// Handles zip64 (files > 4 GiB), storages shared by several tensors, storage offsets, and
// non-contiguous strides (those are copied to contiguous). Entries must be stored (torch.save
// never compresses). Strided views are copied within a budget for the whole file: the copies
// together may exceed the file's size by at most kMaxPthExpansionBytes (a stride-0 view under 100
// keys must not turn 2 KB into 100 GiB).
#pragma once

#include "io/tensor_data.h"

#include <cstdint>
#include <string>

namespace atelier {

inline constexpr uint64_t kMaxPthExpansionBytes = uint64_t{1} << 30;

TensorMap read_pth(const std::string& path);

}  // namespace atelier
