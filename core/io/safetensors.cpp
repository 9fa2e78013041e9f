#include "io/safetensors.h"

#include "common/checked_math.h"
#include "common/error.h"
#include "common/files.h"
#include "common/json_util.h"
#include "io/zip_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace atelier {

#if defined(__BYTE_ORDER__)
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; so is TensorData");
#elif !(defined(_M_X64) || defined(_M_ARM64) || defined(_M_IX86))  // MSVC's targets: little-endian
#error "safetensors data is little-endian; so is TensorData: check this target's byte order"
#endif

namespace {

// The reference implementation refuses headers above 100 MB; so do we (a corrupt length would
// otherwise make us parse hundreds of megabytes of tensor data as JSON).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) close_fd(fd);
    }
};

std::string shape_str(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::string range_str(uint64_t begin, uint64_t end) {
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// The parsed, not yet validated-against-the-file, header entry of one tensor.
struct Entry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
};

Entry parse_entry(const std::string& path, const std::string& name, const nlohmann::json& j) {
    auto bad = [&](const std::string& why) {
        return Error(ErrorCode::BadJson, path, "tensor '" + name + "' in the header: " + why);
    };
    if (!j.is_object()) throw bad("entry is not an object");
    const auto dtype = j.find("dtype");
    const auto shape = j.find("shape");
    const auto offsets = j.find("data_offsets");
    if (dtype == j.end() || !dtype->is_string()) throw bad("\"dtype\" is missing or not a string");
    if (shape == j.end() || !shape->is_array()) throw bad("\"shape\" is missing or not an array");
    if (offsets == j.end() || !offsets->is_array() || offsets->size() != 2)
        throw bad("\"data_offsets\" is missing or not an array of two numbers");

    Entry e;
    e.name = name;
    for (const auto& d : *shape) {
        if (!d.is_number_unsigned() || d.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
            throw bad("\"shape\" holds something other than a non-negative integer");
        e.shape.push_back(d.get<int64_t>());
    }
    for (const auto& o : *offsets)
        if (!o.is_number_unsigned())
            throw bad("\"data_offsets\" holds something other than a non-negative integer");
    e.begin = (*offsets)[0].get<uint64_t>();
    e.end = (*offsets)[1].get<uint64_t>();

    const std::string dtype_str = dtype->get<std::string>();
    const auto dt = dtype_from_name(dtype_str);
    if (!dt)
        throw Error(ErrorCode::UnknownDtype, path,
                    "tensor '" + name + "' has dtype '" + dtype_str + "', which is not supported");
    e.dtype = *dt;
    return e;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Reader

SafetensorsFile::~SafetensorsFile() = default;  // m_mapping unmaps once no tensor refers to it

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
    // Copy-on-write (see MappedFile): a stray in-place op on a weight cannot fault.
    std::shared_ptr<const MappedFile> mapped = MappedFile::open(path, "a .safetensors file");
    const uint64_t size = mapped->size();
    if (size < 8)
        throw Error(ErrorCode::FileTruncated, path,
                    "file is " + std::to_string(size) + " bytes, shorter than the 8-byte header length");

    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->m_path = path;
    file->m_map = const_cast<uint8_t*>(mapped->data());
    file->m_size = size;
    const MappedFile* mapped_file = mapped.get();
    file->m_mapping = std::move(mapped);

    const auto* bytes = static_cast<const uint8_t*>(file->m_map);
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
    if (header_len > size - 8)
        throw Error(ErrorCode::FileTruncated, path,
                    "header length " + std::to_string(header_len) + " is past the end of the file (" +
                        std::to_string(size) + " bytes)");
    if (header_len > kMaxHeaderBytes)
        throw Error(ErrorCode::BadHeader, path,
                    "header length " + std::to_string(header_len) + " exceeds the " +
                        std::to_string(kMaxHeaderBytes) + "-byte limit");
    const char* header = reinterpret_cast<const char*>(bytes + 8);
    if (header_len == 0 || header[0] != '{')
        throw Error(ErrorCode::BadJson, path, "header does not start with '{'");

    const nlohmann::json j = parse_json_object(std::string_view(header, header_len), path, "header");

    std::vector<Entry> entries;
    entries.reserve(j.size());
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (!it.value().is_object())
                throw Error(ErrorCode::BadJson, path, "\"__metadata__\" is not an object of strings");
            for (auto m = it.value().begin(); m != it.value().end(); ++m) {
                if (!m.value().is_string())
                    throw Error(ErrorCode::BadJson, path,
                                "\"__metadata__\" value of '" + m.key() + "' is not a string");
                file->m_metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        entries.push_back(parse_entry(path, it.key(), it.value()));
    }

    const uint64_t data_size = size - 8 - header_len;
    for (const Entry& e : entries) {
        if (e.begin > e.end)
            throw Error(ErrorCode::OffsetOutOfRange, path,
                        "tensor '" + e.name + "' has data_offsets " + range_str(e.begin, e.end) +
                            ": begin is after end");
        if (e.end > data_size)
            throw Error(ErrorCode::OffsetOutOfRange, path,
                        "tensor '" + e.name + "' has data_offsets " + range_str(e.begin, e.end) +
                            " past the end of the data section (" + std::to_string(data_size) + " bytes)");
        uint64_t expected = dtype_size(e.dtype);
        bool overflow = false;
        for (int64_t d : e.shape) overflow |= checked_mul(expected, static_cast<uint64_t>(d), &expected);
        if (overflow || expected != e.end - e.begin)
            throw Error(
                ErrorCode::ShapeMismatch, path,
                "tensor '" + e.name + "' has shape " + shape_str(e.shape) + " of " + dtype_name(e.dtype) +
                    (overflow ? " (overflows 64 bits)" : " (" + std::to_string(expected) + " bytes)") +
                    " but data_offsets span " + std::to_string(e.end - e.begin) + " bytes");
    }

    // Overlap: sorted by begin, each non-empty range must start at or after every earlier end.
    std::vector<const Entry*> order;
    for (const Entry& e : entries) order.push_back(&e);
    std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    const Entry* reach = nullptr;  // the entry with the furthest end so far
    for (const Entry* e : order) {
        if (e->begin == e->end) continue;
        if (reach && e->begin < reach->end)
            throw Error(ErrorCode::OverlappingTensors, path,
                        "tensors '" + reach->name + "' " + range_str(reach->begin, reach->end) + " and '" +
                            e->name + "' " + range_str(e->begin, e->end) + " overlap");
        if (!reach || e->end > reach->end) reach = e;
    }

    const uint8_t* data = bytes + 8 + header_len;
    for (Entry& e : entries) {
        TensorData t;
        t.dtype = e.dtype;
        t.shape = std::move(e.shape);
        t.data = data + e.begin;
        t.nbytes = static_cast<size_t>(e.end - e.begin);
        t.owner = std::shared_ptr<const void>(file->m_mapping, t.data);
        t.file = mapped_file;
        t.file_offset = static_cast<size_t>(8 + header_len + e.begin);
        file->m_tensors[e.name] = std::move(t);
    }
    return file;
}

// ---------------------------------------------------------------------------------------------
// Folders

TensorMap load_safetensors_dir(const std::string& path) {
    std::error_code ec;
    const fs::path p = path_from_utf8(path);
    if (!fs::exists(p, ec)) throw Error(ErrorCode::FileNotFound, path, "no such file or folder");
    if (!fs::is_directory(p, ec)) return SafetensorsFile::open(path)->tensors();

    const fs::path index_path = p / "model.safetensors.index.json";
    if (!fs::exists(index_path, ec)) {
        const fs::path single = p / "model.safetensors";
        if (!fs::exists(single, ec))
            throw Error(ErrorCode::FileNotFound, path,
                        "folder has no model.safetensors or model.safetensors.index.json");
        return SafetensorsFile::open(path_to_utf8(single))->tensors();
    }

    // Sharded: {"metadata": {...}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors"}}
    const std::string index_str = path_to_utf8(index_path);
    nlohmann::json index;
    {
        std::ifstream in(index_path, std::ios::binary);
        if (!in) throw Error(ErrorCode::Io, index_str, "cannot read");
        std::stringstream ss;
        ss << in.rdbuf();
        index = parse_json(ss.str(), index_str, "the shard index");
    }
    const auto wm = index.is_object() ? index.find("weight_map") : index.end();
    if (wm == index.end() || !wm->is_object())
        throw Error(ErrorCode::BadJson, index_str, "no \"weight_map\" object");
    std::map<std::string, std::string> weight_map;  // tensor -> shard file
    std::set<std::string> shard_names;
    for (auto it = wm->begin(); it != wm->end(); ++it) {
        if (!it.value().is_string())
            throw Error(ErrorCode::BadJson, index_str,
                        "weight_map entry '" + it.key() + "' is not a file name");
        const std::string shard = it.value().get<std::string>();
        if (shard.empty() || shard == "." || shard == ".." || shard.find('/') != std::string::npos ||
            shard.find('\\') != std::string::npos)
            throw Error(ErrorCode::BadJson, index_str,
                        "weight_map names '" + shard + "', which is not a file in this folder");
        weight_map[it.key()] = shard;
        shard_names.insert(shard);
    }

    TensorMap out;
    std::map<std::string, std::string> source;  // tensor -> shard it came from
    for (const std::string& shard : shard_names) {
        const fs::path shard_fs_path = p / path_from_utf8(shard);
        const std::string shard_path = path_to_utf8(shard_fs_path);
        if (!fs::exists(shard_fs_path, ec))
            throw Error(ErrorCode::FileNotFound, shard_path,
                        "shard named by model.safetensors.index.json is missing");
        auto file = SafetensorsFile::open(shard_path);
        for (const auto& [name, t] : file->tensors()) {
            auto [it, inserted] = source.emplace(name, shard);
            if (!inserted)
                throw Error(ErrorCode::OverlappingTensors, shard_path,
                            "tensor '" + name + "' is also in shard '" + it->second + "'");
            out[name] = t;
        }
    }
    for (const auto& [name, shard] : weight_map) {
        auto it = source.find(name);
        if (it == source.end() || it->second != shard)
            throw Error(
                ErrorCode::MissingTensor, path_to_utf8(p / path_from_utf8(shard)),
                "tensor '" + name + "' is listed in model.safetensors.index.json but absent from this shard");
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Writer

void write_safetensors(const std::string& path, const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        auto& m = header["__metadata__"];
        for (const auto& [k, v] : metadata) m[k] = v;
    }
    // Validate, then lay the data out largest element first so every tensor is aligned to its
    // element size (the data section itself starts 8-byte aligned).
    std::vector<const TensorMap::value_type*> layout;
    for (const auto& item : tensors) {
        const auto& [name, t] = item;
        if (name == "__metadata__")
            throw Error(ErrorCode::InvalidArgument, path, "a tensor cannot be named \"__metadata__\"");
        uint64_t expected = dtype_size(t.dtype);
        bool bad = false;
        for (int64_t d : t.shape) bad |= d < 0 || checked_mul(expected, static_cast<uint64_t>(d), &expected);
        if (bad || expected != t.nbytes || (t.nbytes > 0 && !t.data))
            throw Error(ErrorCode::InvalidArgument, path,
                        "tensor '" + name + "' has " + std::to_string(t.nbytes) + " bytes but shape " +
                            shape_str(t.shape) + " of " + dtype_name(t.dtype) + " needs " +
                            (bad ? std::string("an invalid size") : std::to_string(expected)));
        layout.push_back(&item);
    }
    std::stable_sort(layout.begin(), layout.end(), [](const auto* a, const auto* b) {
        return dtype_size(a->second.dtype) > dtype_size(b->second.dtype);
    });
    std::map<std::string, std::pair<uint64_t, uint64_t>> offsets;
    uint64_t offset = 0;
    for (const auto* item : layout) {
        offsets[item->first] = {offset, offset + item->second.nbytes};
        offset += item->second.nbytes;
    }
    for (const auto& [name, t] : tensors) {
        const auto& [begin, end] = offsets.at(name);
        header[name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {begin, end}}};
    }

    std::string header_str;
    try {
        header_str = header.dump();
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidArgument, path, std::string("cannot encode the header: ") + e.what());
    }
    // Pad with spaces so the data section (and so every F32/I64 tensor in it) starts 8-byte aligned,
    // as the reference implementation does.
    header_str.append((8 - header_str.size() % 8) % 8, ' ');
    uint8_t len_bytes[8];
    for (int i = 0; i < 8; ++i)
        len_bytes[i] = static_cast<uint8_t>(static_cast<uint64_t>(header_str.size()) >> (8 * i));

    const std::string tmp = path + ".tmp";
    try {
        Fd fd{create_file(tmp)};
        if (fd.fd < 0) throw Error(ErrorCode::Io, tmp, std::string("cannot create: ") + std::strerror(errno));
        write_all(fd.fd, len_bytes, sizeof len_bytes, tmp);
        write_all(fd.fd, header_str.data(), header_str.size(), tmp);
        for (const auto* item : layout) write_all(fd.fd, item->second.data, item->second.nbytes, tmp);
        if (!sync_fd(fd.fd))
            throw Error(ErrorCode::Io, tmp, std::string("fsync failed: ") + std::strerror(errno));
        const int fd_num = fd.fd;
        fd.fd = -1;
        if (!close_fd(fd_num))
            throw Error(ErrorCode::Io, tmp, std::string("close failed: ") + std::strerror(errno));
        if (!replace_file(tmp, path))
            throw Error(ErrorCode::Io, path, std::string("cannot rename from .tmp: ") + std::strerror(errno));
    } catch (...) {
        remove_file(tmp);
        throw;
    }
    sync_parent(path);  // the rename survives a crash
}

}  // namespace atelier
