#!/usr/bin/env bash
# Builds the engine, the CLIs and the unit, model and CLI tests with AddressSanitizer + UBSan (the
# `asan` preset: -O2 -g, -fsanitize=address,undefined) into build-asan/, and runs them. Not part of
# the README's test command (a sanitized build and run take most of an hour on 2 cores); run it
# before calling hardening work done, and after changing a parser.
#
#   scripts/asan.sh                # unit + model (CLI tests included) labels
#   scripts/asan.sh -R Pth         # extra arguments go to ctest
#
# LibTorch itself is not instrumented; what ASan/UBSan check is Atelier's code and every buffer it
# hands to or takes from LibTorch, FFmpeg, SQLite and PCRE2. Leak checking is off: LibTorch and
# OpenMP keep process-lifetime allocations that would drown real reports.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset asan >/dev/null
cmake --build build-asan -j2 --target atelier-cli atelier-train atelier_unit_tests atelier_media_tests \
    atelier_features_tests atelier_demo_tests atelier_model_tests atelier_multimodal_tests \
    atelier_multimodal_training_tests
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd build-asan
ctest -L 'unit|model' --output-on-failure --timeout 3000 -j1 "$@"
