// The restricted unpickler alone, on raw pickle bytes (the pth target reaches it through a zip).
#include "fuzz_util.h"
#include "io/pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        atelier::pickle::Document doc = atelier::pickle::unpickle(data, size, "data.pkl");
        (void)doc.root();
    } catch (const atelier::Error&) {
    }
    return 0;
}
