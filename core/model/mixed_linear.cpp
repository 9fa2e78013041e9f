// mixed_linear: a linear layer's product on the engine's kernels where they beat LibTorch (one row
// or a few rows with 16-bit or f32 weights on the CPU), LibTorch's GEMMs elsewhere; and the
// measured, remembered choice between the bf16 GEMV and LibTorch's bf16 GEMM (half_gemv_beats_gemm).
#include "model/llama_module.h"

#include "common/files.h"
#include "common/isa_cap.h"
#include "common/memory.h"
#include "common/process.h"
#include "model/half_gemv.h"
#include "model/torch_util.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <vector>

namespace fs = std::filesystem;

namespace atelier {

namespace {

// This CPU and LibTorch, for remembering a measured kernel choice: the model name on Linux; empty
// (measure every time) where it is not known.
// Names this build's GEMV kernels in the remembered answer: a new kernel is weighed again.
constexpr const char* kDecodeKernels =
    "half_gemv 5 (one row or several per pass as measured; contests on written memory)";

std::string cpu_identity() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("model name", 0) == 0)
            return line + " | torch " + TORCH_VERSION + " | " + kDecodeKernels;
    return {};
}

// The answer remembered for this machine under `name` (one of `answers`, in the cache folder under
// this CPU's name; under ATELIER_MAX_ISA the contestants differ: a separate answer), else measure()'s,
// remembered for next time.
std::string remembered_choice(const std::string& name, std::initializer_list<const char*> answers,
                              const std::function<std::string()>& measure) {
    const std::string id = cpu_identity() + (isa_cap() == IsaCap::Native ? "" : isa_cap_name(isa_cap()));
    const fs::path memo =
        fs::path(default_cache_dir()) / (name + "-" + std::to_string(std::hash<std::string>{}(id)) + ".txt");
    if (!id.empty()) {
        std::ifstream in(memo);
        std::string answer;
        if (in >> answer)
            for (const char* ok : answers)
                if (answer == ok) return answer;
    }
    const std::string answer = measure();
    if (!id.empty()) {
        std::error_code ec;
        fs::create_directories(memo.parent_path(), ec);
        try {
            write_text_file(memo.string(), answer + "\n");
        } catch (const std::exception&) {
            // A read-only cache folder: measured again next time.
        }
    }
    return answer;
}

double timed(const std::function<void()>& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// `bytes` of weights in memory as the model's are (allocate_streamed: huge pages, rows on cache
// lines), written once: untouched pages would all read the kernel's zero page, from the caches.
std::shared_ptr<uint8_t> streamed_weights(size_t bytes) {
    auto arena = allocate_streamed(bytes);
    std::memset(arena.get(), 0x3c, bytes);  // bf16 / f16 values near 0.01 / 1
    return arena;
}

}  // namespace

bool half_gemv_beats_gemm() {
    static const bool faster = [] {
        if (const char* env = std::getenv("ATELIER_HALF_GEMV")) return std::string(env) != "0";
        if (!cpu_has_avx2_fma_f16c()) return false;
        return remembered_choice("decode-kernel", {"half_gemv", "gemm"}, [] {
                   // Decode streams weights from memory, so the contest is run on more than any
                   // cache holds (512 MiB of bf16; on 16 MiB, inside a large L3, the ranking can
                   // flip). ~0.3 s, once.
                   torch::NoGradGuard no_grad;
                   const int64_t N = 16384, K = 16384;
                   const std::shared_ptr<uint8_t> arena = streamed_weights(size_t(N * K) * 2);
                   const torch::Tensor w = torch::from_blob(
                       arena.get(), {N, K}, [arena](void*) {}, torch::kBFloat16);
                   const torch::Tensor x = torch::randn({1, K}).to(torch::kBFloat16);
                   torch::Tensor y = torch::empty({1, N});
                   auto gemv = [&] {
                       bf16_gemv(static_cast<const uint16_t*>(x.data_ptr()), K,
                                 static_cast<const uint16_t*>(w.data_ptr()), N, nullptr, y.data_ptr<float>());
                   };
                   auto gemm = [&] { (void)torch::linear(x, w); };
                   gemv();  // thread pools out of the way
                   gemm();
                   double t_gemv = 1e30, t_gemm = 1e30;
                   for (int rep = 0; rep < 2; ++rep) {
                       t_gemv = std::min(t_gemv, timed(gemv));
                       t_gemm = std::min(t_gemm, timed(gemm));
                   }
                   return std::string(t_gemv < t_gemm ? "half_gemv" : "gemm");
               }) == "half_gemv";
    }();
    return faster;
}

void choose_gemv_passes() {
    static const bool chosen = [] {
        if (const char* env = std::getenv("ATELIER_LONG_ROWS")) return std::string(env) != "0";
        if (!cpu_has_avx2_fma_f16c()) return true;  // the scalar loops have one shape
        return remembered_choice("gemv-passes", {"long", "rows"}, [] {
                   // 512 MiB of bf16 weights in the model's row shape ([N, 2048]: with f32
                   // activations a longer x leaves L1), f32 activations (half_gemv: f16 or bf16
                   // weights, f32 compute); each shape at its best of three, alternating.
                   const int64_t N = 131072, K = 2048;
                   const std::shared_ptr<uint8_t> arena = streamed_weights(size_t(N * K) * 2);
                   const auto* w = reinterpret_cast<const uint16_t*>(arena.get());
                   std::vector<float> x(static_cast<size_t>(K), 0.5f), y(static_cast<size_t>(N));
                   auto run = [&](bool long_pass) {
                       set_long_row_passes(long_pass);
                       return timed([&] { half_gemv(x.data(), 1, K, w, true, N, nullptr, y.data()); });
                   };
                   run(true);  // thread pools out of the way
                   run(false);
                   double t_long = 1e30, t_rows = 1e30;
                   for (int rep = 0; rep < 3; ++rep) {
                       t_long = std::min(t_long, run(true));
                       t_rows = std::min(t_rows, run(false));
                   }
                   // the one-row pass unless the other is clearly faster
                   return std::string(t_rows < 0.97 * t_long ? "rows" : "long");
               }) == "long";
    }();
    static const bool once = (set_long_row_passes(chosen), true);  // not again per token
    (void)once;
}

torch::Tensor mixed_linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
    TORCH_CHECK(x.size(-1) == w.size(1), "linear: input has ", x.size(-1), " features, weight expects ",
                w.size(1));
    const int64_t N = w.size(0), K = w.size(1), M = x.numel() / K;
    const bool needs_grad = torch::GradMode::is_enabled() &&
                            (x.requires_grad() || w.requires_grad() || (b.defined() && b.requires_grad()));
    // Prompts of a few tokens in one pass over the weights (the kernels below) only when inferring:
    // training keeps LibTorch's GEMMs, so a checkpointed segment's recomputation sums as its forward did.
    const bool small_rows = cpu_has_avx512_bf16() && c10::InferenceMode::is_enabled();
    // f32 decode (one row) and prompts of a few tokens (up to kSmallGemmRows on AVX-512): one
    // pass over the weights, where OpenBLAS's sgemm read 5 rows of a 1.1B at ~10 GB/s.
    if (w.scalar_type() == torch::kFloat32 && x.scalar_type() == torch::kFloat32 && x.device().is_cpu() &&
        (M == 1 || (M <= kSmallGemmRows && small_rows)) && w.is_contiguous() && !needs_grad &&
        (!b.defined() || b.scalar_type() == torch::kFloat32)) {
        auto xc = x.contiguous();
        torch::Tensor bias = b.defined() ? b.contiguous() : torch::Tensor();
        const float* bias_data = bias.defined() ? bias.data_ptr<float>() : nullptr;
        auto sizes = x.sizes().vec();
        sizes.back() = N;
        auto y = torch::empty(sizes, x.options());
        if (M == 1)
            gemv_f32(xc.data_ptr<float>(), K, w.data_ptr<float>(), N, bias_data, y.data_ptr<float>());
        else if (!gemm_f32_small(xc.data_ptr<float>(), M, K, w.data_ptr<float>(), N, bias_data,
                                 y.data_ptr<float>()))
            return torch::linear(x, w, b);
        return y;
    }
    const bool half = w.scalar_type() == torch::kBFloat16 || w.scalar_type() == torch::kFloat16;
    // Decode-sized inputs with 16-bit weights: half_gemv widens the weights in registers and sums in
    // f32, bound by reading the weights. With f32 activations always; with 16-bit activations (bf16
    // compute on CPUs with bf16 instructions) where it beats LibTorch's 16-bit GEMM on this CPU —
    // one bf16 row goes to bf16_gemv (vdpbf16ps on AVX512-BF16), up to kBf16GemmSmallRows (a prompt
    // of a few tokens) to bf16_gemm_small and more to the GEMM; a few rows elsewhere to f32 and back.
    // f32 activations: up to kSmallGemmRows rows to half_gemm_small (inferring, AVX512-BF16), else up
    // to 8 to half_gemv.
    const bool bf16_rows = x.scalar_type() == torch::kBFloat16 && w.scalar_type() == torch::kBFloat16;
    const int64_t rows_max = !small_rows                          ? 8
                             : bf16_rows                          ? kBf16GemmSmallRows
                             : x.scalar_type() == torch::kFloat32 ? kSmallGemmRows
                                                                  : 8;
    if (half && x.device().is_cpu() && w.is_contiguous() && M <= rows_max && !needs_grad &&
        (x.scalar_type() == torch::kFloat32 ||
         (x.scalar_type() == w.scalar_type() && half_gemv_beats_gemm()))) {
        torch::Tensor bias = b.defined() ? b.to(torch::kFloat32).contiguous() : torch::Tensor();
        const float* bias_data = bias.defined() ? bias.data_ptr<float>() : nullptr;
        auto sizes = x.sizes().vec();
        sizes.back() = N;
        auto y = torch::empty(sizes, x.options().dtype(torch::kFloat32));
        const auto* wbits = static_cast<const uint16_t*>(w.data_ptr());
        if (bf16_rows) {
            auto xc = x.contiguous();
            const auto* xbits = static_cast<const uint16_t*>(xc.data_ptr());
            if (M == 1) {
                bf16_gemv(xbits, K, wbits, N, bias_data, y.data_ptr<float>());
                return y.to(x.scalar_type());
            }
            if (small_rows && bf16_gemm_small(xbits, M, K, wbits, N, bias_data, y.data_ptr<float>()))
                return y.to(x.scalar_type());
        }
        auto xf = x.to(torch::kFloat32).contiguous();
        const bool wbf16 = w.scalar_type() == torch::kBFloat16;
        if (M == 1 || !small_rows ||
            !half_gemm_small(xf.data_ptr<float>(), M, K, wbits, wbf16, N, bias_data, y.data_ptr<float>()))
            half_gemv(xf.data_ptr<float>(), M, K, wbits, wbf16, N, bias_data, y.data_ptr<float>());
        return y.to(x.scalar_type());
    }
    if (w.scalar_type() == x.scalar_type()) {
        // bf16 prefill and encoders, and adapter training's frozen products, on AMX where it runs
        if (torch::Tensor y = amx_linear(x, w, b); y.defined()) return y;
        return torch::linear(x, w, b);
    }
    if (half && x.scalar_type() == torch::kFloat32 && x.device().is_cpu() && w.is_contiguous() &&
        !needs_grad) {
        // Prefill: widen into a reused per-thread buffer (no page faults per call), then BLAS.
        thread_local torch::Tensor scratch;
        if (!scratch.defined() || scratch.numel() < N * K) scratch = torch::empty({N * K}, torch::kFloat32);
        half_to_float(static_cast<const uint16_t*>(w.data_ptr()), N * K, w.scalar_type() == torch::kBFloat16,
                      scratch.data_ptr<float>());
        return torch::linear(x, scratch.narrow(0, 0, N * K).view({N, K}),
                             b.defined() ? b.to(x.scalar_type()) : b);
    }
    return torch::linear(x, w.to(x.scalar_type()), b.defined() ? b.to(x.scalar_type()) : b);
}

std::vector<torch::Tensor> mixed_linear_set(const torch::Tensor& x, const std::vector<torch::Tensor>& ws,
                                            const std::vector<torch::Tensor>& bs) {
    const int64_t K = x.dim() ? x.size(-1) : 0, M = K ? x.numel() / K : 0;
    // past every decode-sized route of mixed_linear (at most kSmallGemmRows rows), where bf16 goes
    // to the GEMM
    if (M > kSmallGemmRows && M > kBf16GemmSmallRows)
        if (std::vector<torch::Tensor> ys = amx_linear_set(x, ws, bs); !ys.empty()) return ys;
    std::vector<torch::Tensor> ys;
    for (size_t i = 0; i < ws.size(); ++i)
        ys.push_back(mixed_linear(x, ws[i], bs.empty() ? torch::Tensor() : bs[i]));
    return ys;
}

}  // namespace atelier
