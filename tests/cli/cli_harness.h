// Running the real `dianhong` binary in the CLI tests: files read and written whole, and one run's exit status
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

#include "../server/server_process.h"

#ifndef DH_CLI_BINARY
#define DH_CLI_BINARY "dianhong"
#endif

namespace dh::cli_test {

using dh::test::TempDir;  // a temporary folder, removed at the end

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
