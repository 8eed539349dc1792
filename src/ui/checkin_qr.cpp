#include "ui/checkin_qr.h"

#include <algorithm>
#include <random>

#include "core/checkin.h"
#include "core/volunteering.h"
#include "imgui.h"
#include "qrcodegen.hpp"
#include "ui/strings.h"
#include "ui/when_text.h"
#include "ui/volunteering_screens.h"
#include "ui/widgets.h"

namespace dh::ui {

QrMatrix encode_qr(const std::string& text) {
  QrMatrix m;
  // qrcodegen reports data too long by throwing; our URLs are ~100 bytes
  // (version 5-7), far below the 2,331 bytes a version 40-M code holds.
  if (text.size() > 2000) return m;
  const qrcodegen::QrCode qr = qrcodegen::QrCode::encodeText(text.c_str(), qrcodegen::QrCode::Ecc::MEDIUM);
  m.size = qr.getSize();
  m.dark.resize(static_cast<size_t>(m.size) * static_cast<size_t>(m.size));
  for (int y = 0; y < m.size; ++y)
    for (int x = 0; x < m.size; ++x) m.dark[static_cast<size_t>(y) * static_cast<size_t>(m.size) + static_cast<size_t>(x)] = qr.getModule(x, y);
  return m;
}

std::string new_checkin_key() {
  static const char* alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string key;
  while (key.size() < 24) {
    const unsigned int r = rd();
    // 252 = 7 * 36: reject the top values so every character is equally likely.
    const unsigned int b = r & 0xffu;
    if (b < 252) key.push_back(alphabet[b % 36]);
  }
  return key;
}

namespace {

bool is_origin(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

void centered_text(const std::string& text, const char* id, float scale, const ImVec4* color = nullptr) {
  push_font_scale(scale);
  const float w = ImGui::CalcTextSize(text.c_str()).x;
  const float avail = ImGui::GetContentRegionAvail().x;
  if (w < avail) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (avail - w) * 0.5f);
  status_text(text, id, color);
  pop_font_scale();
}

}  // namespace

void draw_checkin_qr(CheckinQrView& v, Frame& f, const std::string& origin_raw) {
  if (v.shift.empty()) return;
  const State& state = f.state;
  const Entity* shift = state.find("shift", v.shift);
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->Pos);
  ImGui::SetNextWindowSize(vp->Size);
  ImGui::SetNextWindowFocus();
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(1, 1, 1, 1));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.08f, 0.08f, 0.08f, 1));
  const bool open = ImGui::Begin("##checkin-qr", nullptr,
                                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                     ImGuiWindowFlags_NoScrollbar);
  ImGui::PopStyleColor(2);
  v.drawn_dark_modules = 0;
  if (!open) {
    ImGui::End();
    return;
  }
  if (ImGui::Button(label("qr.close", "qr-close").c_str())) {
    v.close();
    ImGui::End();
    return;
  }
  if (!shift || !shift->live()) {
    status_text_wrapped(tr("qr.shift_gone"), "qr-error");
    ImGui::End();
    return;
  }
  const Entity* station = state.find("station", shift->text("station"));
  centered_text(shift->text("role"), "qr-title", 2.0f);
  centered_text(station ? station->text("name") : shift->text("station"), "qr-where", 1.4f);
  centered_text(when_text(shift->text("start"), shift->text("end")), "qr-when", 1.4f);

  std::string origin = origin_raw;
  while (!origin.empty() && origin.back() == '/') origin.pop_back();
  const std::string key = shift->text("checkin_key");
  if (!v.error.empty()) {
    ImVec4 red = color_error();
    status_text_wrapped(v.error, "qr-error", &red);
  }
  if (key.empty()) {
    // First time this shift's code is shown: ask for a key, once.
    if (v.key_requested_for != shift->id && !f.status.read_only) {
      v.key_requested_for = shift->id;
      f.emit(EditEntity{"shift", shift->id, Json{{"checkin_key", new_checkin_key()}}},
             PendingAction{PendingAction::What::save, "shift_qr_key", shift->id});
    }
    centered_text(f.status.read_only ? tr("qr.read_only") : tr("qr.preparing"), "qr-preparing", 1.2f);
    ImGui::End();
    return;
  }
  if (!is_origin(origin)) {
    ImVec4 amber = color_warning();
    status_text_wrapped(tr("qr.no_origin"), "qr-no-origin", &amber);
    ImGui::End();
    return;
  }
  const std::string url = checkin_url(origin, shift->id, key);
  if (url != v.url) {
    v.url = url;
    v.matrix = encode_qr(url);
  }
  // Instructions below the code take about four lines.
  const float line = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float side = std::max(0.0f, std::min(avail.x, avail.y - line * 6.5f));
  v.drawn_dark_modules = draw_qr_matrix(v.matrix, side, avail.x);
  // Both languages whatever the app's language: zh-CN first, then English.
  auto both = [](const char* key, Language lang) {
    const char* t = find_text(lang, key);
    return std::string(t ? t : key);
  };
  centered_text(both("qr.how", Language::zh_CN), "qr-how", 1.3f);
  centered_text(both("qr.how", Language::en), "qr-how-en", 1.0f);
  centered_text(both("qr.window", Language::zh_CN) + "  " + both("qr.window", Language::en), "qr-window", 0.8f);
  ImVec4 muted = color_muted();
  centered_text(url, "qr-url", 0.75f, &muted);
  if (f.status.sync.waiting_ops > 0) {
    // A new key works on phones only once the server has it.
    ImVec4 amber = color_warning();
    centered_text(tr("qr.not_synced"), "qr-not-synced", 0.9f, &amber);
  }
  ImGui::BeginDisabled(f.status.read_only);
  if (ImGui::SmallButton(label("qr.new_key", "qr-new-key").c_str()))
    f.emit(EditEntity{"shift", shift->id, Json{{"checkin_key", new_checkin_key()}}},
           PendingAction{PendingAction::What::save, "shift_qr_key", shift->id});
  ImGui::EndDisabled();
  ImGui::End();
}

int draw_qr_matrix(const QrMatrix& m, float side, float width) {
  if (m.size <= 0 || side <= 0) return 0;
  const int total = m.size + 8;  // 4-module quiet zone on each side
  const float module = std::floor(side / static_cast<float>(total));
  if (module < 1) return 0;
  const float drawn = module * static_cast<float>(total);
  ImVec2 p = ImGui::GetCursorScreenPos();
  p.x += std::max(0.0f, (width - drawn) * 0.5f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + drawn, p.y + drawn), IM_COL32(255, 255, 255, 255));
  int dark = 0;
  for (int y = 0; y < m.size; ++y) {
    for (int x = 0; x < m.size; ++x) {
      if (!m.at(x, y)) continue;
      const ImVec2 a(p.x + module * static_cast<float>(x + 4), p.y + module * static_cast<float>(y + 4));
      dl->AddRectFilled(a, ImVec2(a.x + module, a.y + module), IM_COL32(0, 0, 0, 255));
      ++dark;
    }
  }
  ImGui::Dummy(ImVec2(std::max(width, drawn), drawn));
  return dark;
}

void checkin_qr_commit_result(CheckinQrView& v, const std::string& error) {
  v.error = error;  // not retried by itself: closing and reopening the view asks again
}

}  // namespace dh::ui
