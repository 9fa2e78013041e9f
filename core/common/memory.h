// Memory for weights that are read again and again (a model's matrices, streamed once per decoded
// token), and how much memory is free to hold them. No LibTorch, no Qt.
//
//   auto arena = atelier::allocate_streamed(bytes);            // 2 MiB aligned; huge pages asked for
//   auto maybe = atelier::allocate_streamed_if_room(bytes);    // null where memory is short
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace atelier {

// `bytes` of zeroed memory aligned to 2 MiB, freed when the last reference goes. On Linux the pages
// are asked for as transparent huge pages (madvise MADV_HUGEPAGE: granted where the system's setting
// is "madvise" or "always"): a GEMV reading 2 GB of weights takes a TLB miss every 4 KiB otherwise,
// and on the EPYC dev VM (Zen 5) one row at a time read 65-70 GB/s from huge pages against 50-53
// from 4 KiB ones (docs/benchmarks.md). Throws std::bad_alloc when the memory cannot be had.
std::shared_ptr<uint8_t> allocate_streamed(size_t bytes);

// allocate_streamed(bytes) when that leaves the system room, else null (the caller keeps its weights
// mapped from their file, for the OS to page in and out): `bytes` must stay under three quarters of
// available_memory_bytes() (where that is known). ATELIER_MAPPED_WEIGHTS=1 in the environment always
// answers null — for a machine short of memory, or to compare the two.
std::shared_ptr<uint8_t> allocate_streamed_if_room(size_t bytes);

// Memory the OS could give without swapping (Linux: MemAvailable; Windows: available physical
// memory; macOS: free plus inactive pages); 0 when it cannot be read.
uint64_t available_memory_bytes();

}  // namespace atelier
