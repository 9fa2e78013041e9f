// atelier-cli devices: where the engine can compute (the CPU, CUDA GPUs, Apple's Metal GPU) and which audio
// inputs (microphones) the studio's recorder can use. No device of a kind is a valid answer (exit 0).
//
//   atelier-cli devices [--json]
#include "cli_args.h"

#include "capture/audio_capture.h"
#include "common/isa_cap.h"
#include "model/amx_kernels.h"
#include "model/half_gemv.h"
#include "model/llama.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

using nlohmann::ordered_json;

namespace cli {

int cmd_devices(const Args& a) {
    a.check_known({"json", "help"});
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    const bool bf16 = atelier::cpu_has_fast_bf16();
    const std::string kernels = atelier::bf16_gemv_isa();  // the widest the engine's own kernels use
    const bool amx = atelier::cpu_has_amx_bf16();          // the encoders' fused attention
    const bool amx_gemm = atelier::amx_gemm_enabled();     // bf16 products on AMX tiles
    const atelier::IsaCap cap = atelier::isa_cap();
    const int gpus = atelier::cuda_device_count();
    const bool mps = atelier::mps_available();
    const auto inputs = atelier::list_audio_inputs();
    if (a.has("json")) {
        ordered_json compute = ordered_json::array();
        ordered_json cpu = {{"device", "cpu"},    {"threads", cores},     {"fast_bf16", bf16},
                            {"kernels", kernels}, {"amx_attention", amx}, {"amx_gemm", amx_gemm}};
        if (cap != atelier::IsaCap::Native) cpu["max_isa"] = atelier::isa_cap_name(cap);
        compute.push_back(cpu);
        for (int i = 0; i < gpus; ++i) compute.push_back({{"device", "cuda:" + std::to_string(i)}});
        if (mps) compute.push_back({{"device", "mps"}});
        ordered_json audio = ordered_json::array();
        for (const auto& d : inputs)
            audio.push_back({{"index", d.index},
                             {"name", d.name},
                             {"host_api", d.host_api},
                             {"channels", d.channels},
                             {"default_sample_rate", d.default_sample_rate},
                             {"default", d.is_default}});
        std::cout << ordered_json{{"compute", compute}, {"audio_inputs", audio}}.dump(
                         2, ' ', false, ordered_json::error_handler_t::replace)
                  << "\n";
        return 0;
    }
    std::printf("compute devices:\n");
    std::string cpu = std::to_string(cores) + " threads" + (bf16 ? ", fast bf16 (AVX512-BF16/AMX)" : "") +
                      ", " + kernels + " kernels" + (amx ? ", AMX attention" : "") +
                      (amx_gemm ? ", AMX GEMM" : "");
    if (cap != atelier::IsaCap::Native)
        cpu += std::string(" (held there by ATELIER_MAX_ISA=") + atelier::isa_cap_name(cap) + ")";
    std::printf("  cpu      %s\n", cpu.c_str());
    for (int i = 0; i < gpus; ++i) std::printf("  cuda:%d\n", i);
    if (mps) std::printf("  mps      Apple GPU (Metal)\n");
    if (gpus == 0 && !mps) std::printf("  (no CUDA or Metal GPU)\n");
    std::printf("audio inputs:\n");
    for (const auto& d : inputs)
        std::printf("  %-3d %s [%s] %d ch, %.0f Hz%s\n", d.index, d.name.c_str(), d.host_api.c_str(),
                    d.channels, d.default_sample_rate, d.is_default ? " (default)" : "");
    if (inputs.empty()) std::printf("  none: no microphone found (recording in the studio is off)\n");
    return 0;
}

}  // namespace cli
