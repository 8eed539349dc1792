// Words of one feature: dates, times and weekly availability as people read
// and type them (issue 12; ui/when_text.h, the date picker, the availability
// grid). zh-CN first; English must have the same keys (tests/ui/strings_test.cpp).
#include "ui/strings.h"

namespace dh::ui {

namespace {

const std::vector<StringEntry> kZh = {
    // when_text.h: {0} year, {1} month number, {2} day, {3} weekday, {4} month name
    {"when.day", "{1}月{2}日 {3}"},
    {"when.day_year", "{0}年{1}月{2}日 {3}"},
    {"when.month_title", "{0}年{1}月"},
    {"when.weekday.0", "周一"}, {"when.weekday.1", "周二"}, {"when.weekday.2", "周三"}, {"when.weekday.3", "周四"},
    {"when.weekday.4", "周五"}, {"when.weekday.5", "周六"}, {"when.weekday.6", "周日"},
    {"when.weekday_short.0", "一"}, {"when.weekday_short.1", "二"}, {"when.weekday_short.2", "三"},
    {"when.weekday_short.3", "四"}, {"when.weekday_short.4", "五"}, {"when.weekday_short.5", "六"},
    {"when.weekday_short.6", "日"},
    {"when.month.1", "1月"}, {"when.month.2", "2月"}, {"when.month.3", "3月"}, {"when.month.4", "4月"},
    {"when.month.5", "5月"}, {"when.month.6", "6月"}, {"when.month.7", "7月"}, {"when.month.8", "8月"},
    {"when.month.9", "9月"}, {"when.month.10", "10月"}, {"when.month.11", "11月"}, {"when.month.12", "12月"},
    {"when.month_long.1", "一月"}, {"when.month_long.2", "二月"}, {"when.month_long.3", "三月"},
    {"when.month_long.4", "四月"}, {"when.month_long.5", "五月"}, {"when.month_long.6", "六月"},
    {"when.month_long.7", "七月"}, {"when.month_long.8", "八月"}, {"when.month_long.9", "九月"},
    {"when.month_long.10", "十月"}, {"when.month_long.11", "十一月"}, {"when.month_long.12", "十二月"},
    // core/typed_when.h error codes, with their parameters
    {"error.when_empty", "请填写日期。"},
    {"error.when_unreadable", "看不懂“{0}”：请写成 2026-12-02、12月2日 或 12-02，可以加时间如 9:00。"},
    {"error.when_no_such_date", "{0}年{1}月{2}日不存在。"},
    {"error.when_year_range", "年份{0}不在1900到2100之间。"},
    {"error.when_bad_time", "“{0}”不是有效的时间：请写成 09:00 这样的时:分。"},
    {"error.when_time_needed", "请同时填写时间，如 12月2日 9:00。"},
    {"error.when_time_not_here", "这里只填日期，不要时间。"},
    // The date picker (records forms)
    {"when.pick", "选日期"},
    {"when.today", "今天"},
    {"when.time", "时间"},
    {"when.done", "确定"},
    {"when.clear", "清空"},
    {"when.prev", "上月"},
    {"when.next", "下月"},
    {"when.hint_datetime", "如 12月2日 9:00"},
    {"when.hint_date", "如 2026-12-02 或 12月2日"},
    {"when.reads_as", "即 {0}"},
    {"when.hint_month", "如 2026-12"},
    // The sync area: the server's clock note (its words are English)
    {"sync.clock_ahead", "本设备的时钟比服务器快{0}，请校准本设备的日期和时间。修改已经保留。"},
    {"sync.clock_off", "本设备的时钟和服务器不一致，请校准本设备的日期和时间。修改已经保留。"},
    {"when.about_days", "约{0}天"},
    {"when.about_hours", "约{0}小时"},
    {"when.about_minutes", "约{0}分钟"},
    // The weekly availability grid
    {"avail.title", "每周可服务时间（点或拖动半小时格子）"},
    {"avail.clear", "全部清空"},
    {"avail.summary", "共{0}小时/周"},
    {"avail.none", "还没有登记可服务时间"},
    {"avail.apply_title", "把一周时间套用到多位志愿者"},
    {"avail.apply_pick", "选择志愿者（可多选）"},
    {"avail.apply_selected", "已选{0}位"},
    {"avail.apply_button", "套用到所选志愿者"},
    {"avail.apply_done", "已套用到{0}位志愿者"},
    {"avail.apply_empty", "先在格子里选好时间"},
    {"avail.search_hint", "按姓名查找志愿者"},
    {"avail.too_many", "时间段太多：最多15段，请合并相邻的格子。"},
};

const std::vector<StringEntry> kEn = {
    {"when.day", "{3} {2} {4}"},
    {"when.day_year", "{3} {2} {4} {0}"},
    {"when.month_title", "{2} {0}"},
    {"when.weekday.0", "Mon"}, {"when.weekday.1", "Tue"}, {"when.weekday.2", "Wed"}, {"when.weekday.3", "Thu"},
    {"when.weekday.4", "Fri"}, {"when.weekday.5", "Sat"}, {"when.weekday.6", "Sun"},
    {"when.weekday_short.0", "Mo"}, {"when.weekday_short.1", "Tu"}, {"when.weekday_short.2", "We"},
    {"when.weekday_short.3", "Th"}, {"when.weekday_short.4", "Fr"}, {"when.weekday_short.5", "Sa"},
    {"when.weekday_short.6", "Su"},
    {"when.month.1", "Jan"}, {"when.month.2", "Feb"}, {"when.month.3", "Mar"}, {"when.month.4", "Apr"},
    {"when.month.5", "May"}, {"when.month.6", "Jun"}, {"when.month.7", "Jul"}, {"when.month.8", "Aug"},
    {"when.month.9", "Sep"}, {"when.month.10", "Oct"}, {"when.month.11", "Nov"}, {"when.month.12", "Dec"},
    {"when.month_long.1", "January"}, {"when.month_long.2", "February"}, {"when.month_long.3", "March"},
    {"when.month_long.4", "April"}, {"when.month_long.5", "May"}, {"when.month_long.6", "June"},
    {"when.month_long.7", "July"}, {"when.month_long.8", "August"}, {"when.month_long.9", "September"},
    {"when.month_long.10", "October"}, {"when.month_long.11", "November"}, {"when.month_long.12", "December"},
    {"error.when_empty", "Give a date."},
    {"error.when_unreadable", "\"{0}\" is not a date: write 2026-12-02, 2026/12/2 or 12-02, with a time like 9:00 if needed."},
    {"error.when_no_such_date", "{0}-{1}-{2} is not a day of the calendar."},
    {"error.when_year_range", "The year {0} is outside 1900 to 2100."},
    {"error.when_bad_time", "\"{0}\" is not a time of day: write hours and minutes like 09:00."},
    {"error.when_time_needed", "Give a time too, e.g. 12-02 9:00."},
    {"error.when_time_not_here", "This field takes a date without a time."},
    {"when.pick", "Pick"},
    {"when.today", "Today"},
    {"when.time", "Time"},
    {"when.done", "Done"},
    {"when.clear", "Clear"},
    {"when.prev", "Previous"},
    {"when.next", "Next"},
    {"when.hint_datetime", "e.g. 12-02 9:00"},
    {"when.hint_date", "e.g. 2026-12-02 or 12-02"},
    {"when.reads_as", "= {0}"},
    {"when.hint_month", "e.g. 2026-12"},
    {"sync.clock_ahead", "This device's clock is {0} ahead of the server; please set its date and time. Its changes were kept."},
    {"sync.clock_off", "This device's clock differs from the server's; please set its date and time. Its changes were kept."},
    {"when.about_days", "about {0} day(s)"},
    {"when.about_hours", "about {0} hour(s)"},
    {"when.about_minutes", "about {0} minute(s)"},
    {"avail.title", "Weekly availability (tap or drag the half-hours)"},
    {"avail.clear", "Clear all"},
    {"avail.summary", "{0} h a week"},
    {"avail.none", "No availability recorded yet"},
    {"avail.apply_title", "Apply a week to several volunteers"},
    {"avail.apply_pick", "Pick volunteers (several)"},
    {"avail.apply_selected", "{0} selected"},
    {"avail.apply_button", "Apply to the selected volunteers"},
    {"avail.apply_done", "Applied to {0} volunteers"},
    {"avail.apply_empty", "Choose the times in the grid first"},
    {"avail.search_hint", "Find a volunteer by name"},
    {"avail.too_many", "Too many periods: at most 15; join neighbouring cells."},
};

}  // namespace

const std::vector<StringEntry>& dates_strings(Language lang) { return lang == Language::en ? kEn : kZh; }

}  // namespace dh::ui
