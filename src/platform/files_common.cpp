// platform/files.h: what both platforms share.
#include "platform/files.h"

namespace dh::platform {

std::string safe_file_name(const std::string& name) {
  std::string base = name;
  const size_t cut = base.find_last_of("/\\");
  if (cut != std::string::npos) base = base.substr(cut + 1);
  for (char& c : base) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ':' || c == '*' || c == '?' || c == '"' || c == '<' || c == '>' || c == '|')
      c = '_';
  }
  if (base.empty() || base == "." || base == "..") return "file";
  return base;
}

}  // namespace dh::platform
