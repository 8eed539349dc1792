// SHA-256 (FIPS 180-4) over bytes, as lower-case hex. Pure and portable, so the
// same digest comes out natively, in wasm and on the server; used for ballot
// card digests (deliberation.h). Checked against the FIPS test vectors in
// tests/core/deliberation_test.cpp. (The core has no crypto library: OpenSSL
// is the server's only, and the web build has none; docs/dependencies.md.)
#pragma once

#include <string>
#include <string_view>

namespace dh {

std::string sha256_hex(std::string_view data);

}  // namespace dh
