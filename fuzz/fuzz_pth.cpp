// torch.save zips: zip directory and local headers, the restricted unpickler, storages and strides.
#include "fuzz_util.h"
#include "io/pth_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::write_input(data, size, "consolidated.00.pth");
    try {
        for (const auto& [name, t] : atelier::read_pth(path)) fuzz::touch(t.data, t.nbytes);
    } catch (const atelier::Error&) {
    }
    return 0;
}
