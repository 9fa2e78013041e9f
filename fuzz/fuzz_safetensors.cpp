// safetensors headers and data sections: the mmap reader must refuse or hand out in-bounds views.
#include "fuzz_util.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::write_input(data, size, "model.safetensors");
    try {
        auto file = atelier::SafetensorsFile::open(path);
        for (const auto& [name, t] : file->tensors()) fuzz::touch(t.data, t.nbytes);
    } catch (const atelier::Error&) {
    }
    return 0;
}
