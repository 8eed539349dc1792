// Serving the built web app (the --web folder) with the headers the service
// worker and the browser need.
//
// - Content-Type by extension; application/wasm for .wasm (browsers refuse to
//   stream-compile anything else), text/javascript for .js/.mjs,
//   application/manifest+json for .webmanifest, font/otf for .otf.
// - Cache-Control:
//     index.html, sw.js, *.webmanifest, and "/"   -> no-cache (always revalidated,
//                                                   so a new version is seen)
//     content-hashed names (a dot- or dash-separated part of 8+ hex digits,
//     e.g. dianhong.3f9a2b1c.wasm, font-0a1b2c3d4e.otf) -> public, max-age=31536000, immutable
//     everything else                             -> no-cache
// - "/" serves index.html. Paths with "..", backslashes, NUL or hidden
//   components ("/.x") are refused (404); only regular files whose real path
//   (symbolic links resolved) is inside the folder are served.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dh {

struct StaticFile {
  int status = 404;
  std::string body;
  std::string content_type;
  std::string cache_control;
  std::string full_path;    // the file served (200 only), for GzipCache
  int64_t mtime_ns = 0;     // its modification time
};

// The build's gzip of file f (f.full_path + ".gz", written by the dist
// assembly, script/lib/assemble_dist.py) when it exists, is a regular file
// and is at least as new as f; nullopt otherwise (the caller compresses).
std::optional<std::string> read_precompressed(const StaticFile& f);


std::string content_type_for(std::string_view path);
bool is_content_hashed(std::string_view file_name);
std::string cache_control_for(std::string_view file_name);

// url_path: the request path ("/", "/index.html", "/assets/x.wasm").
StaticFile read_static_file(const std::string& web_dir, std::string_view url_path);

}  // namespace dh
