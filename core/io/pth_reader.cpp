#include "io/pth_reader.h"

#include "common/checked_math.h"
#include "common/error.h"
#include "io/pickle.h"
#include "io/zip_reader.h"

#include <cstring>
#include <optional>
#include <vector>

namespace atelier {

namespace {

using pickle::Value;

std::optional<DType> storage_dtype(const std::string& qualified) {
    static const std::pair<const char*, DType> table[] = {
        {"torch.FloatStorage", DType::F32},     {"torch.HalfStorage", DType::F16},
        {"torch.BFloat16Storage", DType::BF16}, {"torch.DoubleStorage", DType::F64},
        {"torch.LongStorage", DType::I64},      {"torch.IntStorage", DType::I32},
        {"torch.ShortStorage", DType::I16},     {"torch.CharStorage", DType::I8},
        {"torch.ByteStorage", DType::U8},       {"torch.BoolStorage", DType::Bool},
    };
    for (const auto& [name, dtype] : table)
        if (qualified == name) return dtype;
    return std::nullopt;
}

// One `data/<key>` record of the archive, typed by the storage class its persistent id names.
struct Storage {
    std::string entry;  // "<prefix>/data/<key>"
    DType dtype = DType::F32;
    const uint8_t* bytes = nullptr;
    int64_t numel = 0;
};

class PthReader {
public:
    explicit PthReader(const std::string& path)
        : m_path(path), m_file(MappedFile::open(path)), m_zip(m_file) {}

    TensorMap read() {
        const ZipReader::Entry& pkl = find_data_pkl();
        m_zip.check_crc(pkl);
        if (const auto* order = m_zip.find(m_prefix + "/byteorder")) {
            const uint8_t* p = m_zip.data(*order);
            if (std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(order->size)) != "little")
                throw Error(ErrorCode::UnsupportedFormat, m_path,
                            "checkpoint was saved on a big-endian machine");
        }
        pickle::Document doc = pickle::unpickle(m_zip.data(pkl), static_cast<size_t>(pkl.size), m_path);

        const Value& root = doc.root();
        if (!root.is(Value::Kind::Dict))
            throw Error(ErrorCode::UnsupportedFormat, m_path,
                        std::string("top-level object is a ") + pickle::kind_name(root.kind) +
                            ", expected a dict of tensors (a state_dict)");
        // Training checkpoints nest the weights one level down: {"model": sd, "optimizer": ...}.
        const Value* sd = &root;
        for (const char* key : {"state_dict", "model"}) {
            const Value* v = root.get(key);
            if (v && v->is(Value::Kind::Dict)) {
                sd = v;
                break;
            }
        }

        TensorMap out;
        for (const auto& [key, value] : sd->entries) {
            if (!value->is(Value::Kind::Tensor)) continue;  // e.g. a stray step counter
            if (!key->is(Value::Kind::String))
                throw Error(ErrorCode::UnsupportedFormat, m_path,
                            std::string("a tensor is stored under a ") + pickle::kind_name(key->kind) +
                                " key, expected a string");
            out[key->text] = tensor(key->text, *value);  // a key set twice keeps its last value
        }
        return out;
    }

private:
    const ZipReader::Entry& find_data_pkl() {
        const ZipReader::Entry* found = nullptr;
        bool torchscript = false;
        for (const auto& e : m_zip.entries()) {
            const size_t slash = e.name.find('/');
            if (slash == std::string::npos || slash == 0) continue;
            const std::string rest = e.name.substr(slash + 1);
            if (rest == "constants.pkl" || rest.rfind("code/", 0) == 0) torchscript = true;
            if (rest != "data.pkl") continue;
            if (found)
                throw Error(ErrorCode::UnsupportedFormat, m_path,
                            "archive holds two pickles, '" + found->name + "' and '" + e.name + "'");
            found = &e;
            m_prefix = e.name.substr(0, slash);
        }
        if (torchscript)
            throw Error(ErrorCode::UnsupportedFormat, m_path,
                        "TorchScript archive (torch.jit.save), not a torch.save checkpoint");
        if (!found)
            throw Error(ErrorCode::UnsupportedFormat, m_path,
                        "zip archive has no <folder>/data.pkl: not a torch.save checkpoint");
        return *found;
    }

    // ('storage', torch.<Type>Storage, key, location, numel) -> the bytes of <prefix>/data/<key>.
    const Storage& storage(const std::string& tensor_name, const Value& persistent_id) {
        const Value* pid = persistent_id.items.empty() ? nullptr : persistent_id.items[0];
        auto bad = [&](const std::string& why) {
            return Error(ErrorCode::UnsupportedFormat, m_path, "tensor '" + tensor_name + "': " + why);
        };
        if (!pid || !pid->is(Value::Kind::Tuple) || pid->items.size() != 5 ||
            !pid->items[0]->is(Value::Kind::String) || pid->items[0]->text != "storage")
            throw bad("persistent id is not ('storage', type, key, location, numel)");
        const Value& type = *pid->items[1];
        const Value& key = *pid->items[2];
        const Value& numel = *pid->items[4];
        if (!type.is(Value::Kind::Global)) throw bad("storage type is not a storage class");
        const std::optional<DType> dtype = storage_dtype(type.text);
        if (!dtype)
            throw Error(
                ErrorCode::UnknownDtype, m_path,
                "tensor '" + tensor_name + "' uses storage type '" + type.text + "', which is not supported");
        if (!key.is(Value::Kind::String)) throw bad("storage key is not a string");
        if (!numel.is(Value::Kind::Int) || numel.integer < 0)
            throw bad("storage size is not a non-negative integer");

        auto it = m_storages.find(key.text);
        if (it != m_storages.end()) {
            if (it->second.dtype != *dtype)
                throw bad("storage '" + key.text + "' is viewed as both " + dtype_name(it->second.dtype) +
                          " and " + dtype_name(*dtype));
            return it->second;
        }
        Storage s;
        s.entry = m_prefix + "/data/" + key.text;
        s.dtype = *dtype;
        s.numel = numel.integer;
        const ZipReader::Entry* e = m_zip.find(s.entry);
        if (!e)
            throw Error(ErrorCode::MissingTensor, m_path,
                        "storage '" + s.entry + "' of tensor '" + tensor_name + "' is not in the archive");
        uint64_t need = 0;
        if (checked_mul(static_cast<uint64_t>(s.numel), static_cast<uint64_t>(dtype_size(s.dtype)), &need) ||
            e->size < need)
            throw Error(ErrorCode::ShapeMismatch, m_path,
                        "storage '" + s.entry + "' holds " + std::to_string(e->size) +
                            " bytes, less than its " + std::to_string(s.numel) + " " + type.text +
                            " elements");
        s.bytes = m_zip.data(*e);
        return m_storages.emplace(key.text, std::move(s)).first->second;
    }

    // _rebuild_tensor_v2(storage, offset, size, stride, ...) as bytes: a view when contiguous,
    // a contiguous copy when strided.
    TensorData tensor(const std::string& name, const Value& t) {
        const Storage& s = storage(name, *t.storage);
        const size_t elt = dtype_size(s.dtype);
        const size_t ndim = t.size.size();

        // Elements the view touches: [offset, offset + sum((size_i - 1) * stride_i) + 1).
        int64_t numel = 1;
        int64_t last = t.storage_offset;
        bool overflow = false;
        for (size_t i = 0; i < ndim; ++i) {
            overflow |= checked_mul(numel, t.size[i], &numel);
            if (t.size[i] > 0) {
                int64_t reach = 0;
                overflow |= checked_mul(t.size[i] - 1, t.stride[i], &reach);
                overflow |= checked_add(last, reach, &last);
            }
        }
        uint64_t nbytes = 0;
        overflow |= checked_mul(static_cast<uint64_t>(numel), static_cast<uint64_t>(elt), &nbytes);
        if (overflow)
            throw Error(ErrorCode::ShapeMismatch, m_path,
                        "tensor '" + name + "' has a size that overflows 64 bits");
        if (numel == 0) return make_owned_tensor(s.dtype, t.size, nullptr, 0);
        if (last >= s.numel)
            throw Error(ErrorCode::OffsetOutOfRange, m_path,
                        "tensor '" + name + "' reads element " + std::to_string(last) + " of storage '" +
                            s.entry + "', which has " + std::to_string(s.numel) + " elements");

        const uint8_t* base = s.bytes + static_cast<size_t>(t.storage_offset) * elt;
        if (is_contiguous(t.size, t.stride)) {
            TensorData out;
            out.dtype = s.dtype;
            out.shape = t.size;
            out.data = base;
            out.nbytes = static_cast<size_t>(nbytes);
            out.owner = std::shared_ptr<const void>(m_file, base);  // keeps the mapping alive
            out.file = m_file.get();
            out.file_offset = static_cast<size_t>(base - m_file->data());
            return out;
        }
        // A stride-0 (expanded) view copies to more bytes than it stores, and one view may sit
        // under any number of keys: a 2 KB file could ask for terabytes. The copies of the whole
        // file together may outgrow the file only by kMaxPthExpansionBytes.
        const uint64_t budget = static_cast<uint64_t>(m_file->size()) + kMaxPthExpansionBytes;
        if (nbytes > budget - m_copied)
            throw Error(ErrorCode::ShapeMismatch, m_path,
                        "strided tensor '" + name + "' would bring the copies of this file's views to " +
                            std::to_string(m_copied + nbytes) + " bytes, more than the file's " +
                            std::to_string(m_file->size()) + " bytes + 1 GiB");
        m_copied += nbytes;
        return gather(s.dtype, t.size, t.stride, base, static_cast<size_t>(nbytes));
    }

    static bool is_contiguous(const std::vector<int64_t>& size, const std::vector<int64_t>& stride) {
        int64_t expected = 1;
        for (size_t i = size.size(); i-- > 0;) {
            if (size[i] != 1 && stride[i] != expected) return false;
            expected *= size[i];
        }
        return true;
    }

    // Copies a strided view into a fresh row-major buffer (bounds were checked by the caller).
    static TensorData gather(DType dtype, const std::vector<int64_t>& size,
                             const std::vector<int64_t>& stride, const uint8_t* base, size_t nbytes) {
        const size_t elt = dtype_size(dtype);
        const size_t ndim = size.size();  // >= 1: a 0-dim tensor is always contiguous
        // Straight into the buffer the TensorData will own (a checkpoint's tensors can be large).
        std::shared_ptr<uint8_t[]> buffer(new uint8_t[nbytes]);
        uint8_t* dst = buffer.get();
        const int64_t inner = size[ndim - 1], inner_stride = stride[ndim - 1];
        std::vector<int64_t> index(ndim, 0);  // the outer dims' odometer; index[ndim - 1] unused
        for (bool done = false; !done;) {
            int64_t offset = 0;
            for (size_t i = 0; i + 1 < ndim; ++i) offset += index[i] * stride[i];
            const uint8_t* src = base + static_cast<size_t>(offset) * elt;
            if (inner_stride == 1) {
                std::memcpy(dst, src, static_cast<size_t>(inner) * elt);
                dst += static_cast<size_t>(inner) * elt;
            } else {
                for (int64_t j = 0; j < inner; ++j, dst += elt)
                    std::memcpy(dst, src + static_cast<size_t>(j * inner_stride) * elt, elt);
            }
            for (size_t d = ndim - 1;;) {
                if (d == 0) {
                    done = true;
                    break;
                }
                --d;
                if (++index[d] < size[d]) break;
                index[d] = 0;
            }
        }
        TensorData out;
        out.dtype = dtype;
        out.shape = size;
        out.data = buffer.get();
        out.nbytes = nbytes;
        out.owner = std::shared_ptr<const void>(buffer, buffer.get());
        return out;
    }

    std::string m_path;
    std::shared_ptr<MappedFile> m_file;
    ZipReader m_zip;
    std::string m_prefix;
    std::map<std::string, Storage> m_storages;
    uint64_t m_copied = 0;  // bytes of strided views copied so far (always <= budget)
};

}  // namespace

TensorMap read_pth(const std::string& path) {
    return PthReader(path).read();
}

}  // namespace atelier
