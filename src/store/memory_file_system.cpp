#include "store/file_system.h"

namespace dh {
namespace {

std::string parent_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return "";
  return path.substr(0, slash);
}

Error full(const std::string& path) {
  return make_error("storage_full", "Storage on this device is full, so " + path +
                                        " could not be written. Free some space and try again.");
}

Error no_folder(const std::string& path) {
  return make_error("storage_error", "Could not write " + path + ": its folder does not exist.");
}

}  // namespace

long long MemoryFileSystem::used() const {
  long long total = 0;
  for (const auto& f : files_) total += static_cast<long long>(f.second.size());
  return total;
}

Status MemoryFileSystem::make_dirs(const std::string& dir) {
  for (std::string d = dir; !d.empty(); d = parent_of(d)) {
    if (files_.count(d)) return make_error("storage_error", "Could not create the folder " + d + ": a file is in the way.");
    dirs_[d] = true;
  }
  return ok_status();
}

Result<std::vector<std::string>> MemoryFileSystem::list(const std::string& dir) {
  std::vector<std::string> names;
  const std::string prefix = dir.empty() ? "" : dir + "/";
  for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    std::string rest = it->first.substr(prefix.size());
    if (rest.find('/') == std::string::npos) names.push_back(rest);
  }
  return names;  // map order is sorted order
}

bool MemoryFileSystem::exists(const std::string& path) { return files_.count(path) || dirs_.count(path); }

Result<std::string> MemoryFileSystem::read(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return make_error("not_found", "The file " + path + " does not exist.");
  return it->second;
}

Status MemoryFileSystem::append(const std::string& path, const std::string& bytes) {
  std::string parent = parent_of(path);
  if (!parent.empty() && !dirs_.count(parent)) return no_folder(path);
  if (capacity_ >= 0 && used() + static_cast<long long>(bytes.size()) > capacity_) return full(path);
  files_[path] += bytes;
  return ok_status();
}

Status MemoryFileSystem::write_atomic(const std::string& path, std::string_view bytes) {
  std::string parent = parent_of(path);
  if (!parent.empty() && !dirs_.count(parent)) return no_folder(path);
  // The temporary copy exists next to the old file until the rename.
  if (capacity_ >= 0 && used() + static_cast<long long>(bytes.size()) > capacity_) return full(path);
  files_[path] = std::string(bytes);
  return ok_status();
}

Status MemoryFileSystem::rename(const std::string& from, const std::string& to) {
  auto it = files_.find(from);
  if (it == files_.end()) return make_error("not_found", "The file " + from + " does not exist.");
  std::string parent = parent_of(to);
  if (!parent.empty() && !dirs_.count(parent)) return no_folder(to);
  std::string bytes = std::move(it->second);
  files_.erase(it);
  files_[to] = std::move(bytes);
  return ok_status();
}

Status MemoryFileSystem::remove(const std::string& path) {
  if (!files_.erase(path)) return make_error("not_found", "The file " + path + " does not exist.");
  return ok_status();
}

Status MemoryFileSystem::sync(const std::string& path) {
  ++sync_calls_;
  if (!files_.count(path)) return make_error("not_found", "The file " + path + " does not exist.");
  if (failing_syncs_ > 0) {
    --failing_syncs_;
    return make_error("storage_error", "Could not save " + path + ": input/output error (injected).");
  }
  return ok_status();
}

Status MemoryFileSystem::truncate(const std::string& path, uint64_t size) {
  auto it = files_.find(path);
  if (it == files_.end()) return make_error("not_found", "The file " + path + " does not exist.");
  if (failing_truncates_ > 0) {
    --failing_truncates_;
    return make_error("storage_error", "Could not shorten " + path + ": input/output error (injected).");
  }
  if (size < it->second.size()) it->second.resize(static_cast<size_t>(size));
  return ok_status();
}

}  // namespace dh
