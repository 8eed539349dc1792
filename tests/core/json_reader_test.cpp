// JsonReader (core/json_reader.h) against Json::parse: the same inputs
// accepted, the same values built (types included), and its canonical flag
// never true for text that Json::dump() would write differently.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "core/demo.h"
#include "core/json_reader.h"
#include "core/operation.h"

using namespace dh;

namespace {
// Equal values of equal types (Json's == calls 5 unsigned equal to 5 signed).
bool same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key() || !same(*ia, *ib)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  if (a.is_number_float()) return a.get<double>() == b.get<double>() || (a.dump() == b.dump());
  return a == b;
}

struct Read {
  bool ok = false;
  Json value;
  bool canonical = false;
};

Read read(const std::string& text) {
  JsonReader reader(text);
  reader.skip_bom();
  reader.reset_canonical();
  Read r;
  r.ok = reader.value(r.value) && reader.at_end();
  r.canonical = reader.canonical();
  return r;
}

// Both parsers on text: the same verdict and value; canonical only when the
// text is its own dump.
void check_against_nlohmann(const std::string& text) {
  Json expected = Json::parse(text.begin(), text.end(), nullptr, false);
  Read got = read(text);
  INFO("text: " << text);
  REQUIRE(got.ok == !expected.is_discarded());
  if (!got.ok) return;
  CHECK(same(got.value, expected));
  const std::string dumped = expected.dump(-1, ' ', false, Json::error_handler_t::replace);
  const bool bom = text.compare(0, 3, "\xef\xbb\xbf") == 0;  // skipped before the value
  if (got.canonical) CHECK(dumped == (bom ? text.substr(3) : text));
  std::string written;
  append_json(written, expected);
  CHECK(written == dumped);
}

const std::vector<std::string> kCases = {
    "{}", "[]", "0", "-0", "1", "-1", "01", "-", "1.", ".5", "1.5", "1e5", "1E+5", "1e-5", "1e", "1e+",
    "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
    "1e400", "-1e400", "1e-400", "true", "false", "null", "tru", "nul", "True", "\"\"", "\"a\"", "\"",
    "\"\\u0041\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"",
    "\"\\uZZZZ\"", "\"\\u12\"", "\"\\x\"", "\"\\/\"", "\"\\b\\f\\n\\r\\t\\\"\\\\\"", "\"a\tb\"", "\"\x7f\"",
    "\"\xc3\xa9\"", "\"\xc3\"", "\"\xc0\x80\"", "\"\xe0\x80\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
    "\"\xf0\x9f\x98\x80\"", "\"\xe6\x9d\x8e\"", "\"\xff\"", "\xef\xbb\xbf{}", "\xef\xbb{}", " \xef\xbb\xbf{}",
    "{\"a\":1,\"a\":2}", "{\"b\":1,\"a\":2}", "{\"a\":1,\"b\":2}", "{\"a\" : 1}", "{ }", "[1,]", "[,1]",
    "{\"a\":1,}", "{,}", "{\"a\"}", "{\"a\":}", "{1:2}", "[1 2]", "[1] ", " [1]", "[1] x", "", " ",
    "\t\r\n[\t\r\n]\t\r\n", "[\f]", std::string("[1,\0]", 5), std::string("\"a\0\"", 4),
    "{\"z\":{\"y\":[1,-2,3.25,true,null,\"x\"]},\"a\":[]}", "{\"\\u0061\":1}", "{\"a\\\"b\":1}",
    "[[[[[[[[]]]]]]]]", "{\"a\":{\"b\":{\"c\":{}}}}", "[-0.0]", "[1E2]", "[0e0]", "[-]", "[--1]", "[+1]",
};
}  // namespace

TEST_CASE("JsonReader accepts and builds exactly what Json::parse does", "[core][json_reader]") {
  for (const auto& text : kCases) check_against_nlohmann(text);
}

TEST_CASE("JsonReader matches Json::parse on mutated operations and pushes", "[core][json_reader]") {
  std::vector<Operation> ops = generate_demo();
  ops.resize(200);
  std::vector<std::string> seeds;
  for (const auto& op : ops) seeds.push_back(to_json_text(op));
  const std::string alphabet = "{}[]:,\" \\-0123456789.eE+tfnul/ab\xc3\xa9\xe6\x9d\x8e\x01\x7f\xff";
  std::mt19937 rng(1234);
  for (int round = 0; round < 20000; ++round) {
    std::string text = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0: text.erase(at, 1); break;
        case 1: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 2: text[at] = alphabet[rng() % alphabet.size()]; break;
        default: text.insert(at, text.substr(rng() % text.size(), rng() % 12)); break;
      }
    }
    check_against_nlohmann(text);
  }
}

TEST_CASE("JsonReader reads an operation as operation_from_json does", "[core][json_reader]") {
  const std::vector<std::string> cases = {
      R"({"author":"a","hlc":"5.0","id":"d:1","payload":{},"type":"x.y"})",
      R"({"type":"x.y","payload":{"k":[1,2]},"id":"d:1","hlc":"5.0","author":"a"})",
      R"({"author":"a","hlc":"5.0","id":"d:1","payload":{},"type":"x.y","extra":1})",
      R"({"author":"a","hlc":"5.0","id":"d:1","payload":{},"type":"x.y","id":"d:2"})",
      R"({"author":"a","hlc":"5.0","id":"d:1","payload":{},"type":"x.y","id":7})",
      R"({"author":"a","hlc":"05.0","id":"d:1","payload":{},"type":"x.y"})",
      R"({"author":"","hlc":"5.0","id":"d:1","payload":{},"type":"x.y"})",
      R"({"author":"a","hlc":"5.0","id":"d:01","payload":{},"type":"x.y"})",
      R"({"author":"a","hlc":"5.0","id":"d:1","payload":[],"type":"x.y"})",
      R"({"author":"a","hlc":"5.0","id":"d:1","payload":{},"payload":3,"type":"x.y"})",
      R"({"author":"a","hlc":"5.0","id":"d:1","type":"x.y"})",
      R"({"author":"a","hlc":"5.0","id":"d:1","payload":{},"type":"x.y","e":1,"e":2})",
      R"({"author":"\u0061","hlc":"5.0","id":"d:1","payload":{"b":1,"a":2},"type":"x.y"})",
      R"({"author":"a","hlc":"5.0","id":"d:1","payload":{"a":-0,"b":1.5},"type":"x.y"})",
      R"([1])", R"("op")", R"(null)",
  };
  for (const auto& text : cases) {
    INFO("text: " << text);
    JsonReader reader(text);
    OperationParts parts;
    reader.reset_canonical();
    REQUIRE(reader.operation(parts));
    const bool canonical = reader.canonical();
    auto fast = operation_from_parts(std::move(parts));
    auto slow = operation_from_json(Json::parse(text));
    REQUIRE(fast.ok() == slow.ok());
    if (!fast.ok()) {
      CHECK(fast.error().code == slow.error().code);
      CHECK(fast.error().message == slow.error().message);
      continue;
    }
    CHECK(to_json_text(fast.value()) == to_json_text(slow.value()));
    CHECK(same(fast->payload, slow->payload));
    if (canonical) CHECK(to_json_text(fast.value()) == text);
  }
}

TEST_CASE("append_json writes what Json::dump writes, invalid UTF-8 included", "[core][json_reader]") {
  const std::vector<std::string> texts = {"plain", "\x7f", "\xc3\xa9", "\xc3", "\xff", "a\x01" "z", "\xed\xa0\x80",
                                          "\xf4\x90\x80\x80", "\xe6\x9d\x8e\xe5", "q\"b\\\\", "tab\there",
                                          std::string("nul\0in", 6)};
  for (const auto& t : texts) {
    Json j = {{t, t}, {"list", {t, 1, -2, 2.5, 1e300, true, nullptr}}, {"n", Json::object()}};
    std::string written;
    append_json(written, j);
    INFO(t);
    CHECK(written == j.dump(-1, ' ', false, Json::error_handler_t::replace));
  }
}
