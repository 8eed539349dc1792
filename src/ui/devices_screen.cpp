#include "ui/devices_screen.h"

#include <algorithm>

#include "imgui.h"
#include "ui/strings.h"
#include "ui/sync_screen.h"
#include "ui/widgets.h"

namespace dh::ui {

const std::vector<std::string>& enrollable_roles() {
  static const std::vector<std::string> roles = {"voting_tablet", "kiosk",     "coordinator",
                                                 "grid_worker",   "projector", "administrator"};
  return roles;
}

std::string enrol_url(const std::string& origin_raw, const std::string& code) {
  std::string origin = origin_raw;
  while (!origin.empty() && origin.back() == '/') origin.pop_back();
  if (code.empty() || (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0)) return "";
  return origin + "/?enrol=" + code;  // digits and '-' only: nothing to escape
}

namespace {

std::string role_text(const std::string& role) {
  const char* t = find_text(current_language(), "role." + role);
  return t ? t : role;
}

void draw_code(DevicesView& v, const SyncStatus& s) {
  const auto& a = s.admin;
  if (a.code.empty()) return;
  ImGui::Spacing();
  // The code and its words on the left, the QR code beside them.
  const std::string url = enrol_url(s.server, a.code);
  const float qr_side = std::min(ImGui::GetFontSize() * 11, ImGui::GetContentRegionAvail().x * 0.4f);
  ImGui::BeginGroup();
  push_font_scale(2.4f);
  status_text(a.code, "devices-code");
  pop_font_scale();
  status_text(trf("devices.code_for", {role_text(a.code_role)}), "devices-code-role");
  if (a.code_expires_minutes > 0)
    status_text(trf("devices.code_expires", {short_local_time(a.code_expires_minutes)}), "devices-code-expires");
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::max(ImGui::GetFontSize() * 12,
                                                           ImGui::GetContentRegionAvail().x - qr_side - ImGui::GetFontSize()));
  if (url.empty()) {
    status_text_wrapped(tr("devices.no_origin"), "devices-code-url");
  } else {
    ImGui::TextUnformatted(tr("devices.qr_how"));
    status_text(url, "devices-qr");
  }
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
  if (url.empty()) return;
  if (url != v.qr_url) {
    v.qr_url = url;
    v.qr = encode_qr(url);
  }
  ImGui::SameLine();
  v.drawn_dark_modules = draw_qr_matrix(v.qr, qr_side, qr_side);
}

void draw_list(DevicesView& v, const AppStatus& status, Frame& f) {
  const SyncStatus& s = status.sync;
  const auto& a = s.admin;
  push_font_scale(1.2f);
  ImGui::TextUnformatted(tr("devices.list_title"));
  pop_font_scale();
  ImGui::BeginDisabled(a.busy);
  if (ImGui::Button(label("devices.refresh", "devices-refresh").c_str())) f.ask(ListDevices{});
  ImGui::EndDisabled();
  if (!a.revoked.empty()) {
    ImVec4 green = color_ok();
    ImGui::SameLine();
    status_text(trf("devices.revoked_done", {a.revoked}), "devices-revoked", &green);
  }
  if (!a.listed) return;
  size_t active = 0;
  for (const auto& d : a.devices) active += d.revoked ? 0 : 1;
  status_text(trf("devices.count", {std::to_string(active), std::to_string(a.devices.size())}), "devices-count");
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("##devices-table", 6, flags)) return;
  ImGui::TableSetupColumn(tr("devices.col_name"));
  ImGui::TableSetupColumn(tr("devices.col_role"));
  ImGui::TableSetupColumn(tr("devices.col_contact"));
  ImGui::TableSetupColumn(tr("devices.col_behind"));
  ImGui::TableSetupColumn(tr("devices.col_state"));
  // Wide enough for "confirm" and "cancel" side by side (a clipped button takes no click).
  const ImGuiStyle& style = ImGui::GetStyle();
  const float action_w = ImGui::CalcTextSize(tr("devices.revoke_confirm")).x +
                         ImGui::CalcTextSize(tr("devices.revoke_cancel")).x + style.FramePadding.x * 4 +
                         style.ItemSpacing.x;
  ImGui::TableSetupColumn(tr("devices.col_action"), ImGuiTableColumnFlags_WidthFixed, action_w);
  ImGui::TableHeadersRow();
  for (const auto& d : a.devices) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    status_text((d.name.empty() ? d.id : d.name + " · " + d.id), ("devices-row-" + d.id).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(role_text(d.role).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(d.last_contact_minutes > 0 ? short_local_time(d.last_contact_minutes).c_str()
                                                      : tr("devices.contact_unknown"));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(d.behind_known ? trf("devices.behind", {std::to_string(d.behind)}).c_str()
                                          : tr("devices.behind_unknown"));
    ImGui::TableNextColumn();
    if (d.revoked) {
      ImGui::TextDisabled("%s", tr("devices.state_revoked"));
    } else {
      ImGui::TextUnformatted(tr("devices.state_active"));
    }
    ImGui::TableNextColumn();
    if (d.revoked || d.id == status.device_id) continue;  // never this device itself
    if (v.confirm_revoke == d.id) {
      ImVec4 red = color_error();
      ImGui::PushStyleColor(ImGuiCol_Text, red);
      ImGui::BeginDisabled(a.busy);
      if (ImGui::Button(label("devices.revoke_confirm", "devices-revoke-confirm-" + d.id).c_str())) {
        f.ask(RevokeDevice{d.id});
        v.confirm_revoke.clear();
      }
      ImGui::EndDisabled();
      ImGui::PopStyleColor();
      ImGui::SameLine();
      if (ImGui::Button(label("devices.revoke_cancel", "devices-revoke-cancel").c_str())) v.confirm_revoke.clear();
    } else if (ImGui::Button(label("devices.revoke", "devices-revoke-" + d.id).c_str())) {
      v.confirm_revoke = d.id;
    }
  }
  ImGui::EndTable();
}

}  // namespace

void draw_devices(DevicesView& v, Frame& f) {
  const AppStatus& status = f.status;
  const SyncStatus& s = status.sync;
  push_font_scale(1.4f);
  ImGui::TextUnformatted(tr("nav.devices"));
  pop_font_scale();
  ImGui::Spacing();
  if (s.role != "administrator" || !s.active) {
    status_text_wrapped(tr("devices.admin_only"), "devices-admin-only");
    return;
  }
  if (!v.asked_list) {
    v.asked_list = true;
    f.ask(ListDevices{});
  }
  if (!s.admin.error.empty()) {
    ImVec4 red = color_error();
    // A code the tables know is said whole; the server's English words only
    // for a refusal they do not know (devices.refused).
    Problem said = s.admin.error;
    if (said.code != "devices.refused") said.detail.clear();
    status_text_wrapped(trf("devices.failed", {problem_text(said)}), "devices-error", &red);
  }
  push_font_scale(1.2f);
  ImGui::TextUnformatted(tr("devices.make_title"));
  pop_font_scale();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetFontSize() * 36);
  ImGui::TextUnformatted(tr("devices.make_how"));
  ImGui::PopTextWrapPos();
  bool first = true;
  for (const auto& role : enrollable_roles()) {
    if (!first) ImGui::SameLine();
    first = false;
    if (ImGui::RadioButton(label("role." + role, "devices-role-" + role).c_str(), v.role == role)) v.role = role;
  }
  ImGui::BeginDisabled(s.admin.busy || !status.online);
  if (ImGui::Button(label("devices.make_code", "devices-make-code").c_str(), ImVec2(0, ImGui::GetFrameHeight() * 1.3f)))
    f.ask(MakeEnrolCode{v.role});
  ImGui::EndDisabled();
  draw_code(v, s);
  ImGui::Spacing();
  ImGui::Separator();
  draw_list(v, status, f);
}

}  // namespace dh::ui
