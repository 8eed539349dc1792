// Test helper: runs the real dianhong_server binary on a free loopback port
// with a temporary data folder, and talks to it with cpp-httplib's client.
//
// The binary is $DH_SERVER_BINARY if set, else the path CMake compiled in.
//
// With DH_TEST_SERVER_STORE=postgres (and $DH_TEST_PG, tests/server/pg_cluster.h)
// every server keeps its operations in PostgreSQL: --store names a database
// of the test cluster that belongs to its data folder (made at the first
// start, kept for restarts on the same folder), unless the test passes
// --store itself. The cluster is a throwaway one (script/test removes it).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "pg_cluster.h"

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
  explicit TempDir(const std::string& prefix = "dh-server-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data())) path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

 private:
  std::string path_;
};

class ServerProcess {
 public:
  ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {})
      : data_dir_(std::move(data_dir)), extra_(std::move(extra_args)) {}
  ~ServerProcess() { stop(); }

  // Starts the server with --port 0 and waits (up to timeout) for the line
  // "Dianhong is running: open http://HOST:PORT/". False on failure, with
  // the reason in error(). Clients connect to 127.0.0.1 whatever --host is.
  bool start(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    int out[2];
    if (pipe(out) != 0) return fail("pipe failed");
    std::vector<std::string> args = {server_binary(), "--port", "0", "--data", data_dir_};
    args.insert(args.end(), extra_.begin(), extra_.end());
    // --communities keeps each community's store in its own folder (SQLite).
    const bool many = std::find(extra_.begin(), extra_.end(), "--communities") != extra_.end();
    if (const char* mode = std::getenv("DH_TEST_SERVER_STORE"); !many && mode && std::string(mode) == "postgres") {
      std::string store;
      if (!postgres_store_for_folder(&store)) return false;
      if (std::find(extra_.begin(), extra_.end(), "--store") == extra_.end()) {
        args.push_back("--store");
        args.push_back(store);
      }
    }
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
    // "Dianhong is running: open http://HOST:PORT/" (HOST as given by --host).
    const std::string running = "Dianhong is running: open http://";
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_fd_, POLLIN, 0};
      int r = poll(&p, 1, 200);
      if (r > 0) {
        char buf[4096];
        ssize_t n = read(out_fd_, buf, sizeof buf);
        if (n <= 0) return fail("the server exited before it was ready; output: " + output_);
        output_.append(buf, static_cast<size_t>(n));
        auto line = output_.find(running);
        auto end = line == std::string::npos ? line : output_.find('/', line + running.size());
        auto at = end == std::string::npos ? end : output_.rfind(':', end);
        if (at != std::string::npos && at > line) {
          port_ = std::atoi(output_.substr(at + 1, end - at - 1).c_str());
          if (port_ <= 0) return fail("bad port in: " + output_);
          return enrol_admin();
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

  // Enrols a device with a one-time code; returns its token ("" on failure).
  std::string enrol(const std::string& code, const std::string& device, std::string* role = nullptr) const {
    auto c = anonymous_client();
    std::string body = "{\"code\":\"" + code + "\",\"device\":\"" + device + "\",\"name\":\"test\"}";
    auto res = c->Post("/api/v1/enrol", body, "application/json");
    if (!res || res->status != 200) return "";
    auto j = nlohmann::json::parse(res->body, nullptr, false);
    if (!j.is_object() || !j.contains("token")) return "";
    if (role) *role = j.value("role", "");
    return j["token"].get<std::string>();
  }
  // A code for role, made with the administrator token ("" on failure).
  std::string new_code(const std::string& role) const {
    auto c = client();
    auto res = c->Post("/api/v1/admin/codes", "{\"role\":\"" + role + "\"}", "application/json");
    if (!res || res->status != 200) return "";
    auto j = nlohmann::json::parse(res->body, nullptr, false);
    return j.is_object() && j.contains("code") ? j["code"].get<std::string>() : "";
  }
  // Enrols device with role; the token ("" on failure).
  std::string enrol_as(const std::string& role, const std::string& device) const {
    std::string code = new_code(role);
    return code.empty() ? "" : enrol(code, device);
  }
  const std::string& admin_token() const { return admin_token_; }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }
  const std::string& output() const { return output_; }
  // A client with the administrator's token (enrolled at start unless the
  // server runs with --auth open), so it may push any device's operations.
  std::unique_ptr<httplib::Client> client() const { return client_with(admin_token_); }
  std::unique_ptr<httplib::Client> anonymous_client() const { return client_with(""); }
  std::unique_ptr<httplib::Client> client_with(const std::string& token) const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    if (!token.empty()) c->set_bearer_token_auth(token);
    c->set_connection_timeout(5);
    c->set_read_timeout(60);
    c->set_write_timeout(60);
    return c;
  }

 private:
  // DH_TEST_SERVER_STORE=postgres: the database of this data folder.
  bool postgres_store_for_folder(std::string* conninfo) {
#ifdef DH_HAVE_LIBPQ
    const std::string admin = test_pg_admin();
    if (admin.empty()) return fail("DH_TEST_SERVER_STORE=postgres needs DH_TEST_PG (script/pg start DIR prints one)");
    char name[40];
    std::snprintf(name, sizeof name, "dh_srv_%016llx",
                  static_cast<unsigned long long>(std::hash<std::string>()(data_dir_)));
    if (std::string e = pg_make_database(admin, name, false); !e.empty()) return fail(e);
    *conninfo = pg_conninfo_with_dbname(admin, name);
    return true;
#else
    (void)conninfo;
    return fail("DH_TEST_SERVER_STORE=postgres, but this build has no libpq");
#endif
  }
  // With device auth, enrol "test-admin" with the administrator code the
  // server wrote (or was given), once per data folder.
  bool enrol_admin() {
    if (output_.find("Open access") != std::string::npos) return true;
    // Many communities: each has its own code, on its own host name (the test enrols).
    if (output_.find("Communities: ") != std::string::npos) return true;
    std::ifstream tf(data_dir_ + "/test-admin-token.txt");
    if (std::getline(tf, admin_token_) && !admin_token_.empty()) return true;
    std::ifstream f(data_dir_ + "/admin-enrolment-code.txt");
    std::string code;
    std::getline(f, code);
    admin_token_ = enrol(code, "test-admin");
    if (admin_token_.empty()) return fail("could not enrol the test administrator; output: " + output_);
    std::ofstream out(data_dir_ + "/test-admin-token.txt");
    out << admin_token_ << "\n";
    return true;
  }
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
  std::string admin_token_;
};

}  // namespace dh::test
