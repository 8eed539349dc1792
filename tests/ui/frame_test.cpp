// The workbench drawn for real in a headless ImGui context (no window, no GL):
// every area in both languages and both text sizes, and a person editing a
// record through the same input path the browser uses (mouse and text events
// at the rectangles the test-engine hook reports).
//
// Needs dh_imgui (native). The interaction part needs IMGUI_ENABLE_TEST_ENGINE:
// the labels and rectangles come from the widget locator
// (platform/widget_locator.h), the one set of test-engine hooks, linked into
// every binary with dh_imgui. Without it those cases report themselves
// skipped (tests/skip.h), which script/test counts.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/demo.h"
#include "core/schema.h"
#include "core/state.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "platform/widget_locator.h"
#include "skip.h"
#include "ui/form.h"
#include "session/commit.h"
#include "ui/workbench.h"

using namespace dh;
using namespace dh::ui;

namespace {

struct SeenItem {
  std::string label;
  ImRect rect;
};
// The labelled widgets of the last frame, as the widget locator saw them.
std::vector<SeenItem> g_items;

}  // namespace

namespace {

// A headless ImGui context whose "renderer" accepts every texture request.
struct Headless {
  ImGuiContext* ctx;
  Headless() {
    ctx = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    io.DisplaySize = ImVec2(1280, 800);
    io.BackendFlags |= ImGuiBackendFlags_RendererHasTextures;
    io.Fonts->AddFontDefault();
    dh::platform::widget_locator_enable();
  }
  ~Headless() { ImGui::DestroyContext(ctx); }

  void frame(Workbench& wb, const State& state, const AppStatus& status, UiOutput& out) {
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.0f / 60.0f;
    ImGui::NewFrame();
    wb.draw(state, status, out);
    ImGui::Render();
    for (ImTextureData* tex : ImGui::GetPlatformIO().Textures) {
      if (tex->Status == ImTextureStatus_WantCreate || tex->Status == ImTextureStatus_WantUpdates) {
        tex->SetTexID(static_cast<ImTextureID>(1));
        tex->SetStatus(ImTextureStatus_OK);
      } else if (tex->Status == ImTextureStatus_WantDestroy) {
        tex->SetTexID(ImTextureID_Invalid);
        tex->SetStatus(ImTextureStatus_Destroyed);
      }
    }
    dh::platform::widget_locator_end_frame();
    g_items.clear();
    for (const auto& r : dh::platform::widget_locator_last_frame()) {
      if (r.label.empty()) continue;
      g_items.push_back({r.label, ImRect(r.x, r.y, r.x + r.w, r.y + r.h)});
    }
  }
};

const SeenItem* find_item(const std::string& id) {
  for (const auto& it : g_items) {
    size_t at = it.label.rfind("##");
    std::string tail = at == std::string::npos ? it.label : it.label.substr(at + 2);
    if (tail == id) return &it;
  }
  return nullptr;
}

std::string visible(const SeenItem& it) { return it.label.substr(0, it.label.rfind("##")); }

struct World {
  State state;
  OpSource source{"test-ui", "staff:test", 1, HlcClock{}};
  int64_t now = 1767225600000;
  std::string commit(const Command& cmd) {
    auto op = make_operation(state, cmd, source, now += 1000);
    if (!op) return "error:" + op.error().code;
    state.apply(op.value());
    return op->payload["entity"].get<std::string>();
  }
};

// A small community: grids, households, residents, volunteers, a station.
World small_world(int households) {
  World w;
  std::string g1 = w.commit(CreateEntity{"grid", {{"name", "第一网格"}, {"code", "G1"}}, ""});
  std::string g2 = w.commit(CreateEntity{"grid", {{"name", "第二网格"}, {"code", "G2"}}, ""});
  w.commit(CreateEntity{"station", {{"name", "党群服务大厅"}, {"station_type", "hall"}, {"rooms", {"议事室", "书吧"}}}, ""});
  for (int i = 0; i < households; ++i) {
    std::string h = w.commit(CreateEntity{
        "household", {{"address", "幸福里 " + std::to_string(i + 1) + " 号"}, {"grid", i % 2 ? g1 : g2}}, ""});
    std::string r = w.commit(
        CreateEntity{"resident", {{"name", "居民" + std::to_string(i)}, {"household", h}, {"gender", "female"}}, ""});
    if (i % 5 != 0) w.commit(CreateEntity{"volunteer", {{"resident", r}, {"skills", {"tea"}}}, ""});
  }
  return w;
}

AppStatus ok_status_bar() {
  AppStatus s;
  s.device_id = "k7f3a9c2d1e0";
  s.author = "staff:wang";
  s.operation_count = 42;
  s.online = true;
  return s;
}

}  // namespace

TEST_CASE("every area draws in both languages and both text sizes", "[ui][native]") {
  Headless h;
  Workbench wb;
  World w = small_world(60);
  AppStatus status = ok_status_bar();
  status.storage_problems = {"seg-000003.log was cut short; 12 operations kept, 1 lost; set aside."};
  status.update_available = true;
  status.read_only = true;
  status.storage_error = "storage full";
  const char* areas[] = {"home", "kiosk", "schedule", "talent", "requests", "deliberation",
                         "projector", "sync", "base", "settings"};
  for (Language lang : {Language::zh_CN, Language::en}) {
    for (bool large : {false, true}) {
      wb.set_language(lang);
      wb.set_large_text(large);
      CHECK(wb.font_size_px() == (large ? 30.0f : 20.0f));
      for (const char* a : areas) {
        REQUIRE(wb.set_area(a));
        for (const auto& k : all_kinds()) {
          (void)k;
          UiOutput out;
          h.frame(wb, w.state, status, out);
          CHECK(out.commands.empty());
          if (std::string(a) != "base") break;  // the kinds matter only for the records area
        }
      }
    }
  }
  CHECK_FALSE(wb.set_area("no-such-area"));
}

TEST_CASE("a person edits, creates, archives and restores records through the UI", "[ui][native]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
  return;
#else
  Headless h;
  Workbench wb;
  World w = small_world(30);
  AppStatus status = ok_status_bar();
  UiOutput out;
  h.frame(wb, w.state, status, out);
  REQUIRE_FALSE(g_items.empty());  // the widget locator sees the frame
  ImGuiIO& io = ImGui::GetIO();
  std::string saved_author;
  bool settings_changed = false;
  auto run = [&](int frames = 1) {
    for (int i = 0; i < frames; ++i) {
      out = UiOutput{};
      h.frame(wb, w.state, status, out);
      if (const auto* a = out.find<dh::ui::SetAuthor>()) saved_author = a->author;
      settings_changed = settings_changed || out.find<dh::ui::SettingsChanged>();
      // Commit like the app: the one commit path (session/commit.h) over this State.
      dh::session::StateTarget target(w.state, w.source);
      dh::session::commit_in_order(target, out.commands, [&] { return w.now += 1000; },
                                   [&](size_t k, const Error* e) { wb.report_commit_result(k, e); });
    }
  };
  auto click = [&](const std::string& id) {
    const SeenItem* it = find_item(id);
    INFO("widget not found: " << id);
    REQUIRE(it);
    ImVec2 c((it->rect.Min.x + it->rect.Max.x) / 2, (it->rect.Min.y + it->rect.Max.y) / 2);
    io.AddMousePosEvent(c.x, c.y);
    run();
    io.AddMouseButtonEvent(0, true);
    run();
    io.AddMouseButtonEvent(0, false);
    run(2);
  };
  auto type_into = [&](const std::string& id, const std::string& text) {
    click(id);
    io.AddKeyEvent(ImGuiMod_Ctrl, true);
    io.AddKeyEvent(ImGuiKey_A, true);
    run();
    io.AddKeyEvent(ImGuiKey_A, false);
    io.AddKeyEvent(ImGuiMod_Ctrl, false);
    run();
    io.AddInputCharactersUTF8(text.c_str());
    run(2);
  };

  // Home shows the figures counted from the State.
  REQUIRE(find_item("home-households"));
  CHECK(visible(*find_item("home-households")) == "30");
  CHECK(visible(*find_item("home-volunteers")) == "24");
  REQUIRE(find_item("status-saved"));
  CHECK(visible(*find_item("status-saved")) == "已保存到本设备");
  CHECK_FALSE(find_item("status-saving"));

  // Navigate to the base records; households are listed.
  click("nav-base");
  std::string first = w.state.list("household").front()->id;
  REQUIRE(find_item("row-" + first));
  REQUIRE(find_item("search"));

  // Edit the first household's phone.
  click("row-" + first);
  REQUIRE(find_item("f-phone"));
  type_into("f-phone", "13812345678");
  // Meanwhile an operation from elsewhere changes the same record's note.
  REQUIRE(w.commit(EditEntity{"household", first, {{"note", "别处改的"}}}).rfind("error:", 0) != 0);
  run(2);
  CHECK(find_item("form-changed-elsewhere"));
  CHECK(find_item("form-unsaved"));
  click("save");
  const Entity* hh = w.state.find("household", first);
  CHECK(hh->text("phone") == "13812345678");
  CHECK(hh->text("note") == "别处改的");  // not reverted by the save
  CHECK(find_item("form-notice"));
  CHECK_FALSE(find_item("form-unsaved"));

  // A bad date is refused next to its field, and nothing is committed.
  click("kind-resident");
  std::string res = w.state.list("resident").front()->id;
  click("row-" + res);
  type_into("f-birth_date", "2026-02-30");
  CHECK(find_item("field-problem-birth_date"));
  size_t applied = w.state.applied_ops();
  click("save");
  CHECK(w.state.applied_ops() == applied);
  type_into("f-birth_date", "1956-02-29");
  CHECK_FALSE(find_item("field-problem-birth_date"));
  click("save");
  CHECK(w.state.find("resident", res)->text("birth_date") == "1956-02-29");

  // Create a new grid.
  click("kind-grid");
  size_t grids = w.state.count("grid");
  click("new");
  click("create");  // empty: refused with problems shown
  CHECK(w.state.count("grid") == grids);
  CHECK(find_item("field-problem-name"));
  type_into("f-name", "第三网格");
  type_into("f-code", "G3");
  click("create");
  CHECK(w.state.count("grid") == grids + 1);

  // Archive the first household with a reason, then restore it.
  click("kind-household");
  click("row-" + first);
  click("archive");
  type_into("archive-reason", "moved away");
  click("archive-confirm");
  CHECK(w.state.find("household", first)->archived());
  CHECK(w.state.find("household", first)->text("archive_reason") == "moved away");
  click("show-archived");
  click("row-" + first);
  click("restore");
  CHECK_FALSE(w.state.find("household", first)->archived());

  // Settings: language and large text are reported to the app.
  click("nav-settings");
  click("lang-en");
  CHECK(wb.language() == Language::en);
  // The author first: with large text on, the settings page (now also
  // holding the kiosk lock) runs below this test window's fold.
  type_into("author", "Wang Fang");
  click("author-save");
  CHECK(saved_author == "Wang Fang");
  click("large-text");
  CHECK(wb.large_text());
  CHECK(wb.font_size_px() == 30.0f);
  CHECK(settings_changed);
  REQUIRE(find_item("status-saved"));
  CHECK(visible(*find_item("status-saved")) == "Saved on this device");

  // Not saved yet: the status bar says so.
  status.saved_on_device = false;
  run();
  CHECK(find_item("status-saving"));
  CHECK_FALSE(find_item("status-saved"));

  // A storage problem can be dismissed from view.
  status.storage_problems = {"seg-000003.log was damaged and set aside."};
  run();
  REQUIRE(find_item("status-problem-0"));
  click("dismiss-problem-0");
  CHECK_FALSE(find_item("status-problem-0"));
#endif
}

TEST_CASE("the dashboard shows the demo community's figures, counted from the State", "[ui][native]") {
  State state;
  for (const auto& op : generate_demo()) state.apply(op);
  CommunityFigures f = count_figures(state);
  CHECK(f.households == 3058);
  CHECK(f.experts == 103);
  CHECK(f.trainees == 7);
  CHECK(f.stations == 4);
  CHECK(f.halls == 1);
  // "nearly 80%" of households have a volunteer.
  CHECK(f.volunteer_households > 3058 * 70 / 100);
  CHECK(f.volunteer_households < 3058 * 90 / 100);

  Headless h;
  Workbench wb;
  UiOutput out;
  h.frame(wb, state, ok_status_bar(), out);
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: the figures on screen not tested here");
#else
  {
    REQUIRE(find_item("home-households"));
    CHECK(visible(*find_item("home-households")) == "3058");
    CHECK(visible(*find_item("home-experts")) == "103");
    CHECK(visible(*find_item("home-trainees")) == "7");
    CHECK(visible(*find_item("home-stations")) == "4");
    // The records area lists thousands of rows through a clipper: only the
    // visible rows are submitted.
    wb.set_area("base");
    h.frame(wb, state, ok_status_bar(), out);
    h.frame(wb, state, ok_status_bar(), out);
    size_t rows = 0;
    for (const auto& it : g_items) rows += it.label.find("##row-") != std::string::npos;
    CHECK(rows > 5);
    CHECK(rows < 100);
  }
#endif
}

TEST_CASE("large-text mode makes text and buttons clearly larger", "[ui][native]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: sizes not tested here");
#else
  Headless h;
  Workbench wb;
  World w = small_world(3);
  UiOutput out;
  h.frame(wb, w.state, ok_status_bar(), out);
  REQUIRE(find_item("status-saved"));
  REQUIRE(find_item("nav-base"));
  const float normal_text = find_item("status-saved")->rect.GetHeight();
  const float normal_nav = find_item("nav-base")->rect.GetHeight();
  wb.set_large_text(true);
  h.frame(wb, w.state, ok_status_bar(), out);
  REQUIRE(find_item("status-saved"));
  CHECK(find_item("status-saved")->rect.GetHeight() / normal_text == Approx(1.5).epsilon(0.05));
  // Every area is still reachable without scrolling on a 1280x800 tablet.
  for (const char* a : {"home", "kiosk", "schedule", "talent", "requests", "deliberation", "projector", "sync",
                        "base", "settings"}) {
    INFO("nav entry not visible in large-text mode: " << a);
    CHECK(find_item(std::string("nav-") + a));
  }
  CHECK(normal_nav >= 32.0f);  // a comfortable touch target even in normal mode
#endif
}

TEST_CASE("a read-only tab shows why and emits no commands", "[ui][native]") {
#ifndef IMGUI_ENABLE_TEST_ENGINE
  DH_SKIP("IMGUI_ENABLE_TEST_ENGINE is off in this build: interaction not tested here");
#else
  Headless h;
  Workbench wb;
  World w = small_world(3);
  AppStatus status = ok_status_bar();
  status.read_only = true;
  status.read_only_reason = dh::ui::Problem::of("storage.read_only", {}, "另一个标签页正在编辑");
  UiOutput out;
  h.frame(wb, w.state, status, out);
  REQUIRE(find_item("status-read-only"));
  CHECK(visible(*find_item("status-read-only")).find("另一个标签页正在编辑") != std::string::npos);
  wb.set_area("base");
  ImGuiIO& io = ImGui::GetIO();
  std::vector<Command> emitted;
  auto run = [&](int n) {
    for (int i = 0; i < n; ++i) {
      out = UiOutput{};
      h.frame(wb, w.state, status, out);
      for (auto& c : out.commands) emitted.push_back(c);
    }
  };
  auto click = [&](const std::string& id) {
    const SeenItem* it = find_item(id);
    REQUIRE(it);
    io.AddMousePosEvent((it->rect.Min.x + it->rect.Max.x) / 2, (it->rect.Min.y + it->rect.Max.y) / 2);
    run(1);
    io.AddMouseButtonEvent(0, true);
    run(1);
    io.AddMouseButtonEvent(0, false);
    run(2);
  };
  run(1);
  click("row-" + w.state.list("household").front()->id);
  CHECK(find_item("form-read-only"));
  click("f-phone");
  io.AddInputCharactersUTF8("13812345678");
  run(2);
  click("save");
  click("archive");
  click("new");
  CHECK(emitted.empty());
#endif
}
