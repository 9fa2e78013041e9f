// Dataset files: JSON Lines or a JSON array (the first byte picks), every format detected, rows
// converted with media paths resolved under the dataset folder; bad rows are skipped and reported.
#include "dataset.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string path = fuzz::write_input(data + 1, size - 1, data[0] % 2 ? "data.json" : "data.jsonl");
    try {
        atelier::DatasetOptions o;
        o.skip_bad_rows = data[0] % 4 < 2;
        (void)atelier::Dataset::load(path, o);
    } catch (const atelier::Error&) {
    }
    return 0;
}
