// Running the real `dianhong` binary in the CLI tests: a temporary folder
// removed at the end, files read and written whole, and one run's exit status
// with its standard output and error (captured into files in the folder).
// The binary is $DH_CLI_BINARY, else DH_CLI_BINARY as compiled in
// (src/server/CMakeLists.txt).
#pragma once

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef DH_CLI_BINARY
#define DH_CLI_BINARY "dianhong"
#endif

namespace dh::cli_test {

struct TempDir {
  std::string path;
  explicit TempDir(const std::string& prefix = "dh-cli") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data())) path = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

struct CliRun {
  int status = -1;
  std::string out, err;
};

inline std::string cli_binary() {
  const char* env = std::getenv("DH_CLI_BINARY");
  return env && *env ? env : DH_CLI_BINARY;
}

inline std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline void write_all(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

// Runs `dianhong ARGS` (ARGS already shell-safe: temp paths and fixed words).
inline CliRun run_cli(const std::string& dir, const std::string& args) {
  const std::string out = dir + "/stdout.txt", err = dir + "/stderr.txt";
  const std::string cmd = "'" + cli_binary() + "' " + args + " >'" + out + "' 2>'" + err + "'";
  CliRun r;
  const int rc = std::system(cmd.c_str());
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = read_all(out);
  r.err = read_all(err);
  return r;
}

}  // namespace dh::cli_test
