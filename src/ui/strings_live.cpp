// Words of one feature: the status bar's sync state and its times (issue 12
// "A truthful status bar"). zh-CN first; English has the same keys
// (tests/ui/strings_test.cpp).
#include "ui/strings.h"

namespace dh::ui {

namespace {

const std::vector<StringEntry> kZh = {
    // {0}: when the last sync succeeded (status.when_day, or HH:MM today)
    {"status.sync_last", "上次同步 {0}"},
    {"status.sync_waiting_last", "待上传 {0} 条 · 上次同步 {1}"},
    {"status.sync_problem_last", "同步出错 · 上次同步 {0}"},
    {"status.sync_no_contact", "连不上服务器 · 上次同步 {0}"},
    {"status.sync_no_contact_never", "连不上服务器"},
    // {0} HH:MM; {1} month number, {2} day, {3} month name (English only)
    {"status.when_day", "{1}月{2}日 {0}"},
    {"status.month_names", "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月"},
};

const std::vector<StringEntry> kEn = {
    {"status.sync_last", "Last synced {0}"},
    {"status.sync_waiting_last", "{0} waiting to upload · last synced {1}"},
    {"status.sync_problem_last", "Sync problem · last synced {0}"},
    {"status.sync_no_contact", "Server not reachable · last synced {0}"},
    {"status.sync_no_contact_never", "Server not reachable"},
    {"status.when_day", "{3} {2}, {0}"},
    {"status.month_names", "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"},
};

}  // namespace

const std::vector<StringEntry>& live_strings(Language lang) { return lang == Language::en ? kEn : kZh; }

}  // namespace dh::ui
