// Every error code a person can be shown (core/error_codes.h) has words in
// zh-CN and English, and the list misses no code the sources return (issue 12).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "core/error_codes.h"
#include "ui/strings.h"

using namespace dh;
using namespace dh::ui;

namespace {

std::set<std::string> listed_codes() {
  std::set<std::string> all;
  for (const auto* list : {&core_error_codes(), &client_error_codes(), &server_error_codes()})
    all.insert(list->begin(), list->end());
  return all;
}

// A word of Latin letters in Chinese text (codes like "SHA-256" and "qr:" are
// allowed where the table itself names them; none of these lists needs more).
bool has_latin_word(const std::string& s) {
  static const std::regex word("[A-Za-z]{4,}");
  return std::regex_search(s, word);
}

}  // namespace

TEST_CASE("every listed error code has zh-CN and English words", "[strings][error_codes]") {
  const auto codes = listed_codes();
  REQUIRE(codes.size() > 150);
  for (const auto& code : codes) {
    INFO("error." << code);
    const char* zh = find_text(Language::zh_CN, "error." + code);
    const char* en = find_text(Language::en, "error." + code);
    REQUIRE(zh != nullptr);
    REQUIRE(en != nullptr);
    CHECK(std::string(zh).size() > 0);
    CHECK(std::string(en).size() > 0);
    CHECK_FALSE(has_latin_word(zh));
  }
}

// The list is the one place codes are named for the UI; the sources must not
// return a code it lacks. Scans the literal codes of make_error, invalid,
// rule, fail, send_error and "res.code =" in the modules that reach a person.
TEST_CASE("the error code list misses no code the sources return", "[strings][error_codes][native]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(DH_TEST_DATA_DIR).parent_path().parent_path() / "src";
  REQUIRE(fs::is_directory(root / "core"));
  static const std::regex call(
      R"re((?:\bmake_error|\binvalid|\brule|\bfail)\("([a-z_]+)"|send_error\(res, [0-9]+, "([a-z_]+)"|res\.code = "([a-z_]+)")re");
  const auto codes = listed_codes();
  size_t seen = 0;
  for (const char* module : {"core", "store", "sync", "session", "server"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / module)) {
      const auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".h") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      for (std::sregex_iterator it(s.begin(), s.end(), call), end; it != end; ++it) {
        std::string code = (*it)[1].matched ? (*it)[1].str() : (*it)[2].matched ? (*it)[2].str() : (*it)[3].str();
        if (code == "x") continue;  // replica.cpp: a placeholder replaced before anyone sees it
        ++seen;
        INFO(entry.path().string() << ": " << code);
        CHECK(codes.count(code) == 1);
      }
    }
  }
  CHECK(seen > 200);
}
