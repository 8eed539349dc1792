// The coordinator's check-in QR view (ui/checkin_qr.h, docs/qr-checkin.md),
// drawn for real in a headless ImGui context: opened from the scheduling
// screen it asks for the shift's key exactly once, shows the URL of the
// check-in page, and draws the modules qrcodegen makes of that URL.
#include <catch2/catch.hpp>

#include "skip.h"

#include <regex>
#include <string>
#include <vector>

#include "core/checkin.h"
#include "core/civil_time.h"
#include "core/commands.h"
#include "core/state.h"
#include "imgui.h"
#include "platform/widget_locator.h"
#include "qrcodegen.hpp"
#include "ui/checkin_qr.h"
#include "ui/workbench.h"
#include "ui_driver.h"

using namespace dh;
using namespace dh::ui;

namespace {

const char* kOrigin = "http://192.168.1.10:8080";

struct Site {
  State state;
  OpSource source{"test-qr-ui", "staff:test", 1, HlcClock{}};
  int64_t now_ms = 1767225600000;
  std::string shift;
  std::string commit(const Command& cmd) {
    auto op = make_operation(state, cmd, source, now_ms += 1000);
    REQUIRE(op);
    state.apply(op.value());
    return op->payload["entity"].get<std::string>();
  }
  Site() {
    std::string g = commit(CreateEntity{"grid", {{"name", "第一网格"}, {"code", "G1"}}, ""});
    std::string st = commit(CreateEntity{"station", {{"name", "幸福里站"}, {"station_type", "station"}}, ""});
    (void)g;
    shift = commit(CreateEntity{"shift",
                                {{"station", st}, {"role", "课后托管"}, {"start", "2026-12-01T09:00"},
                                 {"end", "2026-12-01T11:00"}, {"capacity", 2}},
                                ""});
  }
};

struct Driver : dh::test::UiDriver {
  Site& site;
  explicit Driver(Site& s) : UiDriver(s.state, s.source, s.now_ms), site(s) {
    status.author = "staff:wang";
    status.now_local_minutes = *parse_datetime("2026-12-01T08:40");
    status.sync.server = kOrigin;
  }
};

// Draws the view alone for one frame.
void draw_once(CheckinQrView& view, const State& state, const AppStatus& status, UiOutput& out,
               const std::string& origin) {
  std::map<size_t, PendingAction> pending;
  Frame f{state, status, out, pending};
  ImGuiIO& io = ImGui::GetIO();
  io.DeltaTime = 1.0f / 60.0f;
  ImGui::NewFrame();
  draw_checkin_qr(view, f, origin);
  ImGui::Render();
  dh::test::settle_textures();
}

}  // namespace

TEST_CASE("check-in QR view: opened from a shift it asks for the key once and shows the check-in URL", "[ui][native][checkin]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Site site;
  Driver d(site);
  REQUIRE(d.wb.set_area("schedule"));
  d.run(2);
  d.click("sched-shift-" + site.shift);
  REQUIRE(d.find("sched-qr-" + site.shift));
  CHECK(d.emitted.empty());

  d.click("sched-qr-" + site.shift);
  d.run(5);
  // Exactly one command, the key edit, however many frames are drawn.
  REQUIRE(d.emitted.size() == 1);
  const auto* edit = std::get_if<EditEntity>(&d.emitted[0]);
  REQUIRE(edit);
  CHECK(edit->kind == "shift");
  CHECK(edit->id == site.shift);
  REQUIRE(edit->fields.size() == 1);
  const std::string key = site.state.find("shift", site.shift)->text("checkin_key");
  CHECK(is_valid_checkin_key(key));
  CHECK(d.errors.empty());

  // The full-screen view: title, place, time, instructions in both languages, the URL.
  CHECK(d.visible("qr-title") == "课后托管");
  CHECK(d.visible("qr-where") == "幸福里站");
  CHECK(d.visible("qr-when") == "12月1日 周二 09:00–11:00");  // ui/when_text.h
  CHECK(d.visible("qr-how") == "请用手机扫码，签到或签退");
  CHECK(d.visible("qr-how-en") == "Scan with your phone to check in or out");
  d.wb.set_language(Language::en);  // the station's screen shows both languages either way
  d.run(2);
  CHECK(d.visible("qr-how") == "请用手机扫码，签到或签退");
  CHECK(d.visible("qr-how-en") == "Scan with your phone to check in or out");
  CHECK(d.visible("qr-window").find("30") != std::string::npos);
  d.wb.set_language(Language::zh_CN);
  d.run(2);
  CHECK(d.visible("qr-url") == checkin_url(kOrigin, site.shift, key));
  CHECK_FALSE(d.find("sched-tab-shifts"));  // nothing of the scheduling screen
  CHECK_FALSE(d.find("qr-not-synced"));
  d.status.sync.waiting_ops = 1;  // the key edit not yet on the server
  d.run();
  CHECK(d.find("qr-not-synced"));
  d.status.sync.waiting_ops = 0;
  d.run();

  // Closing returns to the schedule; reopening asks for nothing (the key exists).
  d.click("qr-close");
  REQUIRE(d.find("sched-tab-shifts"));
  CHECK_FALSE(d.find("qr-title"));
  d.click("sched-qr-" + site.shift);
  d.run(3);
  CHECK(d.emitted.size() == 1);
  CHECK(d.visible("qr-url") == checkin_url(kOrigin, site.shift, key));

  // "New code" replaces the key: the old code stops working.
  d.click("qr-new-key");
  REQUIRE(d.emitted.size() == 2);
  const std::string key2 = site.state.find("shift", site.shift)->text("checkin_key");
  CHECK(key2 != key);
  CHECK(is_valid_checkin_key(key2));
  CHECK(d.visible("qr-url") == checkin_url(kOrigin, site.shift, key2));
#endif
}

TEST_CASE("check-in QR view: a read-only tab asks for nothing; without a server no code is drawn", "[ui][checkin]") {
  Site site;
  ImGuiContext* ctx = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(1024, 768);
  io.BackendFlags |= ImGuiBackendFlags_RendererHasTextures;
  io.Fonts->AddFontDefault();
  AppStatus status;
  status.read_only = true;
  CheckinQrView view;
  view.open(site.shift);
  for (int i = 0; i < 3; ++i) {
    UiOutput out;
    draw_once(view, site.state, status, out, kOrigin);
    CHECK(out.commands.empty());
  }
  CHECK(view.url.empty());
  // Writable: one key edit; with no server address the code is not drawn.
  status.read_only = false;
  int commands = 0;
  for (int i = 0; i < 3; ++i) {
    UiOutput out;
    draw_once(view, site.state, status, out, "");
    commands += static_cast<int>(out.commands.size());
    for (const auto& c : out.commands) {
      auto op = make_operation(site.state, c, site.source, site.now_ms += 1000);
      REQUIRE(op);
      site.state.apply(op.value());
    }
  }
  CHECK(commands == 1);
  CHECK(is_valid_checkin_key(site.state.find("shift", site.shift)->text("checkin_key")));
  CHECK(view.url.empty());
  CHECK(view.drawn_dark_modules == 0);
  // Closed: draws nothing, asks for nothing.
  view.close();
  UiOutput out;
  draw_once(view, site.state, status, out, kOrigin);
  CHECK(out.commands.empty());
  CHECK(view.url.empty());
  ImGui::DestroyContext(ctx);
}

TEST_CASE("check-in QR view: the drawn modules are qrcodegen's encoding of the check-in URL", "[ui][checkin]") {
  Site site;
  const std::string key = "a1b2c3d4e5f6g7h8j9k0mnpq";
  site.commit(EditEntity{"shift", site.shift, {{"checkin_key", key}}});
  ImGuiContext* ctx = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(1024, 768);
  io.BackendFlags |= ImGuiBackendFlags_RendererHasTextures;
  io.Fonts->AddFontDefault();
  AppStatus status;
  status.now_local_minutes = *parse_datetime("2026-12-01T08:40");
  CheckinQrView view;
  view.open(site.shift);
  UiOutput out;
  draw_once(view, site.state, status, out, kOrigin);
  CHECK(out.commands.empty());  // the shift has its key

  // The URL has the documented form ...
  const std::string expected = std::string(kOrigin) + "/checkin.html#s=" + site.shift + "&k=" + key;
  CHECK(view.url == expected);
  CHECK(std::regex_match(view.url, std::regex(R"(^https?://[^/#]+/checkin\.html#s=[A-Za-z0-9._~:%-]+&k=[a-z0-9]{16,32}$)")));
  // ... and the matrix drawn is qrcodegen's encoding of exactly that text.
  const auto qr = qrcodegen::QrCode::encodeText(expected.c_str(), qrcodegen::QrCode::Ecc::MEDIUM);
  REQUIRE(view.matrix.size == qr.getSize());
  CHECK(view.matrix.size >= 21);
  int dark = 0, mismatches = 0;
  for (int y = 0; y < qr.getSize(); ++y)
    for (int x = 0; x < qr.getSize(); ++x) {
      if (view.matrix.at(x, y) != qr.getModule(x, y)) ++mismatches;
      if (qr.getModule(x, y)) ++dark;
    }
  CHECK(mismatches == 0);
  CHECK(view.drawn_dark_modules == dark);
  // A different key gives a different code (the matrix is not a constant).
  const auto other = encode_qr(std::string(kOrigin) + "/checkin.html#s=" + site.shift + "&k=zzzzzzzzzzzzzzzzzzzzzzzz");
  bool differs = other.size != view.matrix.size;
  for (int y = 0; !differs && y < other.size; ++y)
    for (int x = 0; x < other.size; ++x) differs = differs || other.at(x, y) != view.matrix.at(x, y);
  CHECK(differs);
  ImGui::DestroyContext(ctx);
}
