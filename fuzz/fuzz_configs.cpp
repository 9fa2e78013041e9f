// The JSON configs of model folders: the first byte picks config.json (LLM), adapter_config.json,
// a CLIP / Whisper encoder config, a projector config, or Meta's params.json (read with a real
// stories260K consolidated.00.pth beside it, from $ATELIER_FUZZ_META: scripts/fuzz.sh makes it).
#include "adapters/adapter_config.h"
#include "encoders/encoder_config.h"
#include "fuzz_util.h"
#include "model/config.h"
#include "model/importers.h"
#include "projectors/projector_config.h"

#include <filesystem>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 7) {
            case 0: (void)atelier::ModelConfig::from_json(text, "config.json"); break;
            case 1: (void)atelier::AdapterConfig::from_json(text, "adapter_config.json"); break;
            case 2: (void)atelier::config_model_family(text); break;
            case 3: (void)atelier::ClipVisionConfig::from_json(text, "clip/config.json"); break;
            case 4: (void)atelier::WhisperEncoderConfig::from_json(text, "whisper/config.json"); break;
            case 5: (void)atelier::ProjectorConfig::from_json(text, "projector/config.json"); break;
            case 6: {
                static const std::string meta = [] {
                    const char* src = std::getenv("ATELIER_FUZZ_META");
                    const std::string dir = fuzz::scratch_dir() + "/meta";
                    std::filesystem::create_directories(dir);
                    if (src)
                        std::filesystem::copy_file(std::string(src) + "/consolidated.00.pth",
                                                   dir + "/consolidated.00.pth",
                                                   std::filesystem::copy_options::overwrite_existing);
                    return dir;
                }();
                fuzz::write_input(data + 1, size - 1, "meta/params.json");
                (void)atelier::load_checkpoint(meta);
                break;
            }
        }
    } catch (const atelier::Error&) {
    }
    return 0;
}
