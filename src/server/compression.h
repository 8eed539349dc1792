// Response compression, done by us with zlib's gzip instead of cpp-httplib.
//
// Why: Debian's cpp-httplib is built with Brotli and prefers it whenever the
// browser offers "br" (Chromium always does). It compresses at Brotli's top
// quality on every response: a 270 KB page of operations cost ~1.5 s of server
// CPU (gzip level 6: ~33 ms), which made a first sync of the demo data take
// 45 s. So the server hides Accept-Encoding from httplib (a pre-routing
// handler moves it to kAcceptHeader) and compresses in a post-routing handler:
// gzip, only when the client accepts it, only for text-like types, only for
// bodies of at least kMinBytes. Static files are compressed once per file
// version (GzipCache) instead of on every request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace dh {

constexpr const char* kAcceptHeader = "X-Dh-Accept-Encoding";
constexpr size_t kMinCompressBytes = 1024;

// gzip (RFC 1952) of data at zlib level `level`; nullopt if zlib fails.
std::optional<std::string> gzip_compress(std::string_view data, int level = 6);
// The inverse, for tests and the CLI; nullopt on corrupt input.
std::optional<std::string> gzip_decompress(std::string_view data);

// True when an Accept-Encoding value allows gzip ("gzip", "gzip;q=0.5", "*"),
// false for "gzip;q=0" or when absent.
bool accepts_gzip(std::string_view accept_encoding);

// Types worth compressing: text/*, JSON, JavaScript, wasm, SVG, manifests.
// Fonts (already compressed tables) and images are not.
bool worth_compressing(std::string_view content_type);

// Compressed bodies of static files, keyed by path and (mtime, size), so a new
// build replaces its entry. Thread-safe; at most max_bytes of compressed data
// kept (older entries dropped when over).
class GzipCache {
 public:
  explicit GzipCache(size_t max_bytes = 64u << 20) : max_bytes_(max_bytes) {}
  // body is the file's content; returns its gzip (cached) or nullopt.
  std::optional<std::string> get(const std::string& path, int64_t mtime_ns, const std::string& body);

 private:
  struct Entry {
    int64_t mtime_ns = 0;
    size_t size = 0;
    std::string gz;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  size_t bytes_ = 0;
  size_t max_bytes_;
};

}  // namespace dh
