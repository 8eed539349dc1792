// The file system the store writes to, passed in (LevelDB's Env idea) so
// tests run in memory and can make the disk fail.
//
// PosixFileSystem is used natively AND in the browser: there the store's
// folder is an Emscripten IDBFS mount, which is a POSIX file system in memory
// that the platform layer flushes to IndexedDB (src/platform/persistence.h).
// Paths are '/'-separated; all calls are synchronous.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace dh {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Creates the folder and its parents if missing.
  virtual Status make_dirs(const std::string& dir) = 0;
  // Names of the regular files in dir (not paths, not sub-folders), sorted.
  // Missing dir -> empty list.
  virtual Result<std::vector<std::string>> list(const std::string& dir) = 0;
  virtual bool exists(const std::string& path) = 0;
  // Whole file. Missing file -> error code "not_found".
  virtual Result<std::string> read(const std::string& path) = 0;
  // Up to `length` bytes from `offset` (fewer at the end, none past it), so
  // a large file (the snapshot) is read a part at a time. The default reads
  // the whole file; the POSIX one reads only the part.
  virtual Result<std::string> read_part(const std::string& path, uint64_t offset, size_t length) {
    auto all = read(path);
    if (!all.ok()) return all.error();
    if (offset >= all.value().size()) return std::string();
    return all.value().substr(static_cast<size_t>(offset), length);
  }
  // The same into `into` (its content replaced, its capacity reused): a
  // large file read part by part needs one buffer, not one per part.
  virtual Status read_part_into(const std::string& path, uint64_t offset, size_t length, std::string& into) {
    auto part = read_part(path, offset, length);
    if (!part.ok()) return part.error();
    into = std::move(part.value());
    return ok_status();
  }
  // Appends bytes; creates the file if missing. A short write (disk full)
  // returns error code "storage_full" and leaves the file as it was before
  // (truncated back to its previous length). Other failures: "storage_error".
  virtual Status append(const std::string& path, const std::string& bytes) = 0;
  // Replaces the whole file atomically (write to a temporary name, rename).
  virtual Status write_atomic(const std::string& path, std::string_view bytes) = 0;
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  // Missing file -> "not_found". (The store removes log data only when
  // compacting segments the server holds: Replica::compact.)
  virtual Status remove(const std::string& path) = 0;
  // Makes appended data durable (fsync natively; a no-op on IDBFS, where
  // durability is the platform flush).
  virtual Status sync(const std::string& path) = 0;
  // Cuts the file back to its first `size` bytes (undoes an append whose
  // sync failed). Missing file -> "not_found"; a file system that cannot
  // truncate returns "storage_error".
  virtual Status truncate(const std::string& path, uint64_t size) {
    (void)size;
    return make_error("storage_error", "Could not shorten " + path + ".");
  }
};

std::unique_ptr<FileSystem> make_posix_file_system();

// In-memory file system for tests, with fault injection.
class MemoryFileSystem : public FileSystem {
 public:
  Status make_dirs(const std::string& dir) override;
  Result<std::vector<std::string>> list(const std::string& dir) override;
  bool exists(const std::string& path) override;
  Result<std::string> read(const std::string& path) override;
  Status append(const std::string& path, const std::string& bytes) override;
  Status write_atomic(const std::string& path, std::string_view bytes) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status remove(const std::string& path) override;
  Status sync(const std::string& path) override;
  Status truncate(const std::string& path, uint64_t size) override;

  // Fault injection: the next n calls of sync() / truncate() fail with
  // "storage_error" (the data stays as written, like a failed fsync).
  void fail_next_syncs(int n) { failing_syncs_ = n; }
  void fail_next_truncates(int n) { failing_truncates_ = n; }
  int sync_calls() const { return sync_calls_; }

  // Total bytes of all files; writes that would exceed capacity fail with
  // "storage_full" and change nothing. -1 = unlimited. write_atomic needs room
  // for the new bytes next to the old file (the temporary copy).
  void set_capacity(long long bytes) { capacity_ = bytes; }
  long long used_bytes() const { return used(); }
  // Direct access for tests that plant corrupt files.
  std::map<std::string, std::string>& files() { return files_; }

 private:
  long long used() const;
  std::map<std::string, std::string> files_;
  std::map<std::string, bool> dirs_;
  long long capacity_ = -1;
  int failing_syncs_ = 0;
  int failing_truncates_ = 0;
  int sync_calls_ = 0;
};

}  // namespace dh
