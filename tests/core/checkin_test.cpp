// QR check-in pieces of the core (core/checkin.h): the shift's check-in key
// in the rule book, the URL the QR code holds, the time windows and masked names.
#include <catch2/catch.hpp>

#include "core/checkin.h"
#include "core/civil_time.h"
#include "core/commands.h"
#include "core/state.h"

using namespace dh;

namespace {

struct Book {
  State state;
  OpSource src{"test-checkin", "staff:test", 1, HlcClock{}};
  int64_t now_ms = 1767225600000;
  Result<Operation> make(const Command& cmd) {
    auto op = make_operation(state, cmd, src, now_ms += 1000);
    if (op) state.apply(op.value());
    return op;
  }
  std::string station() {
    auto op = make(CreateEntity{"station", {{"name", "幸福里站"}, {"station_type", "station"}}, ""});
    REQUIRE(op);
    return op->payload["entity"].get<std::string>();
  }
};

Json shift_fields(const std::string& station) {
  return Json{{"station", station}, {"role", "课后托管"}, {"start", "2026-12-02T09:00"}, {"end", "2026-12-02T11:00"},
              {"capacity", 2}};
}

}  // namespace

TEST_CASE("checkin key: the rule book accepts 16-32 of a-z0-9 and refuses anything else", "[core][checkin]") {
  Book b;
  const std::string st = b.station();
  auto shift = b.make(CreateEntity{"shift", shift_fields(st), ""});
  REQUIRE(shift);
  const std::string id = shift->payload["entity"].get<std::string>();

  // The edit the coordinator's app makes when it first shows the QR code.
  auto set = b.make(EditEntity{"shift", id, {{"checkin_key", "a1b2c3d4e5f6g7h8j9k0"}}});
  REQUIRE(set);
  CHECK(b.state.find("shift", id)->text("checkin_key") == "a1b2c3d4e5f6g7h8j9k0");

  for (const char* bad : {"short1234", "UPPERCASEKEY0000", "key-with-dash-000", "0123456789abcdef0123456789abcdefx",
                          "ключключключключ"}) {
    auto op = b.make(EditEntity{"shift", id, {{"checkin_key", bad}}});
    INFO(bad);
    REQUIRE_FALSE(op);
    // Too long is refused by the field's limit, the rest by the key rule.
    CHECK((op.error().code == "bad_checkin_key" || op.error().code == "too_long"));
  }
  CHECK(b.state.find("shift", id)->text("checkin_key") == "a1b2c3d4e5f6g7h8j9k0");

  // A pushed operation that skipped make_operation is refused by validate_operation.
  Operation forged = set.value();
  forged.id.seq = 999;
  forged.payload["fields"]["checkin_key"] = "not a key";
  Status v = validate_operation(b.state, forged);
  REQUIRE_FALSE(v);
  CHECK(v.error().code == "bad_checkin_key");
  forged.payload["fields"]["checkin_key"] = 12345;
  CHECK_FALSE(validate_operation(b.state, forged));

  // A shift may be created with a key (imports), and clearing it turns QR check-in off.
  Json f = shift_fields(st);
  f["checkin_key"] = "zzzzzzzzzzzzzzzz";
  REQUIRE(b.make(CreateEntity{"shift", f, ""}));
  f["checkin_key"] = "zzzz";
  auto bad_create = b.make(CreateEntity{"shift", f, ""});
  REQUIRE_FALSE(bad_create);
  CHECK(bad_create.error().code == "bad_checkin_key");
  REQUIRE(b.make(EditEntity{"shift", id, {{"checkin_key", nullptr}}}));
  CHECK(b.state.find("shift", id)->text("checkin_key").empty());
}

TEST_CASE("checkin url: origin, page, percent-encoded shift id and key", "[core][checkin]") {
  CHECK(checkin_url("http://192.168.1.10:8080", "k7f3a9c2d1e0:42", "abcdefghijklmnop") ==
        "http://192.168.1.10:8080/checkin.html#s=k7f3a9c2d1e0:42&k=abcdefghijklmnop");
  CHECK(checkin_url("https://dh.example.cn/", "a b&c#", "k") == "https://dh.example.cn/checkin.html#s=a%20b%26c%23&k=k");
  CHECK(is_valid_checkin_key("abcdefghijklmnop"));
  CHECK_FALSE(is_valid_checkin_key("abcdefghijklmno"));
  CHECK(is_valid_checkin_key(std::string(32, 'a')));
  CHECK_FALSE(is_valid_checkin_key(std::string(33, 'a')));
}

TEST_CASE("checkin windows: 30 minutes before the start; check-in until the end, check-out 2 h after", "[core][checkin]") {
  const Interval shift{*parse_datetime("2026-12-02T09:00"), *parse_datetime("2026-12-02T11:00")};
  auto at = [](const char* t) { return *parse_datetime(t); };
  CHECK_FALSE(qr_window_open(shift, at("2026-12-02T08:29"), QrAction::check_in));
  CHECK(qr_window_open(shift, at("2026-12-02T08:30"), QrAction::check_in));
  CHECK(qr_window_open(shift, at("2026-12-02T10:59"), QrAction::check_in));
  CHECK_FALSE(qr_window_open(shift, at("2026-12-02T11:00"), QrAction::check_in));
  CHECK_FALSE(qr_window_open(shift, at("2026-12-02T08:29"), QrAction::check_out));
  CHECK(qr_window_open(shift, at("2026-12-02T11:00"), QrAction::check_out));
  CHECK(qr_window_open(shift, at("2026-12-02T13:00"), QrAction::check_out));
  CHECK_FALSE(qr_window_open(shift, at("2026-12-02T13:01"), QrAction::check_out));
  const Interval any = qr_any_window(shift);
  CHECK(format_datetime(any.start) == "2026-12-02T08:30");
  CHECK(format_datetime(any.end) == "2026-12-02T13:00");
}

TEST_CASE("masked names keep the first and last character", "[core][checkin]") {
  CHECK(mask_person_name("张小华") == "张*华");
  CHECK(mask_person_name("李四") == "李*");
  CHECK(mask_person_name("司马相如") == "司**如");
  CHECK(mask_person_name("王") == "*");
  CHECK(mask_person_name("Anna") == "A**a");
  CHECK(mask_person_name("") == "");
}
