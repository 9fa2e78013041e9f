#include "io/zip_reader.h"

#include "common/error.h"
#include "common/files.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#ifdef _WIN32
#include "common/win32.h"
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace atelier {

namespace {

#ifdef _WIN32
struct HandleCloser {
    HANDLE h = nullptr;
    ~HandleCloser() {
        if (h && h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
    }
};

#else
struct FdCloser {
    int fd = -1;
    ~FdCloser() {
        if (fd >= 0) ::close(fd);
    }
};
#endif

uint16_t rd16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
uint32_t rd32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
           (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t rd64(const uint8_t* p) {
    return static_cast<uint64_t>(rd32(p)) | (static_cast<uint64_t>(rd32(p + 4)) << 32);
}

// True when [offset, offset + length) lies inside a buffer of `size` bytes (no overflow).
bool in_range(uint64_t offset, uint64_t length, uint64_t size) {
    return offset <= size && length <= size - offset;
}

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kEocd64LocatorSig = 0x07064b50;
constexpr uint32_t kEocd64Sig = 0x06064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEocdSize = 22;
constexpr size_t kEocd64LocatorSize = 20;
constexpr size_t kEocd64Size = 56;
constexpr uint16_t kZip64ExtraId = 0x0001;

std::string num(uint64_t v) {
    return std::to_string(v);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// MappedFile

#ifdef _WIN32

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path, const char* expected) {
    const std::filesystem::path p = path_from_utf8(path);
    HandleCloser file_handle{::CreateFileW(p.c_str(), GENERIC_READ,
                                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr)};
    if (file_handle.h == INVALID_HANDLE_VALUE) {
        const DWORD err = ::GetLastError();
        if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
            throw Error(ErrorCode::FileNotFound, path, "no such file");
        std::error_code ec;  // CreateFileW refuses a folder (ERROR_ACCESS_DENIED): say what it is
        if (std::filesystem::is_directory(p, ec))
            throw Error(ErrorCode::Io, path, std::string("is a directory, expected ") + expected);
        throw Error(ErrorCode::Io, path, "cannot open: " + win32_error_text(err));
    }
    LARGE_INTEGER size{};
    if (!::GetFileSizeEx(file_handle.h, &size))
        throw Error(ErrorCode::Io, path, "cannot stat: " + win32_error_text(::GetLastError()));

    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = path;
    if (size.QuadPart == 0) return file;  // a mapping of 0 bytes is an error; an empty view is not

    // The mapping and view keep the file open; both handles can close when this function returns.
    HandleCloser mapping{::CreateFileMappingW(file_handle.h, nullptr, PAGE_WRITECOPY, 0, 0, nullptr)};
    if (!mapping.h) throw Error(ErrorCode::Io, path, "cannot mmap: " + win32_error_text(::GetLastError()));
    void* view = ::MapViewOfFile(mapping.h, FILE_MAP_COPY, 0, 0, 0);  // copy-on-write
    if (!view) {
        // Windows charges a copy-on-write view in full against the commit limit (RAM + page file);
        // a model larger than that is mapped read-only instead, like every other reader of it.
        view = ::MapViewOfFile(mapping.h, FILE_MAP_READ, 0, 0, 0);
    }
    if (!view) throw Error(ErrorCode::Io, path, "cannot mmap: " + win32_error_text(::GetLastError()));
    file->m_data = static_cast<const uint8_t*>(view);
    file->m_size = static_cast<size_t>(size.QuadPart);
    return file;
}

MappedFile::~MappedFile() {
    if (m_data) ::UnmapViewOfFile(m_data);
}

bool MappedFile::read_at(size_t offset, void* dst, size_t n) const {
    if (offset > m_size || n > m_size - offset) return false;
    if (n) std::memcpy(dst, m_data + offset, n);
    return true;
}

#else

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path, const char* expected) {
    FdCloser fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0) {
        int err = errno;
        if (err == ENOENT) throw Error(ErrorCode::FileNotFound, path, "no such file");
        throw Error(ErrorCode::Io, path, std::string("cannot open: ") + std::strerror(err));
    }
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0)
        throw Error(ErrorCode::Io, path, std::string("cannot stat: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode))
        throw Error(ErrorCode::Io, path, std::string("is a directory, expected ") + expected);

    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = path;
    file->m_size = static_cast<size_t>(st.st_size);
    if (file->m_size == 0) return file;  // mmap of 0 bytes is an error; an empty view is not

    void* p = ::mmap(nullptr, file->m_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.fd, 0);  // copy-on-write
    if (p == MAP_FAILED) {
        file->m_size = 0;
        throw Error(ErrorCode::Io, path, std::string("cannot mmap: ") + std::strerror(errno));
    }
    file->m_data = static_cast<const uint8_t*>(p);
    file->m_fd = fd.fd;
    fd.fd = -1;
    return file;
}

MappedFile::~MappedFile() {
    if (m_data) ::munmap(const_cast<uint8_t*>(m_data), m_size);
    if (m_fd >= 0) ::close(m_fd);
}

bool MappedFile::read_at(size_t offset, void* dst, size_t n) const {
    if (offset > m_size || n > m_size - offset || m_fd < 0) return false;
    auto* out = static_cast<uint8_t*>(dst);
    while (n > 0) {
        const ssize_t got = ::pread(m_fd, out, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        out += got, offset += static_cast<size_t>(got), n -= static_cast<size_t>(got);
    }
    return true;
}

#endif

// ---------------------------------------------------------------------------------------------
// CRC-32 (IEEE, as zip uses)

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc) {
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

// ---------------------------------------------------------------------------------------------
// ZipReader

ZipReader::ZipReader(std::shared_ptr<const MappedFile> file) : m_file(std::move(file)) {
    const uint8_t* d = m_file->data();
    const uint64_t n = m_file->size();
    const std::string& where = m_file->path();

    // End of central directory: the last 22+ bytes, possibly followed by a comment of <= 64 KiB.
    uint64_t eocd = UINT64_MAX;
    if (n >= kEocdSize) {
        const uint64_t lowest = n - kEocdSize > 0xFFFF ? n - kEocdSize - 0xFFFF : 0;
        for (uint64_t off = n - kEocdSize + 1; off-- > lowest;) {
            if (rd32(d + off) == kEocdSig && off + kEocdSize + rd16(d + off + 20) <= n) {
                eocd = off;
                break;
            }
        }
    }
    if (eocd == UINT64_MAX) {
        if (n >= 4 && rd32(d) == kLocalHeaderSig)
            throw Error(
                ErrorCode::FileTruncated, where,
                "zip archive of " + num(n) + " bytes has no end-of-central-directory record (cut short?)");
        if (n >= 2 && d[0] == 0x80 && d[1] <= 5)
            throw Error(ErrorCode::UnsupportedFormat, where,
                        "legacy (pre-1.6, non-zip) torch.save format; re-save it with torch >= 1.6");
        throw Error(ErrorCode::UnsupportedFormat, where,
                    "not a zip archive (no end-of-central-directory record)");
    }

    uint64_t disk = rd16(d + eocd + 4);
    uint64_t cd_disk = rd16(d + eocd + 6);
    uint64_t entries_on_disk = rd16(d + eocd + 8);
    uint64_t total_entries = rd16(d + eocd + 10);
    uint64_t cd_size = rd32(d + eocd + 12);
    uint64_t cd_offset = rd32(d + eocd + 16);

    // Zip64: a locator right before the EOCD points at the zip64 EOCD record with 64-bit fields.
    if (eocd >= kEocd64LocatorSize && rd32(d + eocd - kEocd64LocatorSize) == kEocd64LocatorSig) {
        const uint8_t* loc = d + eocd - kEocd64LocatorSize;
        const uint64_t rec = rd64(loc + 8);
        if (!in_range(rec, kEocd64Size, n))
            throw Error(ErrorCode::FileTruncated, where,
                        "zip64 end-of-central-directory record at offset " + num(rec) +
                            " is past the end of the file (" + num(n) + " bytes)");
        if (rd32(d + rec) != kEocd64Sig)
            throw Error(
                ErrorCode::BadHeader, where,
                "no zip64 end-of-central-directory record at offset " + num(rec) + " (bad signature)");
        disk = rd32(d + rec + 16);
        cd_disk = rd32(d + rec + 20);
        entries_on_disk = rd64(d + rec + 24);
        total_entries = rd64(d + rec + 32);
        cd_size = rd64(d + rec + 40);
        cd_offset = rd64(d + rec + 48);
    } else if (cd_offset == 0xFFFFFFFFu || cd_size == 0xFFFFFFFFu) {
        throw Error(ErrorCode::BadHeader, where,
                    "zip64 archive without a zip64 end-of-central-directory locator");
    }
    if (disk != 0 || cd_disk != 0 || entries_on_disk != total_entries)
        throw Error(ErrorCode::UnsupportedFormat, where, "multi-disk (split) zip archives are not supported");
    if (!in_range(cd_offset, cd_size, n))
        throw Error(ErrorCode::FileTruncated, where,
                    "central directory (offset " + num(cd_offset) + ", " + num(cd_size) +
                        " bytes) is past the end of the file (" + num(n) + " bytes)");

    // Each entry takes at least 46 bytes, so the count cannot exceed what the directory can hold.
    if (total_entries > cd_size / kCentralHeaderSize)
        throw Error(ErrorCode::BadHeader, where,
                    "central directory of " + num(cd_size) + " bytes cannot hold the " + num(total_entries) +
                        " entries the end record declares");
    m_entries.reserve(static_cast<size_t>(total_entries));

    uint64_t pos = cd_offset;
    const uint64_t cd_end = cd_offset + cd_size;
    for (uint64_t i = 0; i < total_entries; ++i) {
        if (cd_end - pos < kCentralHeaderSize)
            throw Error(ErrorCode::BadHeader, where,
                        "central directory entry " + num(i) + " runs past the end of the central directory");
        const uint8_t* h = d + pos;
        if (rd32(h) != kCentralHeaderSig)
            throw Error(ErrorCode::BadHeader, where,
                        "bad central directory entry signature at offset " + num(pos));
        Entry e;
        e.flags = rd16(h + 8);
        e.method = rd16(h + 10);
        e.crc32 = rd32(h + 16);
        e.compressed_size = rd32(h + 20);
        e.size = rd32(h + 24);
        const uint64_t name_len = rd16(h + 28), extra_len = rd16(h + 30), comment_len = rd16(h + 32);
        const uint32_t disk_start = rd16(h + 34);
        e.header_offset = rd32(h + 42);
        if (cd_end - pos - kCentralHeaderSize < name_len + extra_len + comment_len)
            throw Error(ErrorCode::BadHeader, where,
                        "central directory entry " + num(i) +
                            " (name, extra, comment) runs past the central directory");
        e.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), name_len);

        // Zip64 extra field: holds (in this order) only the fields whose 32-bit value is 0xFFFFFFFF.
        bool need_size = e.size == 0xFFFFFFFFu, need_csize = e.compressed_size == 0xFFFFFFFFu,
             need_offset = e.header_offset == 0xFFFFFFFFu, need_disk = disk_start == 0xFFFFu;
        const uint8_t* x = h + kCentralHeaderSize + name_len;
        const uint8_t* x_end = x + extra_len;
        while (x_end - x >= 4) {
            const uint16_t id = rd16(x), len = rd16(x + 2);
            if (len > x_end - x - 4)
                throw Error(ErrorCode::BadHeader, where,
                            "malformed extra field in zip entry '" + e.name + "'");
            if (id == kZip64ExtraId) {
                const uint8_t* q = x + 4;
                const uint8_t* q_end = q + len;
                auto take64 = [&](uint64_t& field, bool& needed) {
                    if (!needed) return;
                    if (q_end - q < 8) return;
                    field = rd64(q);
                    q += 8;
                    needed = false;
                };
                take64(e.size, need_size);
                take64(e.compressed_size, need_csize);
                take64(e.header_offset, need_offset);
                if (need_disk && q_end - q >= 4) need_disk = false;
            }
            x += 4 + len;
        }
        if (need_size || need_csize || need_offset || need_disk)
            throw Error(ErrorCode::BadHeader, where,
                        "zip entry '" + e.name + "' lacks the zip64 extra field its sizes need");

        // The local header repeats name and extra (the extra may differ: torch pads with it), so
        // the data offset comes from the local header's own lengths.
        if (!in_range(e.header_offset, kLocalHeaderSize, n))
            throw Error(ErrorCode::FileTruncated, where,
                        "local header of zip entry '" + e.name + "' at offset " + num(e.header_offset) +
                            " is past the end of the file (" + num(n) + " bytes)");
        const uint8_t* lh = d + e.header_offset;
        if (rd32(lh) != kLocalHeaderSig)
            throw Error(ErrorCode::BadHeader, where,
                        "bad local header signature for zip entry '" + e.name + "' at offset " +
                            num(e.header_offset));
        e.data_offset = e.header_offset + kLocalHeaderSize + rd16(lh + 26) + rd16(lh + 28);
        if (!in_range(e.data_offset, e.compressed_size, n))
            throw Error(ErrorCode::FileTruncated, where,
                        "data of zip entry '" + e.name + "' (offset " + num(e.data_offset) + ", " +
                            num(e.compressed_size) + " bytes) is past the end of the file (" + num(n) +
                            " bytes)");

        if (!m_index.emplace(e.name, m_entries.size()).second)
            throw Error(ErrorCode::BadHeader, where,
                        "zip entry '" + e.name + "' appears twice in the central directory");
        m_entries.push_back(std::move(e));
        pos += kCentralHeaderSize + name_len + extra_len + comment_len;
    }
}

const ZipReader::Entry* ZipReader::find(const std::string& name) const {
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

const uint8_t* ZipReader::data(const Entry& entry) const {
    const std::string& where = m_file->path();
    if (entry.flags & 0x1)
        throw Error(ErrorCode::UnsupportedFormat, where, "zip entry '" + entry.name + "' is encrypted");
    if (entry.method != 0)
        throw Error(ErrorCode::UnsupportedFormat, where,
                    "zip entry '" + entry.name + "' is compressed (method " + std::to_string(entry.method) +
                        "); only stored entries are supported");
    if (entry.compressed_size != entry.size)
        throw Error(ErrorCode::BadHeader, where,
                    "stored zip entry '" + entry.name + "' has compressed size " +
                        num(entry.compressed_size) + " != size " + num(entry.size));
    return m_file->data() + entry.data_offset;
}

void ZipReader::check_crc(const Entry& entry) const {
    const uint8_t* p = data(entry);
    const uint32_t got = crc32(p, static_cast<size_t>(entry.size));
    if (got != entry.crc32)
        throw Error(ErrorCode::BadHeader, m_file->path(),
                    "zip entry '" + entry.name + "' fails its CRC-32 check (corrupt data)");
}

}  // namespace atelier
