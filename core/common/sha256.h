// SHA-256 of bytes or of a file (FIPS 180-4), as lowercase hex. Used to key encoder caches by
// content, so the same file under another name is not encoded twice.
//
//   std::string h = atelier::sha256_file("photo.jpg");   // throws ErrorCode::Io / FileNotFound
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace atelier {

class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t n);
    std::string hex();  // finishes; the object is spent afterwards

private:
    void block(const uint8_t* p);
    uint32_t m_h[8];
    uint8_t m_buf[64];
    size_t m_used = 0;
    uint64_t m_bits = 0;
};

std::string sha256_hex(const std::string& bytes);
std::string sha256_file(const std::string& path);

}  // namespace atelier
