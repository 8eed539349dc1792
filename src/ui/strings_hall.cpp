// Words of one feature: The service hall, the kiosk, dates and devices (issue 12).
// zh-CN first; English must have the same keys (tests/ui/strings_test.cpp).
#include "ui/strings.h"

namespace dh::ui {

namespace {

const std::vector<StringEntry> kZh = {
    // The home page's story (home_story.cpp, docs/demo.md).
    {"hall.home.title", "{0}年 · 东城社区志愿服务"},
    {"hall.home.subtitle", "以下数字由本设备上的记录实时统计。点一下卡片，看它的定义和逐月变化。"},
    {"hall.home.fig.households", "参与志愿服务的户"},
    {"hall.home.fig.hours", "今年志愿服务时长（小时）"},
    {"hall.home.fig.active", "活跃志愿者"},
    {"hall.home.fig.signups", "本月报名人次"},
    {"hall.home.fig.coverage", "本月岗位满员率"},
    {"hall.home.def.households", "今年（1月1日至今天）至少有一名家庭成员记录了志愿服务时长（签到签退，或协调员补录）的户数，占全部在册户。"},
    {"hall.home.def.hours", "今年（1月1日至今天）所有志愿服务时长之和：签到到签退的时长，加上协调员补录的时长。"},
    {"hall.home.def.active", "最近90天（含今天）内有志愿服务时长的志愿者人数。"},
    {"hall.home.def.signups", "本月开始的岗位上未取消的报名人次（含候补）。"},
    {"hall.home.def.coverage", "本月开始的岗位中，已确认的报名数占岗位名额的比例；下方按服务大厅和各站点分列。"},
    {"hall.home.households_note", "共 {0} 户，占 {1}"},
    {"hall.home.hours_note", "其中补录 {0} 小时"},
    {"hall.home.active_note", "在册志愿者 {0} 人"},
    {"hall.home.signups_note", "{0}年{1}"},
    {"hall.home.coverage_note", "已满 {0} / 名额 {1}"},
    {"hall.home.trend", "逐月变化：{0}"},
    {"hall.home.legend", "柱：当月数值；线：近三个月平均。"},
    {"hall.home.stations", "各站点岗位满员情况（{0}年{1}）"},
    {"hall.home.station_fill", "{0} / {1}（{2}）"},
    {"hall.month.1", "1月"}, {"hall.month.2", "2月"}, {"hall.month.3", "3月"}, {"hall.month.4", "4月"},
    {"hall.month.5", "5月"}, {"hall.month.6", "6月"}, {"hall.month.7", "7月"}, {"hall.month.8", "8月"},
    {"hall.month.9", "9月"}, {"hall.month.10", "10月"}, {"hall.month.11", "11月"}, {"hall.month.12", "12月"},
};

const std::vector<StringEntry> kEn = {
    // The home page's story (home_story.cpp, docs/demo.md).
    {"hall.home.title", "{0} · Dongcheng's volunteer service"},
    {"hall.home.subtitle", "Counted live from the records on this device. Click a card for its definition and its months."},
    {"hall.home.fig.households", "Households taking part"},
    {"hall.home.fig.hours", "Volunteer hours this year"},
    {"hall.home.fig.active", "Active volunteers"},
    {"hall.home.fig.signups", "Sign-ups this month"},
    {"hall.home.fig.coverage", "Places filled this month"},
    {"hall.home.def.households", "Households with at least one member who recorded volunteer hours this year (1 January to today: checked in and out, or added by a coordinator), out of all registered households."},
    {"hall.home.def.hours", "All volunteer hours this year (1 January to today): check-in to check-out, plus hours added by a coordinator."},
    {"hall.home.def.active", "Volunteers with volunteer hours in the last 90 days, today included."},
    {"hall.home.def.signups", "Sign-ups not cancelled on shifts starting this month (waiting lists included)."},
    {"hall.home.def.coverage", "Confirmed sign-ups as a share of the places of shifts starting this month; below, for the hall and each station."},
    {"hall.home.households_note", "of {0} households, {1}"},
    {"hall.home.hours_note", "{0} h of them added by hand"},
    {"hall.home.active_note", "of {0} registered volunteers"},
    {"hall.home.signups_note", "{1} {0}"},
    {"hall.home.coverage_note", "{0} filled of {1} places"},
    {"hall.home.trend", "By month: {0}"},
    {"hall.home.legend", "Bars: the month; line: average of the last three months."},
    {"hall.home.stations", "Places filled by station ({1} {0})"},
    {"hall.home.station_fill", "{0} / {1} ({2})"},
    {"hall.month.1", "Jan"}, {"hall.month.2", "Feb"}, {"hall.month.3", "Mar"}, {"hall.month.4", "Apr"},
    {"hall.month.5", "May"}, {"hall.month.6", "Jun"}, {"hall.month.7", "Jul"}, {"hall.month.8", "Aug"},
    {"hall.month.9", "Sep"}, {"hall.month.10", "Oct"}, {"hall.month.11", "Nov"}, {"hall.month.12", "Dec"},
};

}  // namespace

const std::vector<StringEntry>& hall_strings(Language lang) { return lang == Language::en ? kEn : kZh; }

}  // namespace dh::ui
