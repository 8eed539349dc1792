// Words of one feature: what each enrolled role's device shows, the voting
// tablet, and the administrator's 设备管理 area (issues 11 and 12).
// zh-CN first; English must have the same keys (tests/ui/strings_test.cpp).
#include "ui/strings.h"

namespace dh::ui {

namespace {

const std::vector<StringEntry> kZh = {
    {"nav.devices", "设备管理"},
    {"role.voting_tablet", "表决平板"},
    {"tablet.header", "表决平板"},
    {"tablet.header_note", "本设备只用于议事投票。投完请点“下一位”，把平板交给下一位代表。"},
    {"tablet.not_enrolled", "本平板已不能同步：登记被撤销或尚未登记。请找会议秘书重新登记。"},
    {"tablet.no_meeting", "现在没有正在进行的会议。会议开始后，这里会显示可以投票的表决。"},
    {"devices.admin_only", "只有管理员（社区书记）的设备可以管理设备。"},
    {"devices.failed", "设备管理没有成功：{0}"},
    {"devices.make_title", "生成登记码"},
    {"devices.make_how", "选择新设备的角色，点“生成登记码”。在新设备上扫描二维码，或在“同步”里输入这16位数字。登记码只能用一次，24小时内有效。"},
    {"devices.make_code", "生成登记码"},
    {"devices.code_for", "角色：{0}"},
    {"devices.code_expires", "有效期至 {0}"},
    {"devices.no_origin", "本设备不知道服务器的网址，无法生成二维码：请在新设备上手动输入登记码。"},
    {"devices.qr_how", "用新设备的相机扫描：会打开本应用并填好登记码，再点“登记”。"},
    {"devices.list_title", "已登记的设备"},
    {"devices.refresh", "刷新"},
    {"devices.revoked_done", "已撤销设备 {0}"},
    {"devices.count", "使用中 {0} 台，共 {1} 台"},
    {"devices.col_name", "设备"},
    {"devices.col_role", "角色"},
    {"devices.col_contact", "最近联系"},
    {"devices.col_behind", "待同步"},
    {"devices.col_state", "状态"},
    {"devices.col_action", "操作"},
    {"devices.contact_unknown", "服务器启动后未联系"},
    {"devices.behind", "{0} 条"},
    {"devices.behind_unknown", "未知"},
    {"devices.state_active", "使用中"},
    {"devices.state_revoked", "已撤销"},
    {"devices.revoke", "撤销"},
    {"devices.revoke_confirm", "确认撤销"},
    {"devices.revoke_cancel", "取消"},
    {"problem.devices.unreachable", "连不上服务器。"},
    {"problem.devices.refused", "服务器拒绝了请求（{0}）。"},
    {"problem.devices.unreadable", "服务器的回答无法读取。"},
    {"problem.devices.forbidden", "只有管理员（社区书记）的设备可以管理设备。"},
    {"problem.devices.unauthorized", "本设备尚未登记，或登记已被撤销。"},
    {"problem.devices.bad_role", "没有这个角色。"},
    {"problem.devices.not_found", "服务器上没有这台设备。"},
};

const std::vector<StringEntry> kEn = {
    {"nav.devices", "Devices"},
    {"role.voting_tablet", "Voting tablet"},
    {"tablet.header", "Voting tablet"},
    {"tablet.header_note", "This device is for voting only. After voting, tap \"Next voter\" and pass the tablet on."},
    {"tablet.not_enrolled", "This tablet can no longer sync: its enrolment was revoked or is missing. Ask the meeting secretary to enrol it again."},
    {"tablet.no_meeting", "No meeting is in session. When it starts, the polls open for voting appear here."},
    {"devices.admin_only", "Only the administrator's (community secretary's) device can manage devices."},
    {"devices.failed", "Device management did not succeed: {0}"},
    {"devices.make_title", "Make an enrolment code"},
    {"devices.make_how", "Choose the new device's role and tap \"Make code\". On the new device, scan the QR code, or type the 16 digits under Sync. A code works once, for 24 hours."},
    {"devices.make_code", "Make code"},
    {"devices.code_for", "Role: {0}"},
    {"devices.code_expires", "Valid until {0}"},
    {"devices.no_origin", "This device does not know the server's address, so there is no QR code: type the code on the new device."},
    {"devices.qr_how", "Scan with the new device's camera: the app opens with the code filled in; then tap \"Enrol\"."},
    {"devices.list_title", "Enrolled devices"},
    {"devices.refresh", "Refresh"},
    {"devices.revoked_done", "Device {0} revoked"},
    {"devices.count", "{0} in use, {1} in all"},
    {"devices.col_name", "Device"},
    {"devices.col_role", "Role"},
    {"devices.col_contact", "Last contact"},
    {"devices.col_behind", "Not yet synced"},
    {"devices.col_state", "State"},
    {"devices.col_action", "Action"},
    {"devices.contact_unknown", "not since the server started"},
    {"devices.behind", "{0} changes"},
    {"devices.behind_unknown", "unknown"},
    {"devices.state_active", "In use"},
    {"devices.state_revoked", "Revoked"},
    {"devices.revoke", "Revoke"},
    {"devices.revoke_confirm", "Yes, revoke"},
    {"devices.revoke_cancel", "Cancel"},
    {"problem.devices.unreachable", "The server cannot be reached."},
    {"problem.devices.refused", "The server refused the request ({0})."},
    {"problem.devices.unreadable", "The server's answer could not be read."},
    {"problem.devices.forbidden", "Only the administrator's (community secretary's) device can manage devices."},
    {"problem.devices.unauthorized", "This device is not enrolled, or its enrolment was revoked."},
    {"problem.devices.bad_role", "There is no such role."},
    {"problem.devices.not_found", "The server has no such device."},
};

}  // namespace

const std::vector<StringEntry>& devices_strings(Language lang) { return lang == Language::en ? kEn : kZh; }

}  // namespace dh::ui
