// Sync protocol v1 encoding (src/sync/protocol.h): round trips and the
// refusals a server must make without throwing.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/demo.h"
#include "core/operation.h"
#include "sync/protocol.h"

using namespace dh;
using namespace dh::sync;

namespace {

std::vector<Operation> some_ops(size_t n) {
  DemoOptions o;
  o.households = 12;
  o.experts = 3;
  o.trainees = 1;
  auto ops = generate_demo(o);
  if (ops.size() > n) ops.resize(n);
  return ops;
}

Operation op_with(const std::string& id, const std::string& type) {
  Operation op;
  op.id = *OpId::parse(id);
  op.hlc = Hlc{1767225600000, 3};
  op.author = "staff:wang";
  op.type = type;
  op.payload = {{"entity", "hh-1"}, {"fields", {{"address", "滇红路 1 号"}}}};
  return op;
}

}  // namespace

TEST_CASE("push request round trip keeps every operation byte-identical", "[sync]") {
  auto ops = some_ops(40);
  REQUIRE(ops.size() == 40);
  std::string text = encode_push_request("tablet-1", ops);
  auto req = decode_push_request(text);
  REQUIRE(req.ok());
  CHECK(req->protocol == kProtocolVersion);
  CHECK(req->device == "tablet-1");
  REQUIRE(req->items.size() == ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    REQUIRE(req->items[i].op.has_value());
    CHECK(req->items[i].id == ops[i].id.to_string());
    CHECK(to_json_text(*req->items[i].op) == to_json_text(ops[i]));
  }
}

TEST_CASE("an empty push is a valid request", "[sync]") {
  auto req = decode_push_request(encode_push_request("d", {}));
  REQUIRE(req.ok());
  CHECK(req->items.empty());
}

TEST_CASE("a malformed operation in a push is kept as an item with its error", "[sync]") {
  std::string good = to_json_text(op_with("tab:1", "household.create"));
  std::string text = R"({"protocol":1,"device":"tab","ops":[{"id":"tab:2","hlc":"nope"},)" + good +
                     R"(,42]})";
  auto req = decode_push_request(text);
  REQUIRE(req.ok());
  REQUIRE(req->items.size() == 3);
  CHECK_FALSE(req->items[0].op.has_value());
  CHECK(req->items[0].id == "tab:2");
  CHECK(req->items[0].error.code == "malformed_operation");
  CHECK_FALSE(req->items[0].error.message.empty());
  REQUIRE(req->items[1].op.has_value());
  CHECK(req->items[1].id == "tab:1");
  CHECK_FALSE(req->items[2].op.has_value());
  CHECK(req->items[2].id.empty());
}

TEST_CASE("push requests the server refuses as a whole", "[sync]") {
  struct Case {
    std::string body;
    std::string code;
  };
  std::vector<Case> cases = {
      {"", "bad_json"},
      {"{not json", "bad_json"},
      {"[1,2]", "bad_json"},
      {"\"text\"", "bad_json"},
      {R"({"device":"d","ops":[]})", "bad_json"},
      {R"({"protocol":"1","device":"d","ops":[]})", "bad_json"},
      {R"({"protocol":3,"device":"d","ops":[]})", "unsupported_protocol"},
      {R"({"protocol":0,"device":"d","ops":[]})", "unsupported_protocol"},
      {R"({"protocol":2,"device":"d","device_ms":"soon","ops":[]})", "bad_json"},
      {R"({"protocol":1,"ops":[]})", "bad_json"},
      {R"({"protocol":1,"device":"Bad Device!","ops":[]})", "bad_device"},
      {R"({"protocol":1,"device":"","ops":[]})", "bad_device"},
      {R"({"protocol":1,"device":"d","ops":{}})", "bad_json"},
      {R"({"protocol":1,"device":"d"})", "bad_json"},
      {"{\"protocol\":1,\"device\":\"d\",\"ops\":[]}\xff", "bad_json"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    auto req = decode_push_request(c.body);
    REQUIRE_FALSE(req.ok());
    CHECK(req.error().code == c.code);
    CHECK_FALSE(req.error().message.empty());
  }
}

TEST_CASE("a push with more than the limit of operations is refused", "[sync]") {
  std::vector<Operation> ops;
  for (size_t i = 1; i <= kMaxPushOps + 1; ++i) ops.push_back(op_with("d:" + std::to_string(i), "x.create"));
  auto req = decode_push_request(encode_push_request("d", ops));
  REQUIRE_FALSE(req.ok());
  CHECK(req.error().code == "too_many_ops");
  ops.pop_back();
  CHECK(decode_push_request(encode_push_request("d", ops)).ok());
}

TEST_CASE("push response round trip", "[sync]") {
  PushResponse r;
  r.head = 77;
  r.server_ms = 1767225600123;
  r.clock_warning = "clock is wrong";
  PushResult a;
  a.id = "d:1";
  a.status = PushStatus::accepted;
  a.seq = 76;
  PushResult b;
  b.id = "d:2";
  b.status = PushStatus::duplicate;
  b.seq = 12;
  PushResult c;
  c.id = "d:3";
  c.status = PushStatus::rejected;
  c.code = "missing_field";
  c.reason = "A household needs the field \"address\".";
  r.results = {a, b, c};
  auto back = decode_push_response(encode_push_response(r));
  REQUIRE(back.ok());
  CHECK(back->head == 77);
  CHECK(back->server_ms == 1767225600123);
  CHECK(back->clock_warning == "clock is wrong");
  REQUIRE(back->results.size() == 3);
  CHECK(back->results[0].status == PushStatus::accepted);
  CHECK(back->results[0].seq == 76);
  CHECK(back->results[1].status == PushStatus::duplicate);
  CHECK(back->results[1].seq == 12);
  CHECK(back->results[2].status == PushStatus::rejected);
  CHECK(back->results[2].code == "missing_field");
  CHECK(back->results[2].reason == c.reason);

  r.clock_warning.clear();
  auto quiet = decode_push_response(encode_push_response(r));
  REQUIRE(quiet.ok());
  CHECK(quiet->clock_warning.empty());
  CHECK(encode_push_response(r).find("clock_warning") == std::string::npos);

  // Written directly since issue 13: the same bytes as the Json dump it
  // replaced, with and without a warning, with quotes and bad UTF-8.
  auto as_json = [](const PushResponse& x) {
    Json results = Json::array();
    for (const PushResult& p : x.results) {
      Json e = {{"id", p.id}, {"status", to_string(p.status)}};
      if (p.status == PushStatus::rejected) {
        e["code"] = p.code;
        e["reason"] = p.reason;
      } else {
        e["seq"] = p.seq;
      }
      results.push_back(std::move(e));
    }
    Json j = {{"protocol", x.protocol}, {"results", std::move(results)}, {"head", x.head}, {"server_ms", x.server_ms}};
    if (!x.clock_warning.empty()) j["clock_warning"] = x.clock_warning;
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
  };
  CHECK(encode_push_response(r) == as_json(r));
  r.clock_warning = "about 2 days \"ahead\" \xff";
  r.results[2].reason = "line\nbreak \xe4\xbd and 王芳";
  CHECK(encode_push_response(r) == as_json(r));
  r.results.clear();
  CHECK(encode_push_response(r) == as_json(r));
}

TEST_CASE("pull response round trip with verbatim operation text", "[sync]") {
  auto ops = some_ops(25);
  std::vector<RawPulledOp> raw;
  for (size_t i = 0; i < ops.size(); ++i) raw.push_back({100 + 2 * i, to_json_text(ops[i])});
  std::string text = encode_pull_response(raw, raw.back().seq, true, 500, 42);
  // The encoder writes JSON nlohmann agrees is valid.
  CHECK_FALSE(Json::parse(text, nullptr, false).is_discarded());
  auto back = decode_pull_response(text);
  REQUIRE(back.ok());
  CHECK(back->next == raw.back().seq);
  CHECK(back->more);
  CHECK(back->head == 500);
  CHECK(back->server_ms == 42);
  REQUIRE(back->ops.size() == ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    CHECK(back->ops[i].seq == raw[i].seq);
    CHECK(to_json_text(back->ops[i].op) == raw[i].op_json);
  }

  auto empty = decode_pull_response(encode_pull_response({}, 9, false, 9, 1));
  REQUIRE(empty.ok());
  CHECK(empty->ops.empty());
  CHECK(empty->next == 9);
  CHECK_FALSE(empty->more);
}

TEST_CASE("pull responses a client must refuse", "[sync]") {
  std::string op = to_json_text(op_with("d:1", "household.create"));
  CHECK_FALSE(decode_pull_response("nope").ok());
  CHECK_FALSE(decode_pull_response(R"({"ops":[],"next":1,"head":1,"server_ms":0})").ok());  // no more
  CHECK_FALSE(decode_pull_response(
                  R"({"ops":[{"seq":2,"op":)" + op + R"(},{"seq":2,"op":)" + op +
                  R"(}],"next":2,"more":false,"head":2,"server_ms":0})")
                  .ok());  // not ascending
  auto bad_op = decode_pull_response(
      R"({"ops":[{"seq":2,"op":{"id":"d:1"}}],"next":2,"more":false,"head":2,"server_ms":0})");
  REQUIRE_FALSE(bad_op.ok());
  CHECK(bad_op.error().message.find("seq 2") != std::string::npos);
}

TEST_CASE("pull query parameters", "[sync]") {
  auto d = parse_pull_query("", "");
  REQUIRE(d.ok());
  CHECK(d->after == 0);
  CHECK(d->limit == kDefaultPullLimit);
  auto q = parse_pull_query("1234", "1000");
  REQUIRE(q.ok());
  CHECK(q->after == 1234);
  CHECK(q->limit == 1000);
  for (auto [after, limit] : std::vector<std::pair<std::string, std::string>>{
           {"-1", ""}, {"abc", ""}, {"1.5", ""}, {"99999999999999999999999", ""},
           {"", "0"}, {"", "1001"}, {"", "x"}, {" 1", ""}}) {
    INFO(after << " / " << limit);
    auto r = parse_pull_query(after, limit);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "bad_query");
  }
}

TEST_CASE("error and health bodies round trip", "[sync]") {
  auto e = decode_error(encode_error(make_error("too_large", "Too big.")));
  REQUIRE(e.has_value());
  CHECK(e->code == "too_large");
  CHECK(e->message == "Too big.");
  CHECK_FALSE(decode_error("{}").has_value());
  CHECK_FALSE(decode_error("<html>").has_value());

  Health h;
  h.ops = 14928;
  h.head = 14930;
  h.state_hash = "21f47e15c42e7738";
  h.auth = "open";
  h.server_ms = 5;
  auto back = decode_health(encode_health(h));
  REQUIRE(back.ok());
  CHECK(back->status == "ok");
  CHECK(back->protocol == kProtocolVersion);
  CHECK(back->ops == 14928);
  CHECK(back->head == 14930);
  CHECK(back->state_hash == h.state_hash);
  CHECK(back->auth == "open");
}

// Issue 8: `after` >= 2^63 wrapped and restarted the pull at 1; device_ms
// INT64_MIN and UINT64_MAX were mishandled; seqs past 2^53 lose precision in
// JavaScript. Every number is bounded where it is parsed.
TEST_CASE("numbers in requests and answers are bounded at parse time", "[sync][bounds]") {
  for (const std::string after : {"9223372036854775808", "18446744073709551615", "9007199254740993"}) {
    INFO(after);
    auto r = parse_pull_query(after, "");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "bad_query");
    CHECK(r.error().message.find("2^53") != std::string::npos);
  }
  REQUIRE(parse_pull_query("9007199254740992", "").ok());

  for (const std::string ms : {"-9223372036854775808", "18446744073709551615", "-1", "9007199254740992"}) {
    INFO(ms);
    auto req = decode_push_request(R"({"protocol":2,"device":"d","device_ms":)" + ms + R"(,"ops":[]})");
    REQUIRE_FALSE(req.ok());
    CHECK(req.error().code == "out_of_range");
  }
  auto fine = decode_push_request(R"({"protocol":2,"device":"d","device_ms":1767225600000,"ops":[]})");
  REQUIRE(fine.ok());
  CHECK(fine->device_ms == 1767225600000);

  // An op id with seq 2^64-1 is one bad item, the others stay.
  auto mixed = decode_push_request(
      R"({"protocol":2,"device":"d","ops":[{"author":"a","hlc":"1.0","id":"d:18446744073709551615","payload":{},"type":"grid.create"},)"
      R"({"author":"a","hlc":"1.0","id":"d:1","payload":{},"type":"grid.create"}]})");
  REQUIRE(mixed.ok());
  REQUIRE(mixed->items.size() == 2);
  CHECK_FALSE(mixed->items[0].op.has_value());
  CHECK(mixed->items[0].error.code == "malformed_operation");
  CHECK(mixed->items[1].op.has_value());

  // Answers a client must refuse: seq, head or next past 2^53, server_ms out of range.
  CHECK_FALSE(decode_pull_response(R"({"head":18446744073709551615,"more":false,"next":0,"ops":[],"server_ms":1})").ok());
  CHECK_FALSE(decode_pull_response(R"({"head":1,"more":false,"next":9007199254740993,"ops":[],"server_ms":1})").ok());
  CHECK_FALSE(decode_pull_response(R"({"head":1,"more":false,"next":1,"ops":[],"server_ms":-5})").ok());
  CHECK_FALSE(decode_push_response(R"({"protocol":2,"results":[],"head":1,"server_ms":18446744073709551615})").ok());
  CHECK(decode_pull_response(R"({"head":1,"more":false,"next":1,"ops":[],"server_ms":1})").ok());
}

TEST_CASE("a clock_far_ahead answer carries the server's clock", "[sync][clock]") {
  const std::string body = encode_clock_error(make_error("clock_far_ahead", "Set the clock."), 1767225600000);
  auto e = decode_error(body);
  REQUIRE(e.has_value());
  CHECK(e->code == "clock_far_ahead");
  CHECK(decode_error_server_ms(body) == std::optional<int64_t>(1767225600000));
  CHECK_FALSE(decode_error_server_ms(encode_error(make_error("clock_far_ahead", "old server"))).has_value());
}

TEST_CASE("a pushed operation's received text is kept only when it is the canonical text", "[sync][canonical]") {
  // Canonical as the app sends it: every item keeps the received bytes, and
  // they are the canonical text the server would write.
  auto ops = some_ops(60);
  auto req = decode_push_request(encode_push_request("tablet-1", ops));
  REQUIRE(req.ok());
  for (size_t i = 0; i < ops.size(); ++i) {
    REQUIRE(req->items[i].op.has_value());
    CHECK(req->items[i].text == to_json_text(ops[i]));
  }
  // Written otherwise (spaces, keys out of order, escapes, floats, "-0"):
  // the same operation, and no received text kept (the server writes it).
  const std::string good = to_json_text(op_with("tab:1", "household.create"));
  const std::vector<std::string> variants = {
      R"({ "author":"staff:wang","hlc":"1767225600000.3","id":"tab:1","payload":{},"type":"x.create"})",
      R"({"hlc":"1767225600000.3","author":"staff:wang","id":"tab:1","payload":{},"type":"x.create"})",
      R"({"author":"staff:wang","hlc":"1767225600000.3","id":"tab:1","payload":{"b":1,"a":2},"type":"x.create"})",
      R"({"author":"staff:wang","hlc":"1767225600000.3","id":"tab:1","payload":{"a":"\u00e9"},"type":"x.create"})",
      R"({"author":"staff:wang","hlc":"1767225600000.3","id":"tab:1","payload":{"a":"\/"},"type":"x.create"})",
      R"({"author":"staff:wang","hlc":"1767225600000.3","id":"tab:1","payload":{"a":1.0},"type":"x.create"})",
      R"({"author":"staff:wang","hlc":"1767225600000.3","id":"tab:1","payload":{"a":-0},"type":"x.create"})",
      R"({"author":"staff:wang","hlc":"1767225600000.3","id":"tab:1","payload":{"a":[1, 2]},"type":"x.create"})",
      R"({"author":"staff:wang","hlc":"1767225600000.3","id":"tab:1","payload":{"a":1,"a":1},"type":"x.create"})",
  };
  for (const auto& v : variants) {
    INFO(v);
    auto r = decode_push_request(R"({"protocol":2,"device":"tab","ops":[)" + v + "]}");
    REQUIRE(r.ok());
    REQUIRE(r->items.size() == 1);
    REQUIRE(r->items[0].op.has_value());
    CHECK(r->items[0].text.empty());
  }
  // Escapes dump() writes the same way are canonical.
  const std::string escaped =
      R"({"author":"staff:wang","hlc":"1767225600000.3","id":"tab:1","payload":{"a":"q\"b\\n\n"},"type":"x.create"})";
  auto r = decode_push_request(R"({"protocol":2,"device":"tab","ops":[)" + escaped + "," + good + "]}");
  REQUIRE(r.ok());
  CHECK(r->items[0].text == escaped);
  CHECK(to_json_text(*r->items[0].op) == escaped);
  CHECK(r->items[1].text == good);
}

TEST_CASE("a kept received text always equals the canonical text, whatever the push", "[sync][canonical]") {
  auto ops = some_ops(30);
  const std::string body = encode_push_request("tablet-1", ops);
  const std::string alphabet = "{}[]:,\" \\-0123456789.eEtfnul/\xc3\xa9\x01";
  uint32_t seed = 99;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u, seed >> 8; };
  int decoded = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = body;
    for (int e = 0; e < 3; ++e) {
      const size_t at = next() % text.size();
      if (next() % 2) text[at] = alphabet[next() % alphabet.size()];
      else text.insert(at, 1, alphabet[next() % alphabet.size()]);
    }
    auto r = decode_push_request(text);
    if (!r) continue;
    ++decoded;
    for (const auto& item : r->items) {
      if (!item.op) CHECK(item.text.empty());
      else if (!item.text.empty()) CHECK(item.text == to_json_text(*item.op));
    }
  }
  CHECK(decoded > 100);
}
