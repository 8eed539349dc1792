// The status bar's sync words (ui::sync_status_line, issue 12 "a truthful
// status bar"): never "synced" while offline, out of contact, failing or with
// own changes waiting, and the time of the last sync in the UI's format.
#include <catch2/catch.hpp>

#include <string>

#include "core/civil_time.h"
#include "ui/strings.h"
#include "ui/workbench.h"

using namespace dh;

TEST_CASE("status bar: never synced while offline, out of contact or with changes waiting; the time of the last sync",
          "[ui][live]") {
  const int64_t now = 1767225600000 + 30LL * 86400000 + 12 * 3600000 + 17 * 60000;  // 2026-01-31 20:17 local
  ui::AppStatus s;
  s.online = true;
  s.now_local_minutes = local_minutes_from_utc_ms(now);
  s.sync.active = true;
  s.sync.last_success_minutes = s.now_local_minutes - 2;
  ui::set_current_language(ui::Language::zh_CN);
  const std::string hm = format_time_of_day(static_cast<int>(s.sync.last_success_minutes % 1440));
  CHECK(hm == "20:15");
  // Up to date: 已同步, with or without the push channel (no time: it is now).
  CHECK(ui::sync_status_line(s).text == "已同步");
  s.sync.push_live = true;
  CHECK(ui::sync_status_line(s).text == "已同步");
  CHECK(ui::sync_status_line(s).tone == ui::SyncLine::Tone::ok);
  // Offline: the time of the last sync, never 已同步.
  s.online = false;
  CHECK(ui::sync_status_line(s).text == "上次同步 " + hm);
  s.online = true;
  // Waiting changes.
  s.sync.waiting_ops = 2;
  CHECK(ui::sync_status_line(s).text == "待上传 2 条 · 上次同步 " + hm);
  s.sync.waiting_ops = 0;
  // Out of contact.
  s.sync.contact_lost = true;
  CHECK(ui::sync_status_line(s).text == "连不上服务器 · 上次同步 " + hm);
  s.sync.contact_lost = false;
  // Never synced, offline.
  {
    ui::AppStatus never = s;
    never.sync.last_success_minutes = 0;
    never.online = false;
    CHECK(ui::sync_status_line(never).text == "尚未同步");
  }
  // Another day, in both languages.
  s.now_local_minutes = s.sync.last_success_minutes + 2 * 1440;
  s.online = false;
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(s.sync.last_success_minutes / 1440, &y, &m, &d);
  CHECK(ui::sync_status_line(s).text ==
        "上次同步 " + std::to_string(m) + "月" + std::to_string(d) + "日 " + hm);
  ui::set_current_language(ui::Language::en);
  const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  CHECK(ui::sync_status_line(s).text == std::string("Last synced ") + months[m - 1] + " " + std::to_string(d) + ", " + hm);
  ui::set_current_language(ui::Language::zh_CN);
}
