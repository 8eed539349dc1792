// Test helper: runs the real dianhong_server binary on a free loopback port
// with a temporary data folder, and talks to it with cpp-httplib's client.
//
// The binary is $DH_SERVER_BINARY if set, else the path CMake compiled in.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

#ifndef DH_SERVER_BINARY
#define DH_SERVER_BINARY "dianhong_server"
#endif

namespace dh::test {

inline std::string server_binary() {
  const char* env = std::getenv("DH_SERVER_BINARY");
  return env && *env ? env : DH_SERVER_BINARY;
}

// A fresh folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "dh-server-test-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data())) path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ServerProcess {
 public:
  ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {})
      : data_dir_(std::move(data_dir)), extra_(std::move(extra_args)) {}
  ~ServerProcess() { stop(); }

  // Starts the server with --port 0 and waits (up to timeout) for the line
  // "Dianhong is running: open http://127.0.0.1:PORT/". False on failure,
  // with the reason in error().
  bool start(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    int out[2];
    if (pipe(out) != 0) return fail("pipe failed");
    std::vector<std::string> args = {server_binary(), "--port", "0", "--data", data_dir_};
    args.insert(args.end(), extra_.begin(), extra_.end());
    pid_ = fork();
    if (pid_ < 0) return fail("fork failed");
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    out_fd_ = out[0];
    auto deadline = std::chrono::steady_clock::now() + timeout;
    const std::string marker = "Dianhong is running: open http://127.0.0.1:";
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_fd_, POLLIN, 0};
      int r = poll(&p, 1, 200);
      if (r > 0) {
        char buf[4096];
        ssize_t n = read(out_fd_, buf, sizeof buf);
        if (n <= 0) return fail("the server exited before it was ready; output: " + output_);
        output_.append(buf, static_cast<size_t>(n));
        auto at = output_.find(marker);
        if (at != std::string::npos) {
          auto end = output_.find('/', at + marker.size());
          if (end != std::string::npos) {
            port_ = std::atoi(output_.substr(at + marker.size(), end - at - marker.size()).c_str());
            return port_ > 0 ? true : fail("bad port in: " + output_);
          }
        }
      }
    }
    return fail("the server did not say it was running in time; output: " + output_);
  }

  // SIGTERM and wait; returns the exit status (or -1).
  int stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    return reap();
  }
  // SIGKILL, as a crash; waits for the process to be gone.
  void crash() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    reap();
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }
  const std::string& output() const { return output_; }
  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_connection_timeout(5);
    c->set_read_timeout(60);
    c->set_write_timeout(60);
    return c;
  }

 private:
  bool fail(const std::string& why) {
    error_ = why;
    crash();
    return false;
  }
  int reap() {
    int status = 0;
    int rc = -1;
    if (waitpid(pid_, &status, 0) == pid_) rc = status;
    pid_ = -1;
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
    return rc;
  }

  std::string data_dir_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  std::string output_;
  std::string error_;
};

}  // namespace dh::test
