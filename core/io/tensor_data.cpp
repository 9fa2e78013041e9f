#include "io/tensor_data.h"

#include <cstring>

namespace atelier {

size_t dtype_size(DType dtype) {
    switch (dtype) {
        case DType::F64:
        case DType::I64: return 8;
        case DType::F32:
        case DType::I32: return 4;
        case DType::F16:
        case DType::BF16:
        case DType::I16: return 2;
        case DType::I8:
        case DType::U8:
        case DType::Bool: return 1;
    }
    return 0;
}

const char* dtype_name(DType dtype) {
    switch (dtype) {
        case DType::F32: return "F32";
        case DType::F16: return "F16";
        case DType::BF16: return "BF16";
        case DType::F64: return "F64";
        case DType::I64: return "I64";
        case DType::I32: return "I32";
        case DType::I16: return "I16";
        case DType::I8: return "I8";
        case DType::U8: return "U8";
        case DType::Bool: return "BOOL";
    }
    return "?";
}

std::optional<DType> dtype_from_name(const std::string& name) {
    static const std::pair<const char*, DType> table[] = {
        {"F32", DType::F32}, {"F16", DType::F16},   {"BF16", DType::BF16}, {"F64", DType::F64},
        {"I64", DType::I64}, {"I32", DType::I32},   {"I16", DType::I16},   {"I8", DType::I8},
        {"U8", DType::U8},   {"BOOL", DType::Bool},
    };
    for (const auto& [n, d] : table)
        if (name == n) return d;
    return std::nullopt;
}

int64_t TensorData::numel() const {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    return n;
}

TensorData make_owned_tensor(DType dtype, std::vector<int64_t> shape, const void* bytes, size_t nbytes) {
    auto buffer = std::shared_ptr<char[]>(new char[nbytes > 0 ? nbytes : 1]);
    if (nbytes > 0) std::memcpy(buffer.get(), bytes, nbytes);
    TensorData t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = buffer.get();
    t.nbytes = nbytes;
    t.owner = std::shared_ptr<const void>(buffer, buffer.get());
    return t;
}

}  // namespace atelier
