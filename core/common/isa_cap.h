// A ceiling on the instruction sets the engine's kernels use, for measuring and reproducing what a
// CPU without them would run (the decode kernels of a laptop without AVX512-BF16, on a machine that
// has it), and for ruling a kernel in or out when a user reports wrong output:
//
//   ATELIER_MAX_ISA=avx2 atelier-cli ...     # AVX2+FMA+F16C kernels, f32 compute for bf16 weights
//   ATELIER_MAX_ISA=avx512 ...               # AVX-512 without BF16 (Skylake-X, Ice Lake)
//   ATELIER_MAX_ISA=scalar ...               # plain C++ loops
//
// The cap only lowers: a CPU without AVX2 does not gain it. use_native_blas_kernels() passes the
// same ceiling to the libraries under LibTorch (ONEDNN_MAX_CPU_ISA, ATEN_CPU_CAPABILITY,
// OPENBLAS_CORETYPE), where the user has not set them, so the whole process runs as such a CPU would.
#pragma once

namespace atelier {

enum class IsaCap {
    Native,  // unset: whatever this CPU has
    Avx512,  // AVX-512 F/BW/VL/DQ, no BF16 and no AMX
    Avx2,    // AVX2, FMA, F16C
    Scalar,  // none of the above
};

// The ceiling ATELIER_MAX_ISA sets, read once. An unknown value is ignored (Native), with a line
// on stderr naming the values it takes.
IsaCap isa_cap();

// "native", "avx512", "avx2" or "scalar".
const char* isa_cap_name(IsaCap cap);

}  // namespace atelier
