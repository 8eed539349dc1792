// core/text.h: the one trim and the one mask_phone.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "core/operation.h"
#include "core/text.h"

using namespace dh;

TEST_CASE("trim drops ASCII white space and the ideographic space at both ends", "[core][text]") {
  CHECK(trim("") == "");
  CHECK(trim("   ") == "");
  CHECK(trim("  第一网格 ") == "第一网格");
  CHECK(trim("\t\r\n幸福里\n") == "幸福里");
  CHECK(trim("\xE3\x80\x80 \xE3\x80\x80张三\xE3\x80\x80\t") == "张三");  // mixed, either order
  CHECK(trim("张 三") == "张 三");                                         // inside is kept
  CHECK(trim("\xE3\x80\x80") == "");
  CHECK(trim("a\xE3\x80\x80z") == "a\xE3\x80\x80z");
}

TEST_CASE("mask_phone shows the last four digits and where the number is", "[core][text]") {
  CHECK(mask_phone("13812345678") == "138****5678");  // mobile
  CHECK(mask_phone("19900001111") == "199****1111");
  CHECK(mask_phone("0883-6123456") == "0883-***3456");  // landline: area code kept
  CHECK(mask_phone("010-87654321") == "010-****4321");
  CHECK(mask_phone("") == "");
  CHECK(mask_phone("1234") == "****");  // too short to show anything
  CHECK(mask_phone("6123456") == "*******");
  CHECK(mask_phone("+86 138 1234 5678") == "+86 1** **** 5678");  // not canonical: first 3 and last 4 digits
  // Never the whole middle of a number.
  for (const std::string p : {"13812345678", "0883-6123456", "010-87654321", "86123456789012"}) {
    const std::string m = mask_phone(p);
    INFO(p << " -> " << m);
    CHECK(m.size() == p.size());
    CHECK(m.find("***") != std::string::npos);
    CHECK(m.substr(m.size() - 4) == p.substr(p.size() - 4));
  }
}

TEST_CASE("json_string_is_verbatim says yes only where JSON text keeps the string as it is", "[core][text]") {
  auto dumped = [](const std::string& s) { return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace); };
  auto agrees = [&](const std::string& s) {
    // Yes must mean the serializer writes exactly the quoted bytes; and for
    // these inputs no must mean it does not (the fast path is only a shortcut,
    // but it should catch every string the serializer leaves alone).
    return dh::json_string_is_verbatim(s) == (dumped(s) == "\"" + s + "\"");
  };
  for (const std::string& s : {std::string(""), std::string("plain text"), std::string("东城社区 幸福里 3-2-501"),
                              std::string("emoji \xF0\x9F\x98\x80"), std::string("del \x7F ok"), std::string("a/b"),
                              std::string("quote \""), std::string("back\\slash"), std::string("tab\there"),
                              std::string("nul\0x", 5), std::string("\xC0\xAF overlong"), std::string("\xE0\x80\xAF"),
                              std::string("\xED\xA0\x80 surrogate"), std::string("\xF4\x90\x80\x80 too high"),
                              std::string("\xE4\xB8 cut"), std::string("\xE4\xB8"), std::string("\x80 lone"),
                              std::string("\xF5\x80\x80\x80"), std::string("\xEF\xBF\xBF"), std::string("\xF4\x8F\xBF\xBF")}) {
    INFO(dumped(s));
    CHECK(agrees(s));
  }
  // Random bytes biased towards UTF-8 lead and continuation bytes.
  std::mt19937 rng(20261203);
  const unsigned char pool[] = {'a', ' ', '"', '\\', 0x01, 0x1F, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2,
                                0xDF, 0xE0, 0xE4, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  int verbatim = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int len = static_cast<int>(rng() % 8);
    for (int k = 0; k < len; ++k) s += static_cast<char>(pool[rng() % sizeof pool]);
    INFO(dumped(s));
    REQUIRE(agrees(s));
    verbatim += dh::json_string_is_verbatim(s) ? 1 : 0;
  }
  CHECK(verbatim > 100);  // the cases exercised both answers
}
