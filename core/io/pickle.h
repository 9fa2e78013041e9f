// A restricted, non-executing unpickler for the pickles inside `torch.save` archives (data.pkl).
//
// Private to core/io (used by pth_reader.cpp). It builds a small value tree instead of calling
// anything: the only globals it accepts are the few a state_dict needs (collections.OrderedDict,
// torch._utils._rebuild_tensor_v2 / _rebuild_parameter, torch.<Type>Storage), and "calling" one of
// them is interpreted, not executed. Any other global (os.system, builtins.eval, ...) raises
// Error(UnsupportedFormat). Opcodes: everything protocol 2 emits for a state_dict, plus the
// protocol 4/5 ones (FRAME, STACK_GLOBAL, MEMOIZE, SHORT_BINUNICODE, BINUNICODE8, ...).
//
//   atelier::pickle::Document doc = atelier::pickle::unpickle(bytes, size, "model.pth");
//   const atelier::pickle::Value& root = doc.root();      // e.g. Kind::Dict of Kind::Tensor
//
// Values live in an arena owned by the Document and refer to each other by pointer, so shared or
// even cyclic references (which a pickle memo can express) cost nothing and free safely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace atelier::pickle {

struct Value {
    enum class Kind {
        None,
        Bool,
        Int,
        Float,
        String,        // text: UTF-8 (BINUNICODE) or latin-1 bytes (BINSTRING)
        Bytes,         // text: raw bytes (BINBYTES)
        Tuple,         // items
        List,          // items
        Dict,          // entries, in insertion order (dict and collections.OrderedDict)
        Global,        // text: "module.name" of an allowed class or function
        PersistentId,  // items[0]: the pid object (torch: ('storage', StorageType, key, location, numel))
        Tensor,        // the result of torch._utils._rebuild_tensor_v2: fields below
    };
    Kind kind = Kind::None;

    bool boolean = false;
    int64_t integer = 0;
    double real = 0.0;
    std::string text;
    std::vector<const Value*> items;
    std::vector<std::pair<const Value*, const Value*>> entries;

    // Tensor: _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])
    const Value* storage = nullptr;  // a PersistentId
    int64_t storage_offset = 0;      // in elements
    std::vector<int64_t> size;
    std::vector<int64_t> stride;  // in elements
    bool requires_grad = false;

    bool is(Kind k) const { return kind == k; }
    // Dict lookup by string key; nullptr when absent or not a dict.
    const Value* get(const std::string& key) const;
};

const char* kind_name(Value::Kind kind);

class Document {
public:
    const Value& root() const { return *m_root; }

private:
    friend class Unpickler;
    std::vector<std::unique_ptr<Value>> m_arena;
    const Value* m_root = nullptr;
};

// Parses `size` bytes of pickle up to its STOP opcode. `where` names the file for errors.
// Throws atelier::Error: UnsupportedFormat for a disallowed global, an unknown opcode or a value
// of the wrong type; FileTruncated when the data ends before STOP.
Document unpickle(const uint8_t* data, size_t size, const std::string& where);

}  // namespace atelier::pickle
