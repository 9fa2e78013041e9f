#include "common/memory.h"

#include "common/win32.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>

#if defined(__linux__) || defined(__APPLE__)
#include <sys/mman.h>
#endif
#if defined(__APPLE__)
#include <mach/mach.h>
#endif

namespace atelier {

namespace {
constexpr size_t kHugePage = size_t(2) << 20;
}

std::shared_ptr<uint8_t> allocate_streamed(size_t bytes) {
    const size_t size = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    if (size == 0) return std::shared_ptr<uint8_t>(new uint8_t[1], std::default_delete<uint8_t[]>());
#if defined(__linux__) || defined(__APPLE__)
    // Over-map by one huge page and keep the aligned middle: the kernel only backs a huge page at a
    // 2 MiB-aligned address.
    const size_t mapped = size + kHugePage;
    void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    const uintptr_t base = reinterpret_cast<uintptr_t>(p);
    const uintptr_t aligned = (base + kHugePage - 1) / kHugePage * kHugePage;
    if (aligned > base) ::munmap(p, aligned - base);
    const uintptr_t end = base + mapped, used_end = aligned + size;
    if (end > used_end) ::munmap(reinterpret_cast<void*>(used_end), end - used_end);
#if defined(MADV_HUGEPAGE)
    ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);  // advice: refused is no error
#endif
    return std::shared_ptr<uint8_t>(reinterpret_cast<uint8_t*>(aligned),
                                    [size](uint8_t* q) { ::munmap(q, size); });
#elif defined(_WIN32)
    // Large pages on Windows need a privilege users do not hold; plain committed pages, zeroed.
    void* p = ::VirtualAlloc(nullptr, size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    if (!p) throw std::bad_alloc();
    return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p),
                                    [](uint8_t* q) { ::VirtualFree(q, 0, MEM_RELEASE); });
#else
    void* p = std::aligned_alloc(kHugePage, size);
    if (!p) throw std::bad_alloc();
    std::memset(p, 0, size);
    return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
#endif
}

std::shared_ptr<uint8_t> allocate_streamed_if_room(size_t bytes) {
    const char* mapped = std::getenv("ATELIER_MAPPED_WEIGHTS");
    if (mapped && std::string(mapped) != "0") return nullptr;
    const uint64_t available = available_memory_bytes();
    if (available > 0 && bytes > available / 4 * 3) return nullptr;
    try {
        return allocate_streamed(bytes);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}

uint64_t available_memory_bytes() {
#if defined(__linux__)
    std::ifstream f("/proc/meminfo");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("MemAvailable:", 0) == 0)
            return std::strtoull(line.c_str() + 13, nullptr, 10) * 1024;  // kB
    return 0;
#elif defined(_WIN32)
    MEMORYSTATUSEX s{};
    s.dwLength = sizeof(s);
    return ::GlobalMemoryStatusEx(&s) ? s.ullAvailPhys : 0;
#elif defined(__APPLE__)
    vm_statistics64_data_t vm{};
    mach_msg_type_number_t count = HOST_VM_INFO64_COUNT;
    if (host_statistics64(mach_host_self(), HOST_VM_INFO64, reinterpret_cast<host_info64_t>(&vm), &count) !=
        KERN_SUCCESS)
        return 0;
    return (uint64_t(vm.free_count) + vm.inactive_count) * uint64_t(vm_page_size);
#else
    return 0;
#endif
}

}  // namespace atelier
