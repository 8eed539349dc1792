// core/text.h: the one trim and the one mask_phone.
#include <catch2/catch.hpp>

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
