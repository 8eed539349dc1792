#include "server/compression.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>

namespace dh {

std::optional<std::string> gzip_compress(std::string_view data, int level) {
  z_stream zs{};
  // windowBits 15 + 16: write a gzip header and trailer instead of zlib's.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(written);
  return out;
}

std::optional<std::string> gzip_decompress(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

namespace {
std::string lower_trimmed(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  std::string out(s.substr(b, e - b));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

bool accepts_gzip(std::string_view accept) {
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    std::string_view item = accept.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    size_t semi = item.find(';');
    std::string name = lower_trimmed(item.substr(0, semi));
    if (name == "gzip" || name == "*") {
      double q = 1.0;
      if (semi != std::string_view::npos) {
        std::string params = lower_trimmed(item.substr(semi + 1));
        if (params.rfind("q=", 0) == 0) q = std::atof(params.c_str() + 2);
      }
      return q > 0.0;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

bool worth_compressing(std::string_view content_type) {
  std::string t = lower_trimmed(content_type.substr(0, content_type.find(';')));
  return t.rfind("text/", 0) == 0 || t == "application/json" || t == "application/javascript" ||
         t == "application/wasm" || t == "image/svg+xml" || t == "application/manifest+json";
}

std::optional<std::string> GzipCache::get(const std::string& path, int64_t mtime_ns, const std::string& body) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(path);
    if (it != entries_.end() && it->second.mtime_ns == mtime_ns && it->second.size == body.size()) return it->second.gz;
  }
  auto gz = gzip_compress(body, 9);  // once per file version: spend the CPU
  if (!gz) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(path);
  if (it != entries_.end()) {
    bytes_ -= it->second.gz.size();
    entries_.erase(it);
  }
  if (gz->size() > max_bytes_) return gz;
  while (bytes_ + gz->size() > max_bytes_ && !entries_.empty()) {
    bytes_ -= entries_.begin()->second.gz.size();
    entries_.erase(entries_.begin());
  }
  entries_[path] = Entry{mtime_ns, body.size(), *gz};
  bytes_ += gz->size();
  return gz;
}

}  // namespace dh
