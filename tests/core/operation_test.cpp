#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/operation.h"

using namespace dh;

TEST_CASE("An operation round-trips through its canonical JSON text", "[core][operation]") {
  Operation op;
  op.id = OpId{"k7f3a9", 42};
  op.hlc = Hlc{1764147600000, 3};
  op.author = "staff:王芳";
  op.type = "resident.edit";
  op.payload = Json{{"entity", "res-00001"}, {"fields", {{"name", "李堃"}}}};
  std::string text = to_json_text(op);
  CHECK(text.find('\n') == std::string::npos);
  auto back = parse_operation(text);
  REQUIRE(back.ok());
  CHECK(back->id == op.id);
  CHECK(back->hlc == op.hlc);
  CHECK(back->author == op.author);
  CHECK(back->type == op.type);
  CHECK(back->payload == op.payload);
  CHECK(to_json_text(back.value()) == text);  // canonical: same bytes again
}

TEST_CASE("Malformed operations are rejected with a reason in plain words", "[core][operation]") {
  auto reason = [](const std::string& text) {
    auto r = parse_operation(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "malformed_operation");
    return r.error().message;
  };
  CHECK_THAT(reason("{not json"), Catch::Contains("not valid JSON"));
  CHECK_THAT(reason("[]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(reason(R"({"hlc":"1.0","author":"a","type":"x.create","payload":{}})"), Catch::Contains("\"id\""));
  CHECK_THAT(reason(R"({"id":"Bad Device:1","hlc":"1.0","author":"a","type":"x.create","payload":{}})"),
             Catch::Contains("device:sequence"));
  CHECK_THAT(reason(R"({"id":"d:0","hlc":"1.0","author":"a","type":"x.create","payload":{}})"),
             Catch::Contains("device:sequence"));
  CHECK_THAT(reason(R"({"id":"d:1","hlc":"soon","author":"a","type":"x.create","payload":{}})"),
             Catch::Contains("\"hlc\""));
  CHECK_THAT(reason(R"({"id":"d:1","hlc":"1.0","author":"","type":"x.create","payload":{}})"),
             Catch::Contains("\"author\""));
  CHECK_THAT(reason(R"({"id":"d:1","hlc":"1.0","author":"a","type":"x.create","payload":[]})"),
             Catch::Contains("\"payload\""));
  CHECK_THAT(reason(R"({"id":"d:1","hlc":"1.0","author":"a","type":"x.create","payload":{},"extra":1})"),
             Catch::Contains("other than"));
}

TEST_CASE("Operation ids parse and order by device then sequence", "[core][operation]") {
  auto id = OpId::parse("tablet-3:17");
  REQUIRE(id);
  CHECK(id->device == "tablet-3");
  CHECK(id->seq == 17);
  CHECK(OpId{"a", 9} < OpId{"a", 10});
  CHECK(OpId{"a", 10} < OpId{"b", 1});
  CHECK_FALSE(OpId::parse("nocolon"));
  CHECK_FALSE(OpId::parse("dev:"));
  CHECK_FALSE(OpId::parse("dev:12x"));
  CHECK_FALSE(OpId::parse(std::string(33, 'a') + ":1"));
}

// Issue 8: seq 2^64-1 was accepted, and a device that pulled it wrapped its
// next seq to 0. Issue 15: "pd7:007" was renamed "pd7:7" in the answer.
TEST_CASE("Operation ids are bounded and canonical at parse time", "[core][operation][bounds]") {
  CHECK_FALSE(OpId::parse("pd7:18446744073709551615").has_value());
  CHECK_FALSE(OpId::parse("pd7:9007199254740993").has_value());
  REQUIRE(OpId::parse("pd7:9007199254740992").has_value());
  CHECK(OpId::parse("pd7:9007199254740992")->seq == kMaxOpSeq);
  CHECK_FALSE(OpId::parse("pd7:007").has_value());
  CHECK_FALSE(OpId::parse("pd7:+7").has_value());
  CHECK_FALSE(OpId::parse("pd7:-7").has_value());
  CHECK_FALSE(OpId::parse("pd7:0").has_value());
  auto op = parse_operation(
      R"({"author":"a","hlc":"1.0","id":"pd7:18446744073709551615","payload":{},"type":"grid.create"})");
  REQUIRE_FALSE(op.ok());
  CHECK(op.error().code == "malformed_operation");
  CHECK(op.error().message.find("2^53") != std::string::npos);
  auto big = parse_operation(R"({"author":"a","hlc":"1.4294967295","id":"pd7:1","payload":{},"type":"grid.create"})");
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().message.find("2^31") != std::string::npos);
}

// to_json_text writes the canonical text directly (issue 13: the Json copy
// of every payload cost the server a tenth of a push); it must stay the very
// bytes of the Json dump, for every kind of text the fields may hold.
TEST_CASE("to_json_text is byte for byte the Json dump, escapes and bad UTF-8 included", "[core][operation]") {
  const std::vector<std::string> texts = {
      "staff:demo", "staff:王芳", "a\"quote", "back\\slash", "tab\there", "nl\n", std::string("nul\0x", 5),
      "\x7f" "del", "bad \xff\xfe utf8", "cut \xe4\xbd", "emoji 😀", ""};
  for (const auto& t : texts) {
    Operation op;
    op.id = OpId{"k7f3a9", 42};
    op.hlc = Hlc{1764147600000, 7};
    op.author = t;
    op.type = t.empty() ? "x.y" : t;
    op.payload = Json{{"entity", t}, {"fields", {{"note", t}, {"n", 3}, {"list", {1, "two", nullptr}}}}};
    INFO("text: " << t);
    CHECK(to_json_text(op) == to_json(op).dump(-1, ' ', false, Json::error_handler_t::replace));
    std::string s;
    append_json_string(s, t);
    CHECK(s == Json(t).dump(-1, ' ', false, Json::error_handler_t::replace));
  }
}

TEST_CASE("operation_from_json of a moved Json gives the same answers as of a copy", "[core][operation]") {
  const std::vector<std::string> texts = {
      R"({"author":"a","hlc":"1.0","id":"d:1","payload":{"x":{"y":[1,2]}},"type":"t.e"})",
      R"({"author":"a","hlc":"1.0","id":"d:1","payload":[],"type":"t.e"})",
      R"({"author":"a","hlc":"1.0","id":"d:01","payload":{},"type":"t.e"})",
      R"({"author":"a","hlc":"1.0","id":"d:1","payload":{},"type":"t.e","extra":1})",
      R"({"author":"a","hlc":"1.0","id":"d:1","type":"t.e"})",
      R"([1,2])",
  };
  for (const auto& t : texts) {
    INFO(t);
    Json j = Json::parse(t);
    auto copied = operation_from_json(j);
    auto moved = operation_from_json(Json(j));
    REQUIRE(copied.ok() == moved.ok());
    if (copied.ok()) {
      CHECK(to_json_text(copied.value()) == to_json_text(moved.value()));
      CHECK(moved->payload == j["payload"]);
    } else {
      CHECK(copied.error().code == moved.error().code);
      CHECK(copied.error().message == moved.error().message);
    }
  }
}
