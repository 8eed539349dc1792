// PosixFileSystem: plain POSIX calls. Natively it works on a folder of the
// disk; in the browser the same code works on an Emscripten IDBFS mount.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "store/file_system.h"

namespace dh {
namespace {

std::string parent_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// No space, over quota, or over the file size limit: all "storage full".
bool is_full(int err) {
#ifdef EDQUOT
  if (err == EDQUOT) return true;
#endif
  return err == ENOSPC || err == EFBIG;
}

Error io_error(const char* what, const std::string& path, int err) {
  if (is_full(err))
    return make_error("storage_full", "Storage on this device is full, so " + path +
                                          " could not be written. Free some space and try again.");
  return make_error("storage_error", std::string("Could not ") + what + " " + path + ": " + std::strerror(err) + ".");
}

// Writes all bytes; returns 0 or the errno of the failure (ENOSPC for a write
// that stopped short without an error).
int write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return ENOSPC;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return 0;
}

void sync_dir(const std::string& dir) {
  // Makes a created or renamed entry durable natively. Some file systems
  // (and Emscripten's in-memory ones) do not support it: ignore errors.
  int fd = ::open(dir.c_str(), O_RDONLY);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// rename(from, to) replacing an existing file. Emscripten 3.1.6's MEMFS (and
// so IDBFS) leaves the replaced file's node in FS.nameTable: after a later
// unlink or rename of `to`, lookups find the OLD content again, and every
// replaced version stays in memory (seen in a test: write v0, v1, v2 by
// rename; unlink; read gives v1). Removing the target first avoids it; in
// the browser both calls run in one synchronous step, so no IndexedDB flush
// can see the gap between them.
int replace_file(const char* from, const char* to) {
#ifdef __EMSCRIPTEN__
  if (::unlink(to) != 0 && errno != ENOENT) return -1;
#endif
  return ::rename(from, to);
}

class PosixFileSystem : public FileSystem {
 public:
  Status make_dirs(const std::string& dir) override {
    if (dir.empty()) return ok_status();
    std::string part;
    size_t pos = 0;
    while (pos != std::string::npos) {
      size_t next = dir.find('/', pos + 1);
      part = dir.substr(0, next);
      pos = next;
      if (part.empty() || part == "/") continue;
      if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return io_error("create the folder", part, errno);
    }
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return make_error("storage_error", "Could not create the folder " + dir + ": a file is in the way.");
    return ok_status();
  }

  Result<std::vector<std::string>> list(const std::string& dir) override {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
      if (errno == ENOENT) return names;
      return io_error("list the folder", dir, errno);
    }
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      struct stat st;
      if (::stat((dir + "/" + name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

  bool exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }

  Result<std::string> read(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) {
      if (errno == ENOENT) return make_error("not_found", "The file " + path + " does not exist.");
      return io_error("open", path, errno);
    }
    std::string out;
    struct stat st;
    if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return io_error("read", path, err);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Result<std::string> read_part(const std::string& path, uint64_t offset, size_t length) override {
    std::string out;
    if (auto st = read_part_into(path, offset, length, out); !st.ok()) return st.error();
    return out;
  }

  Status read_part_into(const std::string& path, uint64_t offset, size_t length, std::string& out) override {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) {
      if (errno == ENOENT) return make_error("not_found", "The file " + path + " does not exist.");
      return io_error("open", path, errno);
    }
    // Only bytes beyond the buffer's current size are zeroed first: a
    // buffer reused for parts of one size is not cleared again each time.
    if (out.size() < length) out.resize(length);
    size_t got = 0;
    while (got < length) {
      ssize_t n = ::pread(fd, &out[got], length - got, static_cast<off_t>(offset + got));
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return io_error("read", path, err);
      }
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    ::close(fd);
    out.resize(got);
    return ok_status();
  }

  Status append(const std::string& path, const std::string& bytes) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return io_error("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return io_error("inspect", path, err);
    }
    const off_t before = st.st_size;
    int err = write_all(fd, bytes.data(), bytes.size());
    if (err != 0) {
      // Leave the file as it was: a half-written record would be read as
      // damage on the next start.
      (void)::ftruncate(fd, before);
      ::close(fd);
      return io_error("write to", path, err);
    }
    if (::close(fd) != 0) return io_error("write to", path, errno);
    return ok_status();
  }

  Status write_atomic(const std::string& path, std::string_view bytes) override {
    const std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return io_error("create", tmp, errno);
    int err = write_all(fd, bytes.data(), bytes.size());
    if (err == 0 && ::fsync(fd) != 0 && errno != EINVAL && errno != ENOSYS) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) {
      ::unlink(tmp.c_str());
      return io_error("write", path, err);
    }
    if (replace_file(tmp.c_str(), path.c_str()) != 0) {
      err = errno;
      ::unlink(tmp.c_str());
      return io_error("replace", path, err);
    }
    sync_dir(parent_of(path));
    return ok_status();
  }

  Status rename(const std::string& from, const std::string& to) override {
    if (replace_file(from.c_str(), to.c_str()) != 0) return io_error("move", from + " to " + to, errno);
    sync_dir(parent_of(to));
    if (parent_of(from) != parent_of(to)) sync_dir(parent_of(from));
    return ok_status();
  }

  Status remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return make_error("not_found", "The file " + path + " does not exist.");
      return io_error("remove", path, errno);
    }
    return ok_status();
  }

  Status sync(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return io_error("open", path, errno);
    int err = 0;
    if (::fsync(fd) != 0 && errno != EINVAL && errno != ENOSYS) err = errno;
    ::close(fd);
    if (err != 0) return io_error("save", path, err);
    sync_dir(parent_of(path));  // the file may be new
    return ok_status();
  }

  Status truncate(const std::string& path, uint64_t size) override {
    int fd = ::open(path.c_str(), O_WRONLY);
    if (fd < 0) {
      if (errno == ENOENT) return make_error("not_found", "The file " + path + " does not exist.");
      return io_error("open", path, errno);
    }
    int err = 0;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) err = errno;
    if (err == 0 && ::fsync(fd) != 0 && errno != EINVAL && errno != ENOSYS) err = errno;
    ::close(fd);
    if (err != 0) return io_error("shorten", path, err);
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<FileSystem> make_posix_file_system() { return std::make_unique<PosixFileSystem>(); }

}  // namespace dh
