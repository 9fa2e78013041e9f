// Media files through FFmpeg: probing, then decoding as the engine does (an image, 16 kHz mono
// audio, 8 sampled video frames), with the engine's default limits.
#include "fuzz_util.h"
#include "media/media.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::write_input(data, size, "input.media");
    try {
        const atelier::MediaInfo info = atelier::probe_media(path);
        (void)info;
    } catch (const atelier::Error&) {
        return 0;
    }
    try {
        const atelier::Image img = atelier::decode_image(path);
        fuzz::touch(img.rgb.data(), img.rgb.size());
    } catch (const atelier::Error&) {
    }
    try {
        const atelier::Audio a = atelier::decode_audio(path);
        fuzz::touch(a.samples.data(), a.samples.size() * sizeof(float));
    } catch (const atelier::Error&) {
    }
    try {
        (void)atelier::sample_video_frames(path, 8);
    } catch (const atelier::Error&) {
    }
    return 0;
}
