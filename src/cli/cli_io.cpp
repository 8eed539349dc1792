#include "cli/cli_io.h"

#include <fstream>
#include <iostream>
#include <sstream>

namespace dh::cli {

bool read_input(const std::string& path, std::string* text) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return false;
    in = &file;
  }
  std::ostringstream s;
  s << in->rdbuf();
  *text = s.str();
  return true;
}

bool write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    std::cout.flush();
    return static_cast<bool>(std::cout);
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  return static_cast<bool>(f);
}

std::optional<Json> read_json_input(const std::string& command, const std::string& path, int* exit_code) {
  std::string text;
  if (!read_input(path, &text)) {
    std::cerr << "dianhong " << command << ": cannot read " << path << ".\n";
    *exit_code = 2;
    return std::nullopt;
  }
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::cerr << "dianhong " << command << ": " << path << " is not valid JSON.\n";
    *exit_code = 1;
    return std::nullopt;
  }
  return j;
}

}  // namespace dh::cli
