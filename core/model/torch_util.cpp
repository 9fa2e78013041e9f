#include "model/torch_util.h"

#include "common/error.h"
#include "common/mix64.h"
#include "io/zip_reader.h"
#include "model/amx_kernels.h"
#include "model/half_gemv.h"
#include "model/row_kernels.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>

// at::parallel_for below (and in direct_decode.cpp) splits its loop only where this file is compiled
// with OpenMP (core/CMakeLists.txt); without it every call would quietly run on one thread.
#if defined(__GNUC__) && !defined(__APPLE__) && !defined(_OPENMP)
#error "core's LibTorch sources must be compiled with OpenMP (at::parallel_for runs serially without it)"
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace atelier {

torch::Dtype torch_dtype_of(DType d) {
    switch (d) {
        case DType::F32: return torch::kFloat32;
        case DType::F16: return torch::kFloat16;
        case DType::BF16: return torch::kBFloat16;
        case DType::F64: return torch::kFloat64;
        case DType::I64: return torch::kInt64;
        case DType::I32: return torch::kInt32;
        case DType::I16: return torch::kInt16;
        case DType::I8: return torch::kInt8;
        case DType::U8: return torch::kUInt8;
        case DType::Bool: return torch::kBool;
    }
    return torch::kFloat32;
}

namespace {

// `t`'s bytes as a CPU tensor of its own dtype, keeping its owner alive; no copy.
torch::Tensor view_of(const TensorData& t) {
    auto owner = t.owner;
    return torch::from_blob(
        const_cast<void*>(t.data), t.shape, [owner](void*) {},
        torch::TensorOptions().dtype(torch_dtype_of(t.dtype)));
}

}  // namespace

torch::Tensor tensor_from_data(const TensorData& t, torch::Dtype dtype, torch::Device device) {
    auto view = view_of(t);
    if (view.scalar_type() == dtype && device.is_cpu()) return view;
    return view.to(device, dtype);
}

size_t arena_bytes(int64_t numel, torch::Dtype dtype) {
    const size_t bytes = static_cast<size_t>(numel) * c10::elementSize(dtype);
    return (bytes + 63) / 64 * 64;
}

torch::Tensor tensor_into_arena(const TensorData& t, torch::Dtype dtype,
                                const std::shared_ptr<uint8_t>& arena, size_t& offset) {
    const auto source = view_of(t);
    auto keep = arena;
    auto dest = torch::from_blob(
        arena.get() + offset, t.shape, [keep](void*) {}, torch::TensorOptions().dtype(dtype));
    offset += arena_bytes(dest.numel(), dtype);
    // The same dtype from a mapped file: read from the file in 4 MiB pieces on the engine's threads.
    if (t.file && source.scalar_type() == dtype && t.nbytes == dest.nbytes()) {
        constexpr int64_t piece = int64_t(4) << 20;
        const int64_t pieces = (static_cast<int64_t>(t.nbytes) + piece - 1) / piece;
        std::atomic<bool> ok{true};
        at::parallel_for(0, pieces, 1, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e && ok; ++i) {
                const size_t from = static_cast<size_t>(i * piece);
                const size_t n = std::min(static_cast<size_t>(piece), t.nbytes - from);
                if (!t.file->read_at(t.file_offset + from, static_cast<uint8_t*>(dest.data_ptr()) + from, n))
                    ok = false;
            }
        });
        if (ok) return dest;
    }
    dest.copy_(source);
    return dest;
}

void load_weights(torch::nn::Module& module, const TensorMap& tensors, const std::string& prefix,
                  torch::Dtype dtype, torch::Device device, const std::string& where) {
    torch::NoGradGuard no_grad;
    for (auto& p : module.named_parameters(/*recurse=*/true)) {
        const std::string key = prefix + p.key();
        auto it = tensors.find(key);
        if (it == tensors.end())
            throw Error(ErrorCode::MissingTensor, where,
                        "tensor '" + key + "' is missing from the checkpoint");
        if (std::vector<int64_t>(p.value().sizes().begin(), p.value().sizes().end()) != it->second.shape)
            throw Error(ErrorCode::ShapeMismatch, where, "tensor '" + key + "' has an unexpected shape");
        const DType d = it->second.dtype;
        if (d != DType::F32 && d != DType::F16 && d != DType::BF16)
            throw Error(ErrorCode::UnknownDtype, where, "tensor '" + key + "' is not F32, F16 or BF16");
        p.value().set_data(tensor_from_data(it->second, dtype, device));
        p.value().set_requires_grad(false);
    }
}

torch::Tensor attention_softmax(const torch::Tensor& scores, torch::Dtype dtype) {
    const auto in = scores.scalar_type();
    // Inference only: training (and gradient checkpointing's no-grad first pass, which must match its
    // recomputation bit for bit) keeps LibTorch's softmax and its autograd.
    if (!c10::InferenceMode::is_enabled() || !scores.device().is_cpu() ||
        (in != torch::kFloat32 && in != torch::kBFloat16) ||
        (dtype != torch::kFloat32 && dtype != torch::kBFloat16) || scores.dim() == 0)
        return torch::softmax(scores.to(torch::kFloat32), -1).to(dtype);
    const auto x = scores.contiguous();
    auto out = torch::empty(x.sizes(), x.options().dtype(dtype));
    const int64_t cols = x.size(-1), rows = cols > 0 ? x.numel() / cols : 0;
    softmax_rows(x.data_ptr(), in == torch::kBFloat16, rows, cols, out.data_ptr(), dtype == torch::kBFloat16);
    return out;
}

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// ATELIER_FUSED_LAYERS=0: LibTorch's ops instead (an A/B switch for benchmarks).
bool fusable_dtype(const torch::Tensor& t) {
    static const bool enabled = [] {
        const char* env = std::getenv("ATELIER_FUSED_LAYERS");
        return !env || std::string(env) != "0";
    }();
    return enabled && (t.scalar_type() == torch::kFloat32 || t.scalar_type() == torch::kBFloat16);
}

// softmax(scores / divisor + causal mask) of contiguous f32 or bf16 scores in one pass, as `dtype`.
torch::Tensor causal_softmax_pass(const torch::Tensor& scores, torch::Dtype dtype, int64_t T,
                                  double divisor) {
    const int64_t S = scores.size(-1);
    auto out = torch::empty(scores.sizes(), scores.options().dtype(dtype));
    softmax_rows_causal(scores.data_ptr(), scores.scalar_type() == torch::kBFloat16, scores.numel() / S, S,
                        out.data_ptr(), dtype == torch::kBFloat16, T, S - T,
                        static_cast<float>(1.0 / divisor));
    return out;
}

// softmax(scores / divisor + causal mask) with its own backward pass: training's attention, where
// LibTorch's autograd ran the division, the f32 cast, the mask, the softmax and the cast back as
// five nodes over every head's scores, forward and backward (and kept the f32 probabilities).
struct CausalSoftmaxFunction : torch::autograd::Function<CausalSoftmaxFunction> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& scores, int64_t T,
                                 double divisor) {
        auto p = causal_softmax_pass(scores, scores.scalar_type(), T, divisor);
        ctx->save_for_backward({p});
        ctx->saved_data["divisor"] = divisor;
        return p;
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const torch::Tensor p = ctx->get_saved_variables()[0];
        const auto dp = grads[0].to(p.scalar_type()).contiguous();
        auto ds = torch::empty_like(p);
        const int64_t S = p.size(-1);
        softmax_backward_rows(p.data_ptr(), dp.data_ptr(), p.scalar_type() == torch::kBFloat16, p.numel() / S,
                              S, static_cast<float>(1.0 / ctx->saved_data["divisor"].toDouble()),
                              ds.data_ptr());
        return {ds, torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

torch::Tensor causal_attention_softmax(const torch::Tensor& scores, torch::Dtype dtype,
                                       const torch::Tensor& mask, double divisor) {
    const auto in = scores.scalar_type();
    const int64_t T = mask.size(0), S = scores.size(-1);
    // Training (and checkpointing's no-grad first pass, which must equal its recomputation): the
    // fused pass with its own backward, where the scores and the result share a dtype.
    if (!c10::InferenceMode::is_enabled() && scores.device().is_cpu() && fusable_dtype(scores) &&
        in == dtype && S >= T && T > 0) {
        const auto x = scores.contiguous();
        if (torch::GradMode::is_enabled() && x.requires_grad())
            return CausalSoftmaxFunction::apply(x, T, divisor);
        return causal_softmax_pass(x, dtype, T, divisor);
    }
    if (!c10::InferenceMode::is_enabled() || !scores.device().is_cpu() ||
        (in != torch::kFloat32 && in != torch::kBFloat16) ||
        (dtype != torch::kFloat32 && dtype != torch::kBFloat16)) {
        const auto shape = scores.sizes().vec();
        return attention_softmax(((scores / divisor).to(torch::kFloat32).view({-1, T, S}) + mask).view(shape),
                                 dtype);
    }
    return causal_softmax_pass(scores.contiguous(), dtype, T, divisor);
}

namespace {

torch::Tensor rms_norm_forward(const torch::Tensor& x, const torch::Tensor& w, double eps,
                               torch::Tensor* rstd) {
    const int64_t cols = x.size(-1), rows = x.numel() / cols;
    auto y = torch::empty_like(x);
    auto r = torch::empty({rows}, x.options().dtype(torch::kFloat32));
    rms_norm_rows(x.data_ptr(), w.data_ptr(), x.scalar_type() == torch::kBFloat16,
                  w.scalar_type() == torch::kBFloat16, rows, cols, static_cast<float>(eps), y.data_ptr(),
                  r.data_ptr<float>());
    if (rstd) *rstd = r;
    return y;
}

struct RmsNormFunction : torch::autograd::Function<RmsNormFunction> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& w,
                                 double eps) {
        torch::Tensor rstd;
        auto y = rms_norm_forward(x, w, eps, &rstd);
        ctx->save_for_backward({x, w, rstd});
        return y;
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor &x = saved[0], &w = saved[1], &rstd = saved[2];
        const auto dy = grads[0].to(x.scalar_type()).contiguous();
        const int64_t cols = x.size(-1), rows = x.numel() / cols;
        torch::Tensor dx, dw;
        if (ctx->needs_input_grad(0)) {
            dx = torch::empty_like(x);
            rms_norm_backward_rows(x.data_ptr(), w.data_ptr(), dy.data_ptr(), rstd.data_ptr<float>(),
                                   x.scalar_type() == torch::kBFloat16, w.scalar_type() == torch::kBFloat16,
                                   rows, cols, dx.data_ptr());
        }
        if (ctx->needs_input_grad(1)) {  // a trained norm (LLaMA-Adapter V2's scales): Σ_rows dy · cast(x̂)
            const auto n = (x.reshape({rows, cols}).to(torch::kFloat32) * rstd.view({rows, 1}))
                               .to(x.scalar_type())
                               .to(torch::kFloat32);
            dw = (dy.reshape({rows, cols}).to(torch::kFloat32) * n).sum(0).to(w.scalar_type());
        }
        return {dx, dw, torch::Tensor()};
    }
};

// silu(g) · u of contiguous f32 or bf16 tensors of one dtype and shape, in one pass.
torch::Tensor swiglu_pass(const torch::Tensor& g, const torch::Tensor& u) {
    auto y = torch::empty_like(g);
    swiglu(g.data_ptr(), u.data_ptr(), g.scalar_type() == torch::kBFloat16, g.numel(), y.data_ptr());
    return y;
}

struct SwigluFunction : torch::autograd::Function<SwigluFunction> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& g, const torch::Tensor& u) {
        ctx->save_for_backward({g, u});
        return swiglu_pass(g, u);
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor &g = saved[0], &u = saved[1];
        const auto dy = grads[0].to(g.scalar_type()).contiguous();
        auto dg = torch::empty_like(g), du = torch::empty_like(u);
        swiglu_backward(g.data_ptr(), u.data_ptr(), dy.data_ptr(), g.scalar_type() == torch::kBFloat16,
                        g.numel(), dg.data_ptr(), du.data_ptr());
        return {dg, du};
    }
};

}  // namespace

torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& w, double eps) {
    const bool fused = x.device().is_cpu() && w.device().is_cpu() && fusable_dtype(x) && x.dim() > 0 &&
                       x.numel() > 0 && w.dim() == 1 && w.size(0) == x.size(-1) &&
                       (w.scalar_type() == x.scalar_type() ||
                        (x.scalar_type() == torch::kFloat32 && w.scalar_type() == torch::kBFloat16));
    if (!fused) {
        torch::Tensor xf = x.to(torch::kFloat32);
        xf = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
        return w * xf.to(x.scalar_type());
    }
    const auto xc = x.contiguous(), wc = w.contiguous();
    if (torch::GradMode::is_enabled() && (x.requires_grad() || w.requires_grad()))
        return RmsNormFunction::apply(xc, wc, eps);
    return rms_norm_forward(xc, wc, eps, nullptr);
}

namespace {

// rope_rows (or its backward) over contiguous x [B, T, H·hd] into [B, H, T, hd] (or back).
torch::Tensor rope_pass(const torch::Tensor& in, const torch::Tensor& cos, const torch::Tensor& sin,
                        int64_t H, bool backward) {
    const bool bf16 = in.scalar_type() == torch::kBFloat16;
    const int64_t B = in.size(0), hd = cos.size(1);
    const int64_t T = backward ? in.size(2) : in.size(1);
    auto out =
        backward ? torch::empty({B, T, H * hd}, in.options()) : torch::empty({B, H, T, hd}, in.options());
    (backward ? rope_rows_backward : rope_rows)(in.data_ptr(), bf16, B, T, H, hd, cos.data_ptr(),
                                                sin.data_ptr(), out.data_ptr(), SoftmaxIsa::Best);
    return out;
}

struct RopeFunction : torch::autograd::Function<RopeFunction> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& cos,
                                 const torch::Tensor& sin, int64_t H) {
        ctx->save_for_backward({cos, sin});
        ctx->saved_data["H"] = H;
        return rope_pass(x, cos, sin, H, false);
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto g = grads[0].to(saved[0].scalar_type()).contiguous();
        return {rope_pass(g, saved[0], saved[1], ctx->saved_data["H"].toInt(), true), torch::Tensor(),
                torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

torch::Tensor rope_heads(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                         int64_t H) {
    const int64_t hd = cos.dim() == 2 ? cos.size(1) : 0;
    auto with_ops = [&] {
        const auto q = x.view({x.size(0), x.size(1), H, hd}).transpose(1, 2);
        const int64_t half = hd / 2;
        return q * cos + torch::cat({-q.narrow(-1, half, half), q.narrow(-1, 0, half)}, -1) * sin;
    };
    if (!x.device().is_cpu() || !fusable_dtype(x) || !cpu_has_avx512_bf16() || x.dim() != 3 || hd == 0 ||
        hd % 2 || x.size(2) != H * hd || cos.sizes() != sin.sizes() || cos.size(0) != x.size(1) ||
        cos.scalar_type() != x.scalar_type() || sin.scalar_type() != x.scalar_type() ||
        !cos.is_contiguous() || !sin.is_contiguous() || !cos.device().is_cpu() || !sin.device().is_cpu() ||
        cos.requires_grad() || sin.requires_grad())
        return with_ops();
    const auto xc = x.contiguous();
    if (torch::GradMode::is_enabled() && xc.requires_grad()) return RopeFunction::apply(xc, cos, sin, H);
    return rope_pass(xc, cos, sin, H, false);
}

torch::Tensor swiglu(const torch::Tensor& gate, const torch::Tensor& up) {
    if (!gate.device().is_cpu() || !fusable_dtype(gate) || up.scalar_type() != gate.scalar_type() ||
        !up.device().is_cpu() || gate.sizes() != up.sizes())
        return torch::silu(gate) * up;
    const auto g = gate.contiguous(), u = up.contiguous();
    if (torch::GradMode::is_enabled() && (g.requires_grad() || u.requires_grad()))
        return SwigluFunction::apply(g, u);
    return swiglu_pass(g, u);
}

namespace {

// Σ_rows cross-entropy of contiguous f32 or bf16 logits x [N, V] against target (labels with ignored
// rows as -1), in one pass; each row's log-sum-exp into *lse for the backward pass.
torch::Tensor cross_entropy_pass(const torch::Tensor& x, const torch::Tensor& target, torch::Tensor* lse) {
    const int64_t N = x.size(0);
    auto loss = torch::empty({N}, x.options().dtype(torch::kFloat32));
    *lse = torch::empty({N}, x.options().dtype(torch::kFloat32));
    cross_entropy_rows(x.data_ptr(), x.scalar_type() == torch::kBFloat16, N, x.size(1),
                       target.data_ptr<int64_t>(), loss.data_ptr<float>(), lse->data_ptr<float>());
    return loss.sum();
}

struct CrossEntropyFunction : torch::autograd::Function<CrossEntropyFunction> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& target) {
        torch::Tensor lse;
        auto sum = cross_entropy_pass(x, target, &lse);
        ctx->save_for_backward({x, target, lse});
        return sum;
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor &x = saved[0], &target = saved[1], &lse = saved[2];
        auto dx = torch::empty_like(x);
        cross_entropy_backward_rows(x.data_ptr(), x.scalar_type() == torch::kBFloat16, x.size(0), x.size(1),
                                    target.data_ptr<int64_t>(), lse.data_ptr<float>(), grads[0].item<float>(),
                                    dx.data_ptr());
        return {dx, torch::Tensor()};
    }
};

}  // namespace

torch::Tensor token_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                  int64_t ignore_index) {
    if (!logits.device().is_cpu() || !fusable_dtype(logits) || logits.dim() != 2 || labels.dim() != 1 ||
        labels.size(0) != logits.size(0) || labels.scalar_type() != torch::kInt64)
        return torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), labels,
                                                    torch::nn::functional::CrossEntropyFuncOptions()
                                                        .ignore_index(ignore_index)
                                                        .reduction(torch::kSum));
    const int64_t V = logits.size(1);
    auto target = labels.to(torch::kCPU).contiguous().clone();
    int64_t* t = target.data_ptr<int64_t>();
    for (int64_t i = 0; i < target.numel(); ++i) {
        if (t[i] == ignore_index)
            t[i] = -1;
        else if (t[i] < 0 || t[i] >= V)
            throw Error(
                ErrorCode::InvalidArgument, "cross-entropy",
                "label " + std::to_string(t[i]) + " is outside the vocabulary of " + std::to_string(V));
    }
    const auto x = logits.contiguous();
    if (torch::GradMode::is_enabled() && x.requires_grad()) return CrossEntropyFunction::apply(x, target);
    torch::Tensor lse;
    return cross_entropy_pass(x, target, &lse);
}

torch::Tensor apply_layer_norm(torch::nn::LayerNorm& ln, const torch::Tensor& x) {
    const auto dtype = x.scalar_type();
    if (!x.device().is_cpu() || (dtype != torch::kBFloat16 && dtype != torch::kHalf)) return ln(x);
    const auto& w = ln->weight;
    const auto& b = ln->bias;
    const auto wdt = w.defined() ? w.scalar_type() : torch::kBFloat16;
    if (dtype == torch::kBFloat16 && c10::InferenceMode::is_enabled() &&
        ln->options.normalized_shape().size() == 1 && x.dim() > 0 &&
        x.size(-1) == ln->options.normalized_shape()[0] &&
        (wdt == torch::kBFloat16 || wdt == torch::kFloat32) && (!b.defined() || b.scalar_type() == wdt)) {
        // one pass in f32 arithmetic (model/row_kernels.h), no f32 copy of x and back
        const auto xc = x.contiguous();
        const int64_t cols = xc.size(-1);
        auto y = torch::empty_like(xc);
        const auto wc = w.defined() ? w.contiguous() : w, bc = b.defined() ? b.contiguous() : b;
        layer_norm_rows(xc.data_ptr(), wc.defined() ? wc.data_ptr() : nullptr,
                        bc.defined() ? bc.data_ptr() : nullptr, true, wdt == torch::kBFloat16,
                        xc.numel() / cols, cols, static_cast<float>(ln->options.eps()), y.data_ptr());
        return y;
    }
    auto widen = [](const torch::Tensor& t) { return t.defined() ? t.to(torch::kFloat32) : t; };
    const auto& o = ln->options;
    return torch::layer_norm(x.to(torch::kFloat32), o.normalized_shape(), widen(ln->weight), widen(ln->bias),
                             o.eps())
        .to(dtype);
}

namespace {

std::atomic<int64_t> g_dropout_first_row{0};

// x · (keep ? scale : 0) of a contiguous f32 or bf16 x in one pass: dropout, and its backward.
torch::Tensor masked_scale_pass(const torch::Tensor& x, const torch::Tensor& keep, double scale) {
    auto y = torch::empty_like(x);
    masked_scale(x.data_ptr(), x.scalar_type() == torch::kBFloat16, keep.data_ptr<uint8_t>(),
                 static_cast<float>(scale), x.numel(), y.data_ptr());
    return y;
}

struct DropoutFunction : torch::autograd::Function<DropoutFunction> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& keep,
                                 double scale) {
        ctx->save_for_backward({keep});
        ctx->saved_data["scale"] = scale;
        return masked_scale_pass(x, keep, scale);
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        return {masked_scale_pass(grads[0].contiguous(), ctx->get_saved_variables()[0],
                                  ctx->saved_data["scale"].toDouble()),
                torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

void set_dropout_first_row(int64_t row) {
    g_dropout_first_row.store(row);
}

DropoutKeep dropout_keep(const torch::Tensor& x, double p) {
    uint64_t seed = 0;
    {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        seed = gen.get<at::CPUGeneratorImpl>()->random64();
    }
    const int64_t n = x.numel();
    // drop when the low 32 bits < p·2^32
    const auto threshold = static_cast<uint32_t>(std::min(p * 4294967296.0, 4294967295.0));
    DropoutKeep d;
    d.keep = torch::empty({n}, torch::kUInt8);
    // Element (row b, offset j within the row) counts as row first_row + b: a row's mask does not
    // depend on which other rows share its batch, nor on how far the batch is padded.
    const int64_t per_row = x.dim() > 0 && x.size(0) > 0 ? n / x.size(0) : n;
    dropout_keep_mask(mix64(seed), static_cast<uint64_t>(g_dropout_first_row.load()), per_row, threshold, n,
                      d.keep.data_ptr<uint8_t>());
    // 1 / (1 - p) as LibTorch rounds it into x's dtype
    d.scale = torch::ones({1}, x.options().dtype(fusable_dtype(x) ? x.scalar_type() : torch::kFloat32))
                  .div_(1 - p)
                  .item<float>();
    return d;
}

torch::Tensor fast_dropout(const torch::Tensor& x, double p) {
    if (p <= 0 || p >= 1 || !x.device().is_cpu() || x.numel() == 0)
        return torch::dropout(x, p, /*train=*/true);
    const DropoutKeep d = dropout_keep(x, p);
    // As torch::dropout: the mask in x's dtype, divided by 1 - p in that dtype.
    if (!fusable_dtype(x)) return x * d.keep.view(x.sizes()).to(x.scalar_type()).div_(1 - p);
    // f32 and bf16: the same values in one pass each way (the keep bytes saved, not a mask in x's
    // dtype).
    const auto xc = x.contiguous();
    if (torch::GradMode::is_enabled() && xc.requires_grad())
        return DropoutFunction::apply(xc, d.keep, d.scale);
    return masked_scale_pass(xc, d.keep, d.scale);
}

namespace {

// The row count oneDNN's bf16 GEMM runs [M, K] x [K, N] fastest at, among M and M rounded up to a
// multiple of 8, 16 and 32, the padding's own copy included: each timed twice (after a warm-up) on
// zero rows the first time the shape is seen, then remembered for the process. Padding must win by
// 10%: it is there for the row counts this GEMM handles several times slower, not for noise.
int64_t fastest_row_count(int64_t M, int64_t K, const torch::Tensor& w) {
    static std::mutex mutex;
    static std::map<std::tuple<int64_t, int64_t, int64_t>, int64_t> chosen;
    const auto key = std::make_tuple(M, K, w.size(0));
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = chosen.find(key); it != chosen.end()) return it->second;
    std::vector<int64_t> candidates{M};
    for (int64_t m : {8, 16, 32})
        if (int64_t r = (M + m - 1) / m * m; r != candidates.back()) candidates.push_back(r);
    int64_t best = M;
    double best_s = 0;
    if (candidates.size() > 1) {
        const auto x = torch::zeros({M, K}, w.options());
        for (int64_t m : candidates) {
            const auto run = [&] {
                return torch::linear(m == M ? x : torch::constant_pad_nd(x, {0, 0, 0, m - M}), w);
            };
            run();  // warm-up: oneDNN builds its kernel for the shape
            double s = 1e30;
            for (int rep = 0; rep < 2; ++rep) {
                const auto t0 = std::chrono::steady_clock::now();
                run();
                s = std::min(s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            }
            if (m == M || s < 0.9 * best_s) best = m, best_s = s;
        }
    }
    chosen.emplace(key, best);
    return best;
}

}  // namespace

namespace {

std::vector<torch::Tensor> amx_set_product(const torch::Tensor& x, const std::vector<torch::Tensor>& ws,
                                           const std::vector<torch::Tensor>& biases) {
    RECORD_FUNCTION("atelier::amx_linear", std::vector<c10::IValue>({x}));
    const int64_t K = x.size(-1), M = x.numel() / K;
    const auto xc = x.contiguous();
    std::vector<torch::Tensor> ys;
    std::vector<AmxPart> parts;
    for (size_t i = 0; i < ws.size(); ++i) {
        auto sizes = xc.sizes().vec();
        sizes.back() = ws[i].size(0);
        ys.push_back(torch::empty(sizes, xc.options()));
        parts.push_back({static_cast<const uint16_t*>(ws[i].data_ptr()), ws[i].size(0),
                         biases[i].numel() ? biases[i].data_ptr<float>() : nullptr,
                         static_cast<uint16_t*>(ys.back().data_ptr())});
    }
    const bool ran = gemm_bf16_amx_set(static_cast<const uint16_t*>(xc.data_ptr()), M, K, parts.data(),
                                       static_cast<int>(parts.size()));
    TORCH_CHECK(ran, "the AMX GEMM declined a shape amx_linear_set admitted");
    return ys;
}

// The set's node: one dx for all the outputs' gradients (an output without one is left out).
struct AmxLinearSetFunction : torch::autograd::Function<AmxLinearSetFunction> {
    static variable_list forward(AutogradContext* ctx, const torch::Tensor& x, std::vector<torch::Tensor> ws,
                                 std::vector<torch::Tensor> biases) {
        ctx->save_for_backward(ws);
        return amx_set_product(x, ws, biases);
    }
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const variable_list ws = ctx->get_saved_variables();
        std::vector<torch::Tensor> dys;
        std::vector<AmxGradPart> parts;
        for (size_t i = 0; i < ws.size(); ++i) {
            if (!grads[i].defined()) continue;
            dys.push_back(grads[i].to(ws[i].scalar_type()).contiguous());
            parts.push_back({static_cast<const uint16_t*>(dys.back().data_ptr()), ws[i].size(0),
                             static_cast<const uint16_t*>(ws[i].data_ptr())});
        }
        if (parts.empty()) return {torch::Tensor(), torch::Tensor(), torch::Tensor()};
        const int64_t K = ws[0].size(1), M = dys[0].numel() / parts[0].N;
        auto sizes = dys[0].sizes().vec();
        sizes.back() = K;
        auto dx = torch::empty(sizes, dys[0].options());
        if (!gemm_bf16_amx_nn_set(M, K, parts.data(), static_cast<int>(parts.size()),
                                  static_cast<uint16_t*>(dx.data_ptr()))) {
            dx = torch::zeros(sizes, dys[0].options());
            for (size_t i = 0, j = 0; i < ws.size(); ++i)
                if (grads[i].defined()) dx = dx + torch::matmul(dys[j++], ws[i]);
        }
        return {dx, torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

std::vector<torch::Tensor> amx_linear_set(const torch::Tensor& x, const std::vector<torch::Tensor>& ws,
                                          const std::vector<torch::Tensor>& bs) {
    const int64_t K = x.dim() ? x.size(-1) : 0, M = K ? x.numel() / K : 0;
    if (ws.empty() || (!bs.empty() && bs.size() != ws.size()) || K < 1024 || K % 32 || M < 1 ||
        x.scalar_type() != torch::kBFloat16 || !x.device().is_cpu() || !amx_gemm_enabled())
        return {};
    int64_t total = 0;
    std::vector<torch::Tensor>
        biases;  // autograd's apply takes defined tensors only: no bias is an empty one
    for (size_t i = 0; i < ws.size(); ++i) {
        const auto& w = ws[i];
        const torch::Tensor b = bs.empty() ? torch::Tensor() : bs[i];
        if (w.dim() != 2 || w.scalar_type() != torch::kBFloat16 || w.size(1) != K || w.size(0) % 32 ||
            !w.is_contiguous() || !w.device().is_cpu() || w.requires_grad() ||
            (b.defined() && (b.requires_grad() || b.numel() != w.size(0))))
            return {};
        total += w.size(0);
        biases.push_back(b.defined() ? b.to(torch::kFloat32).contiguous() : torch::empty({0}));
    }
    if (total < 1024) return {};
    if (torch::GradMode::is_enabled() && x.requires_grad()) return AmxLinearSetFunction::apply(x, ws, biases);
    return amx_set_product(x, ws, biases);
}

torch::Tensor amx_linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
    const std::vector<torch::Tensor> ys = amx_linear_set(x, {w}, {b});
    return ys.empty() ? torch::Tensor() : ys[0];
}

torch::Tensor linear_rows_padded(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
    const int64_t K = x.size(-1), M = K ? x.numel() / K : 0;
    if (M < 16 || x.scalar_type() != torch::kBFloat16 || w.scalar_type() != torch::kBFloat16 ||
        w.dim() != 2 || !x.device().is_cpu() || !c10::InferenceMode::is_enabled())
        return torch::linear(x, w, b).contiguous();
    if (torch::Tensor y = amx_linear(x, w, b); y.defined()) return y;
    const int64_t rows = fastest_row_count(M, K, w);
    if (rows == M) return torch::linear(x, w, b).contiguous();
    auto sizes = x.sizes().vec();
    sizes.back() = w.size(0);
    auto padded = torch::constant_pad_nd(x.reshape({M, K}), {0, 0, 0, rows - M});
    return torch::linear(padded, w, b).narrow(0, 0, M).view(sizes);
}

}  // namespace atelier
