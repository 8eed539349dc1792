#include "server/static_files.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace dh {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool is_hex_run(std::string_view s) {
  if (s.size() < 8) return false;
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// A regular file's bytes; nullopt when it cannot be read whole.
std::optional<std::string> read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return buf.str();
}

}  // namespace

std::string content_type_for(std::string_view path) {
  std::string name = lower(base_name(path));
  size_t dot = name.rfind('.');
  std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
  if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "wasm") return "application/wasm";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "webmanifest") return "application/manifest+json";
  if (ext == "otf") return "font/otf";
  if (ext == "ttf") return "font/ttf";
  if (ext == "woff") return "font/woff";
  if (ext == "woff2") return "font/woff2";
  if (ext == "png") return "image/png";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "ico") return "image/x-icon";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "data" || ext == "bin") return "application/octet-stream";
  return "application/octet-stream";
}

bool is_content_hashed(std::string_view file_name) {
  std::string_view name = base_name(file_name);
  // Split on '.' and '-'; the last part is the extension and never counts.
  size_t last_dot = name.rfind('.');
  std::string_view stem = last_dot == std::string_view::npos ? name : name.substr(0, last_dot);
  size_t start = 0;
  for (size_t i = 0; i <= stem.size(); ++i) {
    if (i == stem.size() || stem[i] == '.' || stem[i] == '-') {
      if (start > 0 && is_hex_run(stem.substr(start, i - start))) return true;
      start = i + 1;
    }
  }
  return false;
}

std::string cache_control_for(std::string_view file_name) {
  std::string name = lower(base_name(file_name));
  if (name.empty() || name == "index.html" || name == "sw.js") return "no-cache";
  if (name.size() > 12 && name.compare(name.size() - 12, 12, ".webmanifest") == 0) return "no-cache";
  if (is_content_hashed(name)) return "public, max-age=31536000, immutable";
  return "no-cache";
}

StaticFile read_static_file(const std::string& web_dir, std::string_view url_path) {
  StaticFile out;
  out.content_type = "text/plain; charset=utf-8";
  out.cache_control = "no-cache";
  out.body = "Not found.";
  if (web_dir.empty() || url_path.empty() || url_path[0] != '/') return out;
  std::string rel(url_path.substr(1));
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  // Refuse anything that could leave the folder or reach hidden files.
  if (rel.find('\\') != std::string::npos || rel.find('\0') != std::string::npos) return out;
  size_t start = 0;
  for (size_t i = 0; i <= rel.size(); ++i) {
    if (i == rel.size() || rel[i] == '/') {
      std::string_view part(rel.data() + start, i - start);
      if (part.empty() || part[0] == '.') return out;  // "", ".", "..", ".git"
      start = i + 1;
    }
  }
  // Symbolic links are followed only when they end inside the folder.
  char real_dir[PATH_MAX], real_file[PATH_MAX];
  if (!realpath(web_dir.c_str(), real_dir)) return out;
  std::string full_req = web_dir + "/" + rel;
  if (!realpath(full_req.c_str(), real_file)) return out;
  const std::string dir(real_dir);
  std::string full(real_file);
  if (full.size() <= dir.size() + 1 || full.compare(0, dir.size(), dir) != 0 || full[dir.size()] != '/') {
    return out;
  }
  struct stat st {};
  if (stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return out;
  auto body = read_whole(full);
  if (!body) return out;
  out.status = 200;
  out.body = std::move(*body);
  out.content_type = content_type_for(rel);
  out.cache_control = cache_control_for(rel);
  out.full_path = full;
  out.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return out;
}

std::optional<std::string> read_precompressed(const StaticFile& f) {
  if (f.status != 200 || f.full_path.empty()) return std::nullopt;
  const std::string gz = f.full_path + ".gz";
  struct stat st {};
  if (stat(gz.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (mtime < f.mtime_ns) return std::nullopt;  // older than the file: stale
  return read_whole(gz);
}

}  // namespace dh
