// platform/files.h on the desktop: files go into a folder beside the data.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <sys/stat.h>
#include <sys/types.h>

#include "platform/files.h"

namespace dh::platform {

namespace {

std::string g_folder = "./data/exports";

// mkdir -p; true when the folder exists afterwards.
bool make_folders(const std::string& path, std::string* error) {
  std::string partial;
  size_t i = 0;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    partial = path.substr(0, slash);
    if (!partial.empty() && partial != "." && partial != "..") {
      if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
        *error = "The folder " + partial + " could not be made: " + std::strerror(errno);
        return false;
      }
    }
    i = slash + 1;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = "The folder " + path + " cannot be used.";
    return false;
  }
  return true;
}

FileResult write_file(const std::string& name, const std::string& bytes) {
  FileResult r;
  if (!make_folders(g_folder, &r.error)) return r;
  const std::string path = g_folder + "/" + safe_file_name(name);
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) {
    r.error = "The file " + path + " could not be written: " + std::strerror(errno);
    return r;
  }
  const bool wrote = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    r.error = "The file " + path + " could not be written (is the disk full?).";
    std::remove(tmp.c_str());
    return r;
  }
  r.ok = true;
  r.path = path;
  return r;
}

}  // namespace

void set_files_folder(const std::string& folder) { g_folder = folder.empty() ? std::string(".") : folder; }

FileResult save_file(const std::string& name, const std::string& mime, const std::string& bytes) {
  (void)mime;  // the name's extension says what it is
  return write_file(name, bytes);
}

FileResult print_html(const std::string& html, const std::string& name) { return write_file(name, html); }

}  // namespace dh::platform
