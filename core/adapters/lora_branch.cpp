// LoRA's fused branch as an autograd node (adapters/lora_branch.h).
#include "adapters/lora_branch.h"

#include "model/lora_kernels.h"
#include "model/torch_util.h"

namespace atelier {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

const uint16_t* bits(const torch::Tensor& t) {
    return static_cast<const uint16_t*>(t.data_ptr());
}
uint16_t* bits_out(torch::Tensor& t) {
    return static_cast<uint16_t*>(t.data_ptr());
}
const uint8_t* keep_bytes(const torch::Tensor& keep) {
    return keep.numel() > 0 ? keep.data_ptr<uint8_t>() : nullptr;
}

// x [M, K], y [M, N] bf16 and contiguous; keep: M·K bytes, or none (no dropout; autograd takes no
// undefined tensor as an input).
struct LoraFunction : torch::autograd::Function<LoraFunction> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& y,
                                 const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& keep,
                                 double keep_scale, double alpha) {
        const int64_t M = x.size(0), K = x.size(1), N = y.size(1), r = A.size(0);
        auto ha = torch::empty({M, lora_hidden_width(r)}, x.options());
        // h's rows in pairs (as int32 words): what dA's product reads, so x itself is not kept
        auto hp = torch::empty({lora_pair_rows(M), K}, torch::kInt32);
        auto out = torch::empty_like(y);
        lora_forward(bits(x), keep_bytes(keep), static_cast<float>(keep_scale), A.data_ptr<float>(),
                     B.data_ptr<float>(), r, static_cast<float>(alpha), bits(y), M, K, N, bits_out(ha),
                     reinterpret_cast<uint32_t*>(hp.data_ptr<int32_t>()), bits_out(out));
        ctx->save_for_backward({hp, A, B, ha, keep});
        ctx->saved_data["keep_scale"] = keep_scale;
        ctx->saved_data["alpha"] = alpha;
        return out;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor &hp = saved[0], &A = saved[1], &B = saved[2], &ha = saved[3], &keep = saved[4];
        if (!grads[0].defined())
            return {torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(),
                    torch::Tensor(), torch::Tensor(), torch::Tensor()};
        const torch::Tensor dy = grads[0].to(torch::kBFloat16).contiguous();
        const int64_t M = ha.size(0), K = hp.size(1), N = dy.size(1), r = A.size(0);
        torch::Tensor dx = ctx->needs_input_grad(0) ? torch::empty({M, K}, dy.options()) : torch::Tensor();
        auto dA = torch::empty_like(A), dB = torch::empty_like(B);
        lora_backward(reinterpret_cast<const uint32_t*>(hp.data_ptr<int32_t>()), keep_bytes(keep),
                      static_cast<float>(ctx->saved_data["keep_scale"].toDouble()), A.data_ptr<float>(),
                      B.data_ptr<float>(), r, static_cast<float>(ctx->saved_data["alpha"].toDouble()),
                      bits(ha), bits(dy), M, K, N, dx.defined() ? bits_out(dx) : nullptr,
                      dA.data_ptr<float>(), dB.data_ptr<float>());
        return {dx, grads[0], dA, dB, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

}  // namespace

torch::Tensor lora_branch(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& A,
                          const torch::Tensor& B, double alpha, double dropout) {
    const auto bf16 = torch::kBFloat16, f32 = torch::kFloat32;
    if (x.scalar_type() != bf16 || y.scalar_type() != bf16 || A.scalar_type() != f32 ||
        B.scalar_type() != f32 || !x.device().is_cpu() || !y.device().is_cpu() || !A.device().is_cpu() ||
        !B.device().is_cpu() || x.dim() < 1 || y.dim() < 1 || A.dim() != 2 || B.dim() != 2 ||
        !A.is_contiguous() || !B.is_contiguous())
        return {};
    const int64_t K = x.size(-1), N = y.size(-1), r = A.size(0);
    if (!lora_fused_applies(K, N, r) || A.size(1) != K || B.size(0) != N || B.size(1) != r ||
        x.numel() / K != y.numel() / N)  // K > 0 once the kernels apply
        return {};
    torch::Tensor keep = torch::empty({0}, torch::kUInt8);
    double scale = 1;
    if (dropout > 0) {
        DropoutKeep d = dropout_keep(x, dropout);  // numbered by x's rows, as fast_dropout numbers them
        keep = d.keep;
        scale = d.scale;
    }
    const auto x2 = x.reshape({-1, K}).contiguous(), y2 = y.reshape({-1, N}).contiguous();
    return LoraFunction::apply(x2, y2, A, B, keep, scale, alpha).view(y.sizes());
}

}  // namespace atelier
