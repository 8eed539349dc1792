// Words of the locked kiosk (issue 12): kiosk mode, the staff PIN, no cancel
// after check-in. zh-CN first; English must have the same keys
// (tests/ui/strings_test.cpp).
#include "ui/strings.h"

namespace dh::ui {

namespace {

const std::vector<StringEntry> kZh = {
    {"kiosk.checked_in", "已签到"},
    {"kiosk.day_prev", "前一天"},
    {"kiosk.day_next", "后一天"},
    {"kiosk.day_today", "今天 {0}"},
    {"kiosk.day_tomorrow", "明天 {0}"},
    {"kiosk.day_count", "{0}：{1}个班次可以报名"},
    {"kiosk.day_none", "{0}：这一天没有可以报名的班次"},
    {"kiosk.all_stations", "全部站点"},
    {"kiosk.page_prev", "上一页"},
    {"kiosk.page_next", "下一页"},
    {"kiosk.page_of", "第{0}页，共{1}页"},
    {"kiosk.checked_in_note", "已签到，不能取消"},
    {"error.cancel_after_check_in", "已经签到的班次不能取消报名。如果签到登记错了，请协调员先撤销签到。"},
    {"sched.undo_check_in", "撤销签到"},
    {"lock.staff", "工作人员"},
    {"lock.leave_title", "工作人员退出自助模式：请输入密码"},
    {"lock.set_title", "设置工作人员密码（4到8位数字）"},
    {"lock.repeat_title", "请再输入一次新密码"},
    {"lock.mismatch", "两次输入的密码不一样，请重新设置。"},
    {"lock.too_short", "密码要有4到8位数字。"},
    {"lock.clear", "清除"},
    {"lock.ok", "确定"},
    {"lock.back", "返回"},
    {"lock.checking", "正在核对……"},
    {"lock.pin_saved", "工作人员密码已设置。"},
    {"lock.storage_error", "本设备无法保存数据：{0}"},
    {"problem.kiosk.pin_format", "密码要有4到8位数字。"},
    {"problem.kiosk.pin_wrong", "密码不对。再错{0}次后要等待一段时间才能再试。"},
    {"problem.kiosk.pin_wait", "密码错误次数太多，请{0}秒后再试。"},
    {"problem.kiosk.pin_not_set", "还没有设置工作人员密码。"},
    {"problem.kiosk.pin_read_only", "这个标签页只读，不能设置密码。"},
    {"settings.kiosk_title", "自助报名机模式"},
    {"settings.kiosk_note",
     "锁定后，本设备只显示志愿服务报名页：全屏、大字、没有导航，居民看不到其他页面。工作人员输入密码才能退出。"},
    {"settings.kiosk_lock", "锁定为自助报名机"},
    {"settings.kiosk_lock_new_pin", "设置工作人员密码并锁定"},
    {"settings.kiosk_change_pin", "更改工作人员密码"},
    {"settings.kiosk_pin_set", "已设置工作人员密码。"},
    {"settings.kiosk_pin_not_set", "还没有设置工作人员密码：锁定前要先设置。"},
    {"settings.kiosk_enrolled", "本设备登记为自助报名机，每次打开都会锁定。"},
};

const std::vector<StringEntry> kEn = {
    {"kiosk.day_prev", "Previous day"},
    {"kiosk.day_next", "Next day"},
    {"kiosk.day_today", "Today, {0}"},
    {"kiosk.day_tomorrow", "Tomorrow, {0}"},
    {"kiosk.day_count", "{0}: {1} shifts open for sign-up"},
    {"kiosk.day_none", "{0}: no shifts open for sign-up on this day"},
    {"kiosk.all_stations", "All stations"},
    {"kiosk.page_prev", "Previous page"},
    {"kiosk.page_next", "Next page"},
    {"kiosk.page_of", "Page {0} of {1}"},
    {"kiosk.checked_in", "Checked in"},
    {"kiosk.checked_in_note", "Checked in: cannot be cancelled"},
    {"error.cancel_after_check_in",
     "You are checked in to this shift, so it cannot be cancelled. If the check-in was a mistake, a coordinator "
     "clears it first."},
    {"sched.undo_check_in", "Undo check-in"},
    {"lock.staff", "Staff"},
    {"lock.leave_title", "Staff: enter the PIN to leave kiosk mode"},
    {"lock.set_title", "Set the staff PIN (4 to 8 digits)"},
    {"lock.repeat_title", "Enter the new PIN again"},
    {"lock.mismatch", "The two PINs differ; set it again."},
    {"lock.too_short", "The PIN has 4 to 8 digits."},
    {"lock.clear", "Clear"},
    {"lock.ok", "OK"},
    {"lock.back", "Back"},
    {"lock.checking", "Checking..."},
    {"lock.pin_saved", "The staff PIN is set."},
    {"lock.storage_error", "This device cannot save data: {0}"},
    {"problem.kiosk.pin_format", "The PIN has 4 to 8 digits."},
    {"problem.kiosk.pin_wrong", "Wrong PIN. After {0} more wrong tries you must wait before trying again."},
    {"problem.kiosk.pin_wait", "Too many wrong tries: try again in {0} seconds."},
    {"problem.kiosk.pin_not_set", "No staff PIN is set yet."},
    {"problem.kiosk.pin_read_only", "This tab is read-only: the PIN cannot be set here."},
    {"settings.kiosk_title", "Kiosk mode"},
    {"settings.kiosk_note",
     "Locked, this device shows only the volunteer sign-up screen: full screen, large text, no navigation, no other "
     "screen. Staff leave it with the PIN."},
    {"settings.kiosk_lock", "Lock as a kiosk"},
    {"settings.kiosk_lock_new_pin", "Set the staff PIN and lock"},
    {"settings.kiosk_change_pin", "Change the staff PIN"},
    {"settings.kiosk_pin_set", "A staff PIN is set."},
    {"settings.kiosk_pin_not_set", "No staff PIN yet: it is set before locking."},
    {"settings.kiosk_enrolled", "This device is enrolled as a kiosk: it locks every time it opens."},
};

}  // namespace

const std::vector<StringEntry>& kiosk_strings(Language lang) { return lang == Language::en ? kEn : kZh; }

}  // namespace dh::ui
