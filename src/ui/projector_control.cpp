#include "ui/projector_control.h"

#include <map>

#include "core/deliberation.h"
#include "core/projection.h"
#include "imgui.h"
#include "ui/projector_view.h"
#include "ui/strings.h"
#include "ui/widgets.h"

namespace dh::ui {

namespace {

using projection::Slide;
using projection::SlideType;

// The chair's choice per meeting (view state, not data).
struct ControlState {
  SlideType type = SlideType::agenda;
  std::string motion, poll;
  std::string sent_content;  // the content of the last command this control emitted
  double sent_at = -1;       // ImGui time of that command
};
std::map<std::string, ControlState>& controls() {
  static std::map<std::string, ControlState> m;
  return m;
}
std::string& area_meeting() {
  static std::string id;
  return id;
}

const SlideType kPickable[] = {SlideType::agenda,     SlideType::motion, SlideType::speakers,
                               SlideType::live_count, SlideType::result, SlideType::blank};

std::string type_label(SlideType t) { return choice_label("slide", projection::slide_type_code(t)); }

// A combo of (id, title) with "opt-<id>" options; returns true on a change.
bool pick(const char* id, const std::vector<std::pair<std::string, std::string>>& items, std::string& chosen) {
  std::string preview = tr("projector.control.none");
  for (const auto& [k, title] : items)
    if (k == chosen) preview = title;
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  if (begin_combo(id, preview.c_str())) {
    for (const auto& [k, title] : items) {
      if (ImGui::Selectable((title + "##opt-" + k).c_str(), k == chosen)) {
        chosen = k;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

// Draws a slide in a child of the given width (16:9).
void slide_box(const char* child_id, const Slide* slide, float width, const char* prefix) {
  const ImVec2 size(width, width * 9.0f / 16.0f);
  if (ImGui::BeginChild(child_id, size, ImGuiChildFlags_None, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse)) {
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    if (slide) {
      SlideDrawOptions o;
      o.id_prefix = prefix;
      draw_slide(*slide, origin, size, o);
    } else {
      ImGui::GetWindowDrawList()->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y),
                                                IM_COL32(14, 22, 33, 255));
    }
  }
  ImGui::EndChild();
}

}  // namespace

void draw_projector_control(const State& state, const std::string& meeting_id, UiOutput& out) {
  ImGui::PushID("projector-control");
  if (meeting_id.empty() || !deliberation::meeting_view(state, meeting_id).found) {
    status_text(tr("projector.control.no_meeting"), "proj-state", nullptr);
    ImGui::PopID();
    return;
  }
  ControlState& c = controls()[meeting_id];
  const auto current = projection::current_projection(state, meeting_id);
  const float avail = ImGui::GetContentRegionAvail().x;
  const float box_w = std::max(240.0f, std::min(avail * 0.48f, 640.0f));

  // What is up now.
  ImGui::TextUnformatted(tr("projector.control.now"));
  ImGui::SameLine();
  if (current) {
    const std::string what = type_label(current->type) + (current->slide.title.empty() ? "" : "：" + current->slide.title);
    status_text(what, "projector-now", nullptr);
  } else {
    status_text(tr("projector.control.nothing"), "projector-now", nullptr);
  }

  // The choice of the next slide.
  ImGui::Separator();
  ImGui::TextUnformatted(tr("projector.control.choose"));
  for (size_t i = 0; i < std::size(kPickable); ++i) {
    const SlideType t = kPickable[i];
    const std::string lbl = type_label(t) + "##proj-pick-" + projection::slide_type_code(t);
    // A radio button is its circle and its words: onto the next line when the row is full.
    if (i > 0) same_line_if_room(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x +
                                 ImGui::CalcTextSize(type_label(t).c_str()).x);
    if (ImGui::RadioButton(lbl.c_str(), c.type == t)) c.type = t;
  }
  if (c.type == SlideType::motion) {
    std::vector<std::pair<std::string, std::string>> motions;
    for (const auto& m : deliberation::motions_view(state, meeting_id))
      if (m.state != "withdrawn") motions.emplace_back(m.id, m.title);
    if (c.motion.empty() && !motions.empty()) c.motion = motions.front().first;
    ImGui::TextUnformatted(tr("projector.control.pick_motion"));
    ImGui::SameLine();
    pick("##proj-pick-motion", motions, c.motion);
  }
  if (c.type == SlideType::live_count || c.type == SlideType::result) {
    std::vector<std::pair<std::string, std::string>> polls;
    for (const auto& p : deliberation::polls_view(state, meeting_id)) polls.emplace_back(p.id, p.title);
    if (c.poll.empty() && !polls.empty()) c.poll = polls.back().first;
    ImGui::TextUnformatted(tr("projector.control.pick_poll"));
    ImGui::SameLine();
    pick("##proj-pick-poll", polls, c.poll);
  }
  const std::string ref = c.type == SlideType::motion                                          ? c.motion
                          : c.type == SlideType::live_count || c.type == SlideType::result ? c.poll
                                                                                           : std::string();
  auto next = projection::capture_slide(state, meeting_id, c.type, ref);

  // Preview (left) and what is up (right): the same drawing at two sizes.
  ImGui::TextUnformatted(tr("projector.control.preview"));
  slide_box("##proj-preview", next ? &next.value() : nullptr, box_w, "prev-");
  ImGui::SameLine();
  slide_box("##proj-now", current ? &current->slide : nullptr, box_w * 0.6f, "now-");
  if (next && next->type == SlideType::result && !next->published) {
    status_text_wrapped(tr("projector.control.result_hidden"), "proj-result-hidden", nullptr);
  }
  if (!next) status_text_wrapped(error_text(next.error().code, next.error().message), "proj-state", nullptr);

  // Project.
  const std::string content = next ? projection::to_json(next.value()).dump() : std::string();
  const Entity* up = current ? state.find("projection", current->id) : nullptr;
  const bool already = up && up->text("content") == content && up->text("slide") == projection::slide_type_code(c.type);
  const bool sending = !c.sent_content.empty() && c.sent_content == content && !already &&
                       ImGui::GetTime() - c.sent_at < 10.0;
  ImGui::BeginDisabled(!next || already || sending);
  if (ImGui::Button(label("projector.control.project", "proj-project").c_str()) && next && !already) {
    // Edit this meeting's projection when this device can see one, else make it.
    if (current) {
      out.commands.push_back(EditEntity{"projection", current->id, projection::projection_fields(next.value())});
    } else {
      out.commands.push_back(CreateEntity{"projection", projection::projection_fields(next.value()), ""});
    }
    c.sent_content = content;
    c.sent_at = ImGui::GetTime();
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (already) status_text(tr("projector.control.already"), "proj-state", nullptr);
  else if (sending) status_text(tr("projector.control.saving"), "proj-state", nullptr);
  else if (!c.sent_content.empty() && ImGui::GetTime() - c.sent_at >= 10.0 && c.sent_content == content) {
    status_text(tr("projector.control.not_taken"), "proj-state", nullptr);
  }
  status_text_wrapped(trf("projector.control.address", {"index.html?view=projector"}), "proj-address", nullptr);
  ImGui::PopID();
}

void draw_projector_area(const State& state, UiOutput& out) {
  std::string& chosen = area_meeting();
  const auto meetings = deliberation::meetings_view(state, "");
  if (chosen.empty() || !deliberation::meeting_view(state, chosen).found) {
    chosen.clear();
    for (const auto& m : meetings)
      if (m.state == "in_session") chosen = m.id;
    if (chosen.empty() && !meetings.empty()) chosen = meetings.back().id;
  }
  std::vector<std::pair<std::string, std::string>> items;
  for (const auto& m : meetings) items.emplace_back(m.id, m.title);
  ImGui::TextUnformatted(tr("field.projection.meeting"));
  ImGui::SameLine();
  pick("##proj-meeting", items, chosen);
  ImGui::Separator();
  draw_projector_control(state, chosen, out);
}

}  // namespace dh::ui
