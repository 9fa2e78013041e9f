#include "io/pickle.h"

#include "common/error.h"

#include <cstdio>
#include <cstring>
#include <unordered_map>

namespace atelier::pickle {

namespace {

// Opcodes (Lib/pickletools.py). Only these are understood; anything else is refused.
enum Op : uint8_t {
    MARK = '(',
    STOP = '.',
    POP = '0',
    POP_MARK = '1',
    DUP = '2',
    BINFLOAT = 'G',
    BININT = 'J',
    BININT1 = 'K',
    BININT2 = 'M',
    NONE = 'N',
    BINPERSID = 'Q',
    REDUCE = 'R',
    BINSTRING = 'T',
    SHORT_BINSTRING = 'U',
    BINUNICODE = 'X',
    BINBYTES = 'B',
    SHORT_BINBYTES = 'C',
    APPEND = 'a',
    BUILD = 'b',
    GLOBAL = 'c',
    DICT = 'd',
    EMPTY_DICT = '}',
    APPENDS = 'e',
    BINGET = 'h',
    LONG_BINGET = 'j',
    LIST = 'l',
    EMPTY_LIST = ']',
    BINPUT = 'q',
    LONG_BINPUT = 'r',
    SETITEM = 's',
    TUPLE = 't',
    EMPTY_TUPLE = ')',
    SETITEMS = 'u',
    PROTO = 0x80,
    NEWOBJ = 0x81,
    TUPLE1 = 0x85,
    TUPLE2 = 0x86,
    TUPLE3 = 0x87,
    NEWTRUE = 0x88,
    NEWFALSE = 0x89,
    LONG1 = 0x8a,
    LONG4 = 0x8b,
    SHORT_BINUNICODE = 0x8c,
    BINUNICODE8 = 0x8d,
    BINBYTES8 = 0x8e,
    NEWOBJ_EX = 0x92,
    STACK_GLOBAL = 0x93,
    MEMOIZE = 0x94,
    FRAME = 0x95,
};

// The only globals a pickle may name. Everything a plain state_dict needs, nothing that runs code.
bool is_allowed_global(const std::string& qualified) {
    static const char* const allowed[] = {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch.FloatStorage",
        "torch.HalfStorage",
        "torch.BFloat16Storage",
        "torch.DoubleStorage",
        "torch.LongStorage",
        "torch.IntStorage",
        "torch.ShortStorage",
        "torch.CharStorage",
        "torch.ByteStorage",
        "torch.BoolStorage",
    };
    for (const char* a : allowed)
        if (qualified == a) return true;
    return false;
}

}  // namespace

const char* kind_name(Value::Kind kind) {
    switch (kind) {
        case Value::Kind::None: return "None";
        case Value::Kind::Bool: return "bool";
        case Value::Kind::Int: return "int";
        case Value::Kind::Float: return "float";
        case Value::Kind::String: return "str";
        case Value::Kind::Bytes: return "bytes";
        case Value::Kind::Tuple: return "tuple";
        case Value::Kind::List: return "list";
        case Value::Kind::Dict: return "dict";
        case Value::Kind::Global: return "global";
        case Value::Kind::PersistentId: return "persistent id";
        case Value::Kind::Tensor: return "tensor";
    }
    return "?";
}

const Value* Value::get(const std::string& key) const {
    if (kind != Kind::Dict) return nullptr;
    // From the back: a key set twice keeps its last value, as in Python.
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        if (it->first->kind == Kind::String && it->first->text == key) return it->second;
    return nullptr;
}

class Unpickler {
public:
    static constexpr size_t kMaxValues = size_t{1} << 23;

    Unpickler(const uint8_t* data, size_t size, const std::string& where)
        : m_data(data), m_size(size), m_where(where) {}

    Document run() {
        while (m_pos < m_size) {
            m_op_pos = m_pos;
            const uint8_t op = u8();
            if (op == STOP) {
                m_doc.m_root = pop();
                return std::move(m_doc);
            }
            step(op);
        }
        throw Error(ErrorCode::FileTruncated, m_where,
                    "pickle data ends after " + std::to_string(m_size) + " bytes without its STOP opcode");
    }

private:
    // -- errors and raw reads -------------------------------------------------------------
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorCode::UnsupportedFormat, m_where,
                    what + " (pickle byte " + std::to_string(m_op_pos) + ")");
    }

    const uint8_t* take(uint64_t n) {
        if (n > m_size - m_pos)
            throw Error(ErrorCode::FileTruncated, m_where,
                        "pickle opcode at byte " + std::to_string(m_op_pos) + " needs " + std::to_string(n) +
                            " bytes but only " + std::to_string(m_size - m_pos) + " remain");
        const uint8_t* p = m_data + m_pos;
        m_pos += static_cast<size_t>(n);
        return p;
    }
    uint8_t u8() { return *take(1); }
    uint64_t le(int n) {
        const uint8_t* p = take(static_cast<uint64_t>(n));
        uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
        return v;
    }
    std::string line() {  // GLOBAL's text arguments end with '\n'
        const void* nl = std::memchr(m_data + m_pos, '\n', m_size - m_pos);
        if (!nl)
            throw Error(ErrorCode::FileTruncated, m_where,
                        "pickle GLOBAL at byte " + std::to_string(m_op_pos) + " has no end of line");
        const size_t len = static_cast<size_t>(static_cast<const uint8_t*>(nl) - (m_data + m_pos));
        std::string s(reinterpret_cast<const char*>(take(len)), len);
        take(1);
        return s;
    }

    // -- values and the stack -------------------------------------------------------------
    Value* make(Value::Kind kind) {
        // A state_dict needs a few dozen values per tensor; this bounds what a hostile pickle
        // can make us allocate (each opcode makes at most one value) to well under 2 GiB.
        if (m_doc.m_arena.size() >= kMaxValues)
            fail("pickle makes more than " + std::to_string(kMaxValues) + " objects; refusing it");
        m_doc.m_arena.push_back(std::make_unique<Value>());
        Value* v = m_doc.m_arena.back().get();
        v->kind = kind;
        return v;
    }
    Value* make_int(int64_t i) {
        Value* v = make(Value::Kind::Int);
        v->integer = i;
        return v;
    }
    Value* make_text(Value::Kind kind, uint64_t len) {
        const uint8_t* p = take(len);
        Value* v = make(kind);
        v->text.assign(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
        return v;
    }

    // Values above the most recent MARK are the only ones an opcode may pop.
    size_t floor() const { return m_marks.empty() ? 0 : m_marks.back(); }
    void push(Value* v) { m_stack.push_back(v); }
    Value* top() const {
        if (m_stack.size() <= floor()) fail("pickle stack underflow");
        return m_stack.back();
    }
    Value* pop() {
        Value* v = top();
        m_stack.pop_back();
        return v;
    }
    // Pops the items above the last MARK, and the mark itself.
    std::vector<const Value*> pop_mark() {
        if (m_marks.empty()) fail("pickle opcode needs a MARK but none is set");
        const size_t start = m_marks.back();
        m_marks.pop_back();
        std::vector<const Value*> items(m_stack.begin() + static_cast<std::ptrdiff_t>(start), m_stack.end());
        m_stack.resize(start);
        return items;
    }
    Value* expect(Value* v, Value::Kind kind, const char* what) const {
        if (v->kind != kind)
            fail(std::string(what) + " is a " + kind_name(v->kind) + ", expected a " + kind_name(kind));
        return v;
    }

    void memo_put(uint64_t index) { m_memo[index] = top(); }
    void memo_get(uint64_t index) {
        auto it = m_memo.find(index);
        if (it == m_memo.end()) fail("pickle memo key " + std::to_string(index) + " is not set");
        push(it->second);
    }

    Value* global(const std::string& module, const std::string& name) {
        const std::string qualified = module + "." + name;
        if (!is_allowed_global(qualified)) {
            // Keep the detail exact and short: it is what users and tests look for.
            throw Error(ErrorCode::UnsupportedFormat, m_where,
                        "pickle global '" + qualified + "' is not allowed");
        }
        Value* v = make(Value::Kind::Global);
        v->text = qualified;
        return v;
    }

    // -- interpreted calls ----------------------------------------------------------------
    static int64_t as_int(const Value* v, bool* ok) {
        *ok = v->kind == Value::Kind::Int || v->kind == Value::Kind::Bool;
        return v->kind == Value::Kind::Bool ? (v->boolean ? 1 : 0) : v->integer;
    }
    std::vector<int64_t> int_tuple(const Value* v, const char* what) const {
        if (v->kind != Value::Kind::Tuple && v->kind != Value::Kind::List)
            fail(std::string("_rebuild_tensor_v2: ") + what + " is a " + kind_name(v->kind) +
                 ", expected a tuple");
        std::vector<int64_t> out;
        out.reserve(v->items.size());
        for (const Value* item : v->items) {
            bool ok = false;
            const int64_t i = as_int(item, &ok);
            if (!ok || i < 0)
                fail(std::string("_rebuild_tensor_v2: ") + what + " holds a negative or non-integer entry");
            out.push_back(i);
        }
        return out;
    }

    Value* rebuild_tensor(const Value& args) {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (args.items.size() != 6 && args.items.size() != 7)
            fail("_rebuild_tensor_v2 takes 6 or 7 arguments, got " + std::to_string(args.items.size()));
        const Value* storage = args.items[0];
        if (storage->kind != Value::Kind::PersistentId)
            fail(std::string("_rebuild_tensor_v2: storage is a ") + kind_name(storage->kind) +
                 ", expected a persistent id");
        bool ok = false;
        const int64_t offset = as_int(args.items[1], &ok);
        if (!ok || offset < 0) fail("_rebuild_tensor_v2: storage_offset is not a non-negative integer");
        Value* t = make(Value::Kind::Tensor);
        t->storage = storage;
        t->storage_offset = offset;
        t->size = int_tuple(args.items[2], "size");
        t->stride = int_tuple(args.items[3], "stride");
        if (t->size.size() != t->stride.size())
            fail("_rebuild_tensor_v2: size has " + std::to_string(t->size.size()) + " dims but stride has " +
                 std::to_string(t->stride.size()));
        t->requires_grad = as_int(args.items[4], &ok) != 0;
        return t;
    }

    Value* call(const Value& callable, const Value& args) {
        const std::string& q = callable.text;
        if (q == "collections.OrderedDict") {
            Value* d = make(Value::Kind::Dict);
            if (args.items.empty()) return d;
            // OrderedDict([(k, v), ...]): protocol 2 does not emit it, but it is cheap to accept.
            const Value* pairs = args.items[0];
            if (args.items.size() != 1 ||
                (pairs->kind != Value::Kind::List && pairs->kind != Value::Kind::Tuple))
                fail("collections.OrderedDict called with unexpected arguments");
            for (const Value* p : pairs->items) {
                if (p->kind != Value::Kind::Tuple || p->items.size() != 2)
                    fail("collections.OrderedDict item is not a (key, value) pair");
                d->entries.emplace_back(p->items[0], p->items[1]);
            }
            return d;
        }
        if (q == "torch._utils._rebuild_tensor_v2") return rebuild_tensor(args);
        if (q == "torch._utils._rebuild_parameter") {
            // (data, requires_grad, backward_hooks): a Parameter is its data tensor.
            if (args.items.size() != 3 || args.items[0]->kind != Value::Kind::Tensor)
                fail("_rebuild_parameter expects (tensor, requires_grad, backward_hooks)");
            Value* t = make(Value::Kind::Tensor);
            *t = *args.items[0];
            bool ok = false;
            t->requires_grad = as_int(args.items[1], &ok) != 0;
            return t;
        }
        fail("pickle global '" + q + "' cannot be called");
    }

    Value* instantiate(const Value& cls) {  // NEWOBJ / NEWOBJ_EX: cls.__new__(cls, ...)
        if (cls.kind == Value::Kind::Global && cls.text == "collections.OrderedDict")
            return make(Value::Kind::Dict);
        fail(std::string("cannot instantiate pickle ") + kind_name(cls.kind) + " '" + cls.text + "'");
    }

    // -- the interpreter ------------------------------------------------------------------
    void step(uint8_t op) {
        switch (op) {
            case PROTO: {
                const uint8_t version = u8();
                if (version > 5) fail("unsupported pickle protocol " + std::to_string(version));
                break;
            }
            case FRAME: {
                const uint64_t len = le(8);
                if (len > m_size - m_pos)
                    throw Error(ErrorCode::FileTruncated, m_where,
                                "pickle frame of " + std::to_string(len) + " bytes at byte " +
                                    std::to_string(m_op_pos) + " runs past the end of the data");
                break;  // frames only group opcodes; the content follows inline
            }
            case MARK: m_marks.push_back(m_stack.size()); break;
            case POP:
                if (!m_marks.empty() && m_marks.back() == m_stack.size())
                    m_marks.pop_back();  // POP of a mark
                else
                    pop();
                break;
            case POP_MARK: pop_mark(); break;
            case DUP: push(top()); break;

            case NONE: push(make(Value::Kind::None)); break;
            case NEWTRUE:
            case NEWFALSE: {
                Value* v = make(Value::Kind::Bool);
                v->boolean = op == NEWTRUE;
                push(v);
                break;
            }
            case BININT: push(make_int(static_cast<int32_t>(static_cast<uint32_t>(le(4))))); break;
            case BININT1: push(make_int(u8())); break;
            case BININT2: push(make_int(static_cast<int64_t>(le(2)))); break;
            case LONG1:
            case LONG4: {
                const uint64_t n = op == LONG1 ? u8() : le(4);
                if (op == LONG4 && static_cast<int32_t>(n) < 0) fail("LONG4 with a negative length");
                if (n > 8) fail("integer of " + std::to_string(n) + " bytes does not fit in 64 bits");
                const uint64_t raw = le(static_cast<int>(n));
                int64_t v = static_cast<int64_t>(raw);
                if (n > 0 && n < 8 && (raw >> (8 * n - 1)) & 1)
                    v = static_cast<int64_t>(raw | (~uint64_t{0} << (8 * n)));
                push(make_int(v));
                break;
            }
            case BINFLOAT: {
                const uint8_t* p = take(8);
                uint64_t bits = 0;
                for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];  // big-endian
                Value* v = make(Value::Kind::Float);
                std::memcpy(&v->real, &bits, sizeof bits);
                push(v);
                break;
            }

            case SHORT_BINUNICODE: push(make_text(Value::Kind::String, u8())); break;
            case BINUNICODE: push(make_text(Value::Kind::String, le(4))); break;
            case BINUNICODE8: push(make_text(Value::Kind::String, le(8))); break;
            case SHORT_BINSTRING: push(make_text(Value::Kind::String, u8())); break;
            case BINSTRING: {
                const uint64_t n = le(4);
                if (static_cast<int32_t>(n) < 0) fail("BINSTRING with a negative length");
                push(make_text(Value::Kind::String, n));
                break;
            }
            case SHORT_BINBYTES: push(make_text(Value::Kind::Bytes, u8())); break;
            case BINBYTES: push(make_text(Value::Kind::Bytes, le(4))); break;
            case BINBYTES8: push(make_text(Value::Kind::Bytes, le(8))); break;

            case EMPTY_TUPLE: push(make(Value::Kind::Tuple)); break;
            case TUPLE1:
            case TUPLE2:
            case TUPLE3: {
                const size_t n = static_cast<size_t>(op - TUPLE1 + 1);
                Value* t = make(Value::Kind::Tuple);
                t->items.resize(n);
                for (size_t i = n; i-- > 0;) t->items[i] = pop();
                push(t);
                break;
            }
            case TUPLE: {
                Value* t = make(Value::Kind::Tuple);
                t->items = pop_mark();
                push(t);
                break;
            }
            case EMPTY_LIST: push(make(Value::Kind::List)); break;
            case LIST: {
                Value* l = make(Value::Kind::List);
                l->items = pop_mark();
                push(l);
                break;
            }
            case APPEND: {
                Value* v = pop();
                expect(top(), Value::Kind::List, "APPEND target")->items.push_back(v);
                break;
            }
            case APPENDS: {
                std::vector<const Value*> items = pop_mark();
                Value* l = expect(top(), Value::Kind::List, "APPENDS target");
                l->items.insert(l->items.end(), items.begin(), items.end());
                break;
            }
            case EMPTY_DICT: push(make(Value::Kind::Dict)); break;
            case DICT: {
                std::vector<const Value*> items = pop_mark();
                if (items.size() % 2) fail("DICT with an odd number of items");
                Value* d = make(Value::Kind::Dict);
                for (size_t i = 0; i < items.size(); i += 2) d->entries.emplace_back(items[i], items[i + 1]);
                push(d);
                break;
            }
            case SETITEM: {
                Value* v = pop();
                Value* k = pop();
                expect(top(), Value::Kind::Dict, "SETITEM target")->entries.emplace_back(k, v);
                break;
            }
            case SETITEMS: {
                std::vector<const Value*> items = pop_mark();
                if (items.size() % 2) fail("SETITEMS with an odd number of items");
                Value* d = expect(top(), Value::Kind::Dict, "SETITEMS target");
                for (size_t i = 0; i < items.size(); i += 2) d->entries.emplace_back(items[i], items[i + 1]);
                break;
            }

            case BINPUT: memo_put(u8()); break;
            case LONG_BINPUT: memo_put(le(4)); break;
            case MEMOIZE: memo_put(m_memo.size()); break;
            case BINGET: memo_get(u8()); break;
            case LONG_BINGET: memo_get(le(4)); break;

            case GLOBAL: {
                std::string module = line();
                std::string name = line();
                push(global(module, name));
                break;
            }
            case STACK_GLOBAL: {
                Value* name = expect(pop(), Value::Kind::String, "STACK_GLOBAL name");
                Value* module = expect(pop(), Value::Kind::String, "STACK_GLOBAL module");
                push(global(module->text, name->text));
                break;
            }
            case BINPERSID: {
                Value* pid = pop();
                Value* v = make(Value::Kind::PersistentId);
                v->items.push_back(pid);
                push(v);
                break;
            }
            case REDUCE: {
                Value* args = expect(pop(), Value::Kind::Tuple, "REDUCE arguments");
                Value* callable = expect(pop(), Value::Kind::Global, "REDUCE callable");
                push(call(*callable, *args));
                break;
            }
            case NEWOBJ: {
                expect(pop(), Value::Kind::Tuple, "NEWOBJ arguments");
                Value* cls = pop();
                push(instantiate(*cls));
                break;
            }
            case NEWOBJ_EX: {
                expect(pop(), Value::Kind::Dict, "NEWOBJ_EX keyword arguments");
                expect(pop(), Value::Kind::Tuple, "NEWOBJ_EX arguments");
                Value* cls = pop();
                push(instantiate(*cls));
                break;
            }
            case BUILD: {
                // obj.__setstate__(state). A state_dict's OrderedDict carries `_metadata` this way and
                // tensors may carry Python attributes: neither matters to the weights, so drop it.
                pop();
                const Value* target = top();
                if (target->kind != Value::Kind::Dict && target->kind != Value::Kind::Tensor)
                    fail(std::string("BUILD on a ") + kind_name(target->kind) + " is not supported");
                break;
            }
            default: {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02x", op);
                fail(std::string("pickle opcode ") + hex + " is not supported");
            }
        }
    }

    const uint8_t* m_data;
    size_t m_size;
    const std::string& m_where;
    size_t m_pos = 0;
    size_t m_op_pos = 0;
    std::vector<Value*> m_stack;
    std::vector<size_t> m_marks;
    std::unordered_map<uint64_t, Value*> m_memo;
    Document m_doc;
};

Document unpickle(const uint8_t* data, size_t size, const std::string& where) {
    return Unpickler(data, size, where).run();
}

}  // namespace atelier::pickle
