// The kiosk's simple intake (反映诉求): a resident says what the trouble is,
// leaves a name and phone, and submits. The kiosk lists nobody's requests,
// not even this one once the person pressed "done" (docs/talent.md "Who sees
// requests"). Contract and widget ids: talent_screens.h.
#include <algorithm>

#include "core/civil_time.h"
#include "core/text.h"
#include "imgui.h"
#include "ui/strings.h"
#include "ui/talent_screens.h"
#include "ui/widgets.h"

namespace dh::ui {

namespace {

// The categories a resident picks from at the kiosk (the hall refines at triage).
const char* const kKioskCategories[] = {"dispute_mediation", "legal_publicity",     "elderly_care", "health",
                                        "psychological_support", "education",       "childcare",    "housekeeping",
                                        "other"};

bool big(const std::string& lbl, float width = 0) {
  return ImGui::Button(lbl.c_str(), ImVec2(width, ImGui::GetFrameHeight() * 1.6f));
}

void reset(KioskRequestForm& k) { k = KioskRequestForm{}; }

}  // namespace

void draw_kiosk_request(KioskRequestForm& k, Frame& f) {
  status_text(tr("kreq.title"), "kreq-title");
  if (k.done) {
    ImVec4 green = color_ok(), amber = color_warning();
    status_text_wrapped(tr("kreq.done"), "kreq-done", &green);
    if (f.status.saved_on_device && !f.status.flush_in_progress && f.status.storage_error.empty())
      status_text_wrapped(tr("kiosk.saved"), "kiosk-saved", &green);
    else
      status_text_wrapped(tr("kiosk.saving"), "kiosk-saving", &amber);
    if (!f.status.online) status_text_wrapped(tr("kreq.offline_note"), "kreq-offline", &amber);
    if (big(label("kiosk.ok", "kreq-ok"))) reset(k);
    return;
  }
  status_text_wrapped(tr("kreq.pick_category"), "kreq-line-0");
  const float w = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x * 2) / 3.0f;
  int n = 0;
  for (const char* code : kKioskCategories) {
    if (n++ % 3) ImGui::SameLine();
    const bool on = k.category == code;
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (big(choice_label("category", code) + "##kreq-category-" + code, w)) k.category = code;
    if (on) ImGui::PopStyleColor();
  }
  ImGui::Spacing();
  ImGui::Checkbox(label("kreq.urgent", "kreq-urgent").c_str(), &k.urgent);
  status_text_wrapped(tr("kreq.describe"), "kreq-line-1");
  input_multiline("##kreq-description", &k.description,
                  ImVec2(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 28), ImGui::GetFontSize() * 4));
  status_text_wrapped(tr("kreq.contact"), "kreq-line-2");
  ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 12));
  input_text("##kreq-contact-name", &k.contact_name, tr("kreq.name_hint"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 12));
  input_text("##kreq-contact-phone", &k.contact_phone, tr("kreq.phone_hint"));
  if (!k.message.empty()) {
    ImVec4 red = color_error();
    status_text_wrapped(k.message, "kreq-message", &red);
  }
  ImGui::Spacing();
  ImGui::BeginDisabled(k.waiting || f.status.read_only);
  if (big(label("kreq.submit", "kreq-submit"))) {
    const int64_t now = f.status.now_local_minutes;
    k.message.clear();
    if (k.category.empty()) k.message = tr("kreq.need_category");
    else if (trim(k.description).empty()) k.message = tr("kreq.need_description");
    else if (trim(k.contact_name).empty() && trim(k.contact_phone).empty()) k.message = tr("kreq.need_contact");
    else if (now <= 0) k.message = tr("req.no_clock");
    else {
      Json fields{{"category", k.category},
                  {"urgency", k.urgent ? 3 : 1},
                  {"description", trim(k.description)},
                  {"intake_channel", "kiosk"},
                  {"recorded_at", format_datetime(now)}};
      if (!trim(k.contact_name).empty()) fields["contact_name"] = trim(k.contact_name);
      if (!trim(k.contact_phone).empty()) fields["contact_phone"] = trim(k.contact_phone);
      k.waiting = true;
      f.emit(CreateEntity{"request", fields, ""}, PendingAction{PendingAction::What::create, "request", "", ""});
    }
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (big(label("kiosk.back", "kreq-back"))) reset(k);
}

void kiosk_request_commit_result(KioskRequestForm& k, const std::string& error) {
  k.waiting = false;
  if (error.empty()) {
    // Forget what was typed: the next person at the kiosk sees none of it.
    k = KioskRequestForm{};
    k.open = true;
    k.done = true;
  } else {
    k.message = error;
  }
}

}  // namespace dh::ui
