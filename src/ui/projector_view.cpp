#include "ui/projector_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/civil_time.h"
#include "ui/strings.h"
#include "ui/widgets.h"

namespace dh::ui {

namespace {

using projection::Slide;
using projection::SlideType;

constexpr float kLogicalW = 1920.0f, kLogicalH = 1080.0f;
constexpr float kMargin = 96.0f;
constexpr float kTitlePx = 84.0f;

// High contrast: near-white on a dark blue ground, yellow for what matters.
const ImU32 kGround = IM_COL32(14, 22, 33, 255);
const ImU32 kText = IM_COL32(255, 255, 255, 255);
const ImU32 kMuted = IM_COL32(176, 190, 197, 255);
const ImU32 kAccent = IM_COL32(255, 213, 74, 255);
const ImU32 kWarn = IM_COL32(255, 138, 101, 255);
const ImU32 kBarTrack = IM_COL32(44, 58, 74, 255);
const ImU32 kBarFill = IM_COL32(79, 195, 247, 255);
const ImU32 kBarWinner = IM_COL32(255, 213, 74, 255);

ImVec4 to_vec(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

// A logical canvas inside [origin, origin+size): 16:9, centred.
struct Canvas {
  ImVec2 o;
  float s = 1;
  ImVec2 at(float x, float y) const { return ImVec2(o.x + x * s, o.y + y * s); }
  float px(float v) const { return v * s; }
};

Canvas make_canvas(ImVec2 origin, ImVec2 size) {
  Canvas c;
  c.s = std::min(size.x / kLogicalW, size.y / kLogicalH);
  c.o = ImVec2(origin.x + (size.x - kLogicalW * c.s) * 0.5f, origin.y + (size.y - kLogicalH * c.s) * 0.5f);
  return c;
}

// Text at logical (x, y), logical size px, wrapped at logical width w (0: no
// wrap), reported to the widget hook as "<text>##<id>". Returns the logical
// y below it.
float text_at(const Canvas& c, float x, float y, float px, const std::string& text, const std::string& id, float w = 0) {
  ImGui::PushFont(nullptr, std::max(1.0f, c.px(px)));
  ImGui::SetCursorScreenPos(c.at(x, y));
  if (w > 0) ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + c.px(w));
  status_text(text, id.c_str(), nullptr);
  if (w > 0) ImGui::PopTextWrapPos();
  const float h = ImGui::GetItemRectSize().y;
  ImGui::PopFont();
  return y + h / c.s;
}

// Coloured text: status_text with a colour pushed.
float ctext(const Canvas& c, float x, float y, float px, ImU32 color, const std::string& text, const std::string& id,
            float w = 0) {
  ImGui::PushStyleColor(ImGuiCol_Text, to_vec(color));
  float out = text_at(c, x, y, px, text, id, w);
  ImGui::PopStyleColor();
  return out;
}

void ground(const Canvas& c, ImVec2 origin, ImVec2 size) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y), IM_COL32(0, 0, 0, 255));
  dl->AddRectFilled(c.at(0, 0), c.at(kLogicalW, kLogicalH), kGround);
}

std::string clock_text(int64_t seconds) {
  if (seconds < 0) seconds = -seconds;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(seconds / 60),
                static_cast<long long>(seconds % 60));
  return buf;
}

std::string bar_label(const projection::Bar& b) {
  return b.label_is_code ? std::string(tr("projector.option." + b.label)) : b.label;
}

// The header every slide shares: meeting (small, muted), then the title.
float header(const Canvas& c, const Slide& s, const std::string& p, const char* kind_key) {
  float y = 56;
  std::string top = s.meeting_title;
  if (kind_key) top = top.empty() ? std::string(tr(kind_key)) : top + "  ·  " + tr(kind_key);
  if (!top.empty()) y = ctext(c, kMargin, y, 40, kMuted, top, p + "meeting", kLogicalW - 2 * kMargin) + 24;
  if (!s.title.empty()) y = ctext(c, kMargin, y, kTitlePx, kText, s.title, p + "title", kLogicalW - 2 * kMargin) + 24;
  return y;
}

int64_t draw_agenda(const Canvas& c, const Slide& s, const std::string& p) {
  float y = header(c, s, p, "projector.agenda") + 16;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (size_t i = 0; i < s.lines.size() && y < kLogicalH - 80; ++i) {
    const auto& l = s.lines[i];
    const ImU32 col = l.current ? kAccent : l.done ? kMuted : kText;
    if (l.current) dl->AddRectFilled(c.at(kMargin - 36, y + 8), c.at(kMargin - 20, y + 56), kAccent);
    y = ctext(c, kMargin, y, 54, col, std::to_string(i + 1) + ".  " + l.text, p + "line-" + std::to_string(i),
              kLogicalW - 2 * kMargin) + 18;
  }
  return -1;
}

int64_t draw_motion(const Canvas& c, const Slide& s, const std::string& p) {
  float y = header(c, s, p, "projector.motion");
  if (!s.subtitle.empty()) y = ctext(c, kMargin, y, 46, kAccent, trf("projector.proposer", {s.subtitle}), p + "subtitle") + 30;
  for (size_t i = 0; i < s.lines.size() && y < kLogicalH - 80; ++i) {
    y = ctext(c, kMargin, y, 50, kText, s.lines[i].text, p + "line-" + std::to_string(i), kLogicalW - 2 * kMargin) + 20;
  }
  return -1;
}

int64_t draw_speakers(const Canvas& c, const Slide& s, const std::string& p, int64_t now_ms) {
  float y = header(c, s, p, "projector.speakers") + 10;
  const projection::Line* current = nullptr;
  for (const auto& l : s.lines)
    if (l.current) current = &l;
  int64_t redraw = -1;
  if (current) {
    y = ctext(c, kMargin, y, 44, kMuted, tr("projector.speaking_now"), p + "speaking-label") + 6;
    ctext(c, kMargin, y, 96, kAccent, current->text, p + "speaker", 1100);
    if (s.turn_started_ms > 0 && s.turn_seconds > 0) {
      // now_ms 0 (a preview without a clock): the turn as it starts.
      const int64_t elapsed = now_ms > 0 ? std::max<int64_t>(0, (now_ms - s.turn_started_ms) / 1000) : 0;
      const int64_t left = s.turn_seconds - elapsed;
      const std::string t = left >= 0 ? trf("projector.time_left", {clock_text(left)})
                                       : trf("projector.overtime", {clock_text(-left)});
      ctext(c, 1240, y, 96, left >= 0 ? kText : kWarn, t, p + "timer");
      // The next whole second.
      if (now_ms > 0) redraw = 1000 - ((now_ms - s.turn_started_ms) % 1000);
    }
    y += 150;
  }
  int n = 0;
  bool any = false;
  for (size_t i = 0; i < s.lines.size() && y < kLogicalH - 70; ++i) {
    if (s.lines[i].current) continue;
    if (!any) y = ctext(c, kMargin, y, 44, kMuted, tr("projector.next_speakers"), p + "next-label") + 8;
    any = true;
    y = ctext(c, kMargin, y, 54, kText, std::to_string(++n) + ".  " + s.lines[i].text, p + "line-" + std::to_string(i)) + 14;
  }
  if (!current && !any) ctext(c, kMargin, y + 40, 60, kMuted, tr("projector.no_speakers"), p + "no-speakers");
  return redraw;
}

// A horizontal bar with its value easing in; reported as "<text>##<id>".
void bar(const Canvas& c, float x, float y, float w, float h, double fraction, ImU32 fill, const std::string& text,
         const std::string& id) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(c.at(x, y), c.at(x + w, y + h), kBarTrack, c.px(8));
  const float fw = static_cast<float>(std::clamp(fraction, 0.0, 1.0)) * w;
  if (fw > 0.5f) dl->AddRectFilled(c.at(x, y), c.at(x + fw, y + h), fill, c.px(8));
  ImGui::SetCursorScreenPos(c.at(x, y));
  ImGui::Dummy(ImVec2(c.px(w), c.px(h)));
  expose_last_item((text + "##" + id).c_str());
}

int64_t draw_live_count(const Canvas& c, const Slide& s, const std::string& p, BarAnimator* anim, int64_t now) {
  float y = header(c, s, p, "projector.voting") + 20;
  y = ctext(c, kMargin, y, 110, kAccent, trf("projector.received", {std::to_string(s.received)}), p + "received") + 30;
  const double target = s.present > 0 ? static_cast<double>(s.received) / s.present : 0.0;
  const std::string key = s.meeting_id + "/" + s.ref + "/received";
  const double shown = anim ? anim->value(key, target, now) : target;
  bar(c, kMargin, y, kLogicalW - 2 * kMargin, 64, shown, kBarFill, std::to_string(s.received), p + "received-bar");
  y += 100;
  y = ctext(c, kMargin, y, 54, kText, trf("projector.present_entitled", {std::to_string(s.present), std::to_string(s.entitled)}),
            p + "present") + 20;
  ctext(c, kMargin, y, 46, kMuted, tr(s.secret ? "projector.secret" : "projector.named"), p + "ballot-kind");
  return anim && anim->animating(now) ? 16 : -1;
}

int64_t draw_result(const Canvas& c, const Slide& s, const std::string& p, BarAnimator* anim, int64_t now) {
  float y = header(c, s, p, "projector.result") + 10;
  if (!s.published) {
    y = ctext(c, kMargin, y + 40, 96, kAccent, tr("projector.not_published"), p + "not-published") + 20;
    ctext(c, kMargin, y, 50, kMuted, tr("projector.not_published_hint"), p + "not-published-hint");
    return -1;
  }
  long long total = 0, top = 0;
  for (const auto& b : s.bars) total += b.count, top = std::max(top, b.count);
  const double denom = static_cast<double>(std::max<long long>(1, std::max<long long>(total, top)));
  const size_t n = std::max<size_t>(1, s.bars.size());
  const float avail = kLogicalH - y - 210;
  const float row = std::clamp(avail / static_cast<float>(n), 56.0f, 130.0f);
  const float bar_h = row * 0.62f;
  const float label_w = 460, count_w = 330;
  const float bar_x = kMargin + label_w, bar_w = kLogicalW - 2 * kMargin - label_w - count_w;
  const float label_px = std::min(64.0f, row * 0.55f);
  for (size_t i = 0; i < s.bars.size() && y + row < kLogicalH - 150; ++i) {
    const auto& b = s.bars[i];
    const std::string label = bar_label(b);
    const std::string key = s.meeting_id + "/" + s.ref + "/bar/" + std::to_string(i);
    const double shown = anim ? anim->value(key, static_cast<double>(b.count), now) : static_cast<double>(b.count);
    ctext(c, kMargin, y + (row - label_px) * 0.3f, label_px, b.winner ? kAccent : kText, label,
          p + "bar-label-" + std::to_string(i), label_w - 30);
    bar(c, bar_x, y + (row - bar_h) * 0.5f, bar_w, bar_h, shown / denom, b.winner ? kBarWinner : kBarFill,
        label + " " + std::to_string(b.count), p + "bar-" + std::to_string(i));
    const long long pct = total > 0 ? (b.count * 100 + total / 2) / total : 0;
    ctext(c, bar_x + bar_w + 30, y + (row - label_px) * 0.3f, label_px, kText,
          std::to_string(static_cast<long long>(std::llround(shown))) + "  (" + std::to_string(pct) + "%)",
          p + "count-" + std::to_string(i));
    y += row;
  }
  y += 16;
  std::string notes;
  for (size_t i = 0; i < s.notes.size(); ++i) notes += (i ? "  ·  " : "") + std::string(tr("projector.note." + s.notes[i]));
  if (!notes.empty()) y = ctext(c, kMargin, y, 64, kAccent, notes, p + "notes") + 12;
  ctext(c, kMargin, y, 44, kMuted,
        trf("projector.cast_valid", {std::to_string(s.cast), std::to_string(s.valid), std::to_string(s.present),
                                     std::to_string(s.entitled)}) +
            "  ·  " + tr(s.secret ? "projector.secret" : "projector.named"),
        p + "cast-valid");
  return anim && anim->animating(now) ? 16 : -1;
}

}  // namespace

double BarAnimator::value(const std::string& key, double target, int64_t now) {
  auto [it, fresh] = bars_.try_emplace(key);
  Bar& b = it->second;
  auto at = [&](int64_t t) {
    double u = std::clamp(static_cast<double>(t - b.start_ms) / kDurationMs, 0.0, 1.0);
    double e = 1 - (1 - u) * (1 - u) * (1 - u);  // ease-out cubic
    return b.from + (b.to - b.from) * e;
  };
  if (fresh) {
    b.from = 0;
    b.to = target;
    b.start_ms = now;
  } else if (b.to != target) {
    b.from = at(now);
    b.to = target;
    b.start_ms = now;
  }
  return at(now);
}

bool BarAnimator::animating(int64_t now) const {
  for (const auto& [k, b] : bars_)
    if (now - b.start_ms < kDurationMs && b.from != b.to) return true;
  return false;
}

float title_px(ImVec2 size) { return kTitlePx * std::min(size.x / kLogicalW, size.y / kLogicalH); }

int64_t draw_slide(const Slide& slide, ImVec2 origin, ImVec2 size, const SlideDrawOptions& o) {
  Canvas c = make_canvas(origin, size);
  ground(c, origin, size);
  const std::string p = o.id_prefix ? o.id_prefix : "";
  switch (slide.type) {
    case SlideType::blank:
      header(c, slide, p, nullptr);
      return -1;
    case SlideType::agenda:
      return draw_agenda(c, slide, p);
    case SlideType::motion:
      return draw_motion(c, slide, p);
    case SlideType::speakers:
      return draw_speakers(c, slide, p, o.now_ms);
    case SlideType::live_count:
      return draw_live_count(c, slide, p, o.animator, o.now_ms);
    case SlideType::result:
      return draw_result(c, slide, p, o.animator, o.now_ms);
  }
  return -1;
}

void draw_waiting_screen(ImVec2 origin, ImVec2 size, const std::string& meeting_title) {
  Canvas c = make_canvas(origin, size);
  ground(c, origin, size);
  float y = 360;
  if (!meeting_title.empty()) y = ctext(c, kMargin, 240, 48, kMuted, meeting_title, "proj-meeting") + 40;
  y = ctext(c, kMargin, std::max(y, 360.0f), kTitlePx, kText, tr("projector.waiting"), "proj-waiting") + 30;
  ctext(c, kMargin, y, 48, kMuted, tr("projector.waiting_hint"), "proj-waiting-hint", kLogicalW - 2 * kMargin);
}

void draw_lost_contact_screen(ImVec2 origin, ImVec2 size, int64_t last_contact_ms) {
  Canvas c = make_canvas(origin, size);
  ground(c, origin, size);
  ImGui::GetWindowDrawList()->AddRectFilled(c.at(0, 0), c.at(kLogicalW, 24), kWarn);
  float y = ctext(c, kMargin, 330, 100, kWarn, tr("projector.lost"), "proj-lost", kLogicalW - 2 * kMargin) + 40;
  y = ctext(c, kMargin, y, 52, kText, tr("projector.lost_hint"), "proj-lost-hint", kLogicalW - 2 * kMargin) + 30;
  if (last_contact_ms > 0) {
    const int64_t local_ms = last_contact_ms + 8LL * 3600 * 1000;  // community-local (civil_time.h)
    const int64_t secs = (local_ms / 1000) % 86400;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                  static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
    ctext(c, kMargin, y, 48, kMuted, trf("projector.lost_since", {buf}), "proj-lost-since");
  }
}

}  // namespace dh::ui
