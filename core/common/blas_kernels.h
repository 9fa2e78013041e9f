// OpenBLAS (Debian's libopenblas0-openmp, which LibTorch's float32 GEMM runs on) picks its kernels
// once, when it is loaded, from the CPU models it knows. On a CPU newer than the library (Debian
// 12's 0.3.21 on Sapphire Rapids, or a VM reporting a generic "Intel Xeon Processor") it falls back
// to the Prescott (SSE3) kernels: measured 20% slower training of the quickstart model. Only the
// OPENBLAS_CORETYPE variable overrides that choice, and only at load time, so the executables call
// this first thing in main().
//
//   int main(int argc, char** argv) {
//       atelier::use_native_blas_kernels(argv);  // may re-execute the program, once
#pragma once

#include <string>

namespace atelier {

// The kernel family the loaded OpenBLAS runs ("" when the BLAS is not OpenBLAS).
std::string blas_core_name();

// When OpenBLAS runs a fallback kernel older than this CPU supports (AVX-512 -> SkylakeX, AVX2+FMA
// -> Haswell) and the user has not set OPENBLAS_CORETYPE, sets it and re-executes the program with
// the same arguments (/proc/self/exe). Returns only when nothing is to be done or the re-execution
// failed (the program then goes on with the kernels it has). Under ATELIER_MAX_ISA (common/isa_cap.h)
// it also caps oneDNN and ATen, and OpenBLAS to the matching core (Haswell for avx2).
void use_native_blas_kernels(char** argv);

}  // namespace atelier
