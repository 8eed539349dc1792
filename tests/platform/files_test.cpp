// platform/files.h natively: exports land in the files folder byte for byte,
// under a name that cannot leave it. (The web half, Blob + download anchor,
// is exercised by the browser tests.)
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "platform/files.h"

using namespace dh::platform;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Folder {
  std::string path;
  Folder() {
    char tmpl[] = "/tmp/dh-files-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    path = tmpl;
  }
  ~Folder() { std::system(("rm -rf '" + path + "'").c_str()); }
};

}  // namespace

TEST_CASE("save_file writes the bytes unchanged into the files folder and says where", "[platform][files][native]") {
  Folder dir;
  set_files_folder(dir.path + "/data/exports");  // made when missing
  const std::string csv = "\xEF\xBB\xBF" "站点,岗位\r\n幸福里,\"课后,托管\"\r\n";
  FileResult r = save_file("名单-2026-12-01.csv", "text/csv;charset=utf-8", csv);
  REQUIRE(r.ok);
  CHECK(r.path == dir.path + "/data/exports/名单-2026-12-01.csv");
  CHECK(read_all(r.path) == csv);
  // The same name again replaces it; no temporary file is left.
  r = save_file("名单-2026-12-01.csv", "text/csv;charset=utf-8", "x");
  REQUIRE(r.ok);
  CHECK(read_all(r.path) == "x");
  CHECK(::access((r.path + ".tmp").c_str(), F_OK) != 0);

  FileResult p = print_html("<!doctype html><p>名单</p>", "名单.html");
  REQUIRE(p.ok);
  CHECK(read_all(p.path) == "<!doctype html><p>名单</p>");
}

TEST_CASE("a file name cannot leave the files folder", "[platform][files][native]") {
  CHECK(safe_file_name("../../etc/passwd") == "passwd");
  CHECK(safe_file_name("a\\b.csv") == "b.csv");
  CHECK(safe_file_name("..") == "file");
  CHECK(safe_file_name("") == "file");
  CHECK(safe_file_name("x\ny?.ics") == "x_y_.ics");
  Folder dir;
  set_files_folder(dir.path);
  FileResult r = save_file("../outside.csv", "text/csv", "1");
  REQUIRE(r.ok);
  CHECK(r.path == dir.path + "/outside.csv");
  // A folder that cannot be made is an error in words, not a crash.
  set_files_folder("/proc/dh-no-such/exports");
  FileResult bad = save_file("a.csv", "text/csv", "1");
  CHECK_FALSE(bad.ok);
  CHECK_THAT(bad.error, Catch::Contains("could not be made"));
}
