#include "common/isa_cap.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace atelier {

IsaCap isa_cap() {
    static const IsaCap cap = [] {
        const char* env = std::getenv("ATELIER_MAX_ISA");
        if (!env || !*env) return IsaCap::Native;
        std::string v(env);
        for (char& c : v) c = char(std::tolower(static_cast<unsigned char>(c)));
        for (IsaCap c : {IsaCap::Native, IsaCap::Avx512, IsaCap::Avx2, IsaCap::Scalar})
            if (v == isa_cap_name(c)) return c;
        std::fprintf(stderr, "ATELIER_MAX_ISA=%s ignored: expected native, avx512, avx2 or scalar\n", env);
        return IsaCap::Native;
    }();
    return cap;
}

const char* isa_cap_name(IsaCap cap) {
    switch (cap) {
        case IsaCap::Avx512: return "avx512";
        case IsaCap::Avx2: return "avx2";
        case IsaCap::Scalar: return "scalar";
        case IsaCap::Native: break;
    }
    return "native";
}

}  // namespace atelier
