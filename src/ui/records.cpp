// The base-records area: a list per kind (search, archived toggle, clipped
// table for thousands of rows) and a form generated from the kind's FieldSpec.
#include <algorithm>

#include "core/text.h"
#include "imgui.h"
#include "ui/screens.h"
#include "ui/date_widgets.h"
#include "ui/strings.h"
#include "ui/widgets.h"

namespace dh::ui {

namespace {

// Up to two extra columns per kind: the first fields after the title that
// read well in a list.
std::vector<const FieldSpec*> list_columns(const KindSpec& kind) {
  std::vector<const FieldSpec*> cols;
  for (const auto& f : kind.fields) {
    if (f.name == kind.title_field || f.name == "note") continue;
    if (f.type == FieldType::text_list || f.type == FieldType::boolean) continue;
    cols.push_back(&f);
    if (cols.size() == 2) break;
  }
  return cols;
}

std::string title_or_untitled(const std::string& t) { return t.empty() ? std::string(tr("records.untitled")) : t; }

void select_entity(RecordsView& v, const std::string& id) {
  v.selected_id = id;
  v.creating = false;
  v.has_buffer = false;  // loaded on the next draw of the form
  v.form_error.clear();
  v.form_notice.clear();
  v.show_problems = false;
  v.problems.clear();
  v.waiting = false;
}

void start_new(RecordsView& v, const KindSpec& kind) {
  v.selected_id.clear();
  v.creating = true;
  v.buffer = load_buffer(kind, nullptr);
  v.has_buffer = true;
  v.form_error.clear();
  v.form_notice.clear();
  v.show_problems = false;
  v.problems.clear();
  v.waiting = false;
}

void draw_kind_picker(RecordsView& v, const KindSpec*& current) {
  const ImGuiStyle& style = ImGui::GetStyle();
  float avail = ImGui::GetContentRegionAvail().x;
  float used = 0;
  for (const auto& k : all_kinds()) {
    std::string text = kind_label(k.kind);
    std::string lbl = text + "##kind-" + k.kind;
    ImVec2 size = ImGui::CalcTextSize(text.c_str());
    float w = size.x + style.FramePadding.x * 2;
    if (used > 0 && used + style.ItemSpacing.x + w <= avail) ImGui::SameLine();
    else if (used > 0) used = 0;
    bool selected = v.kind == k.kind;
    if (selected) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::Button(lbl.c_str()) && !selected) {
      v.kind = k.kind;
      v.search.clear();
      v.selected_id.clear();
      v.creating = false;
      v.has_buffer = false;
      v.form_error.clear();
      v.form_notice.clear();
    }
    if (selected) ImGui::PopStyleColor();
    used += (used > 0 ? style.ItemSpacing.x : 0) + w;
  }
  current = find_kind(v.kind);
}

void draw_list(RecordsView& v, Frame& f, const KindSpec& kind) {
  const State& state = f.state;
  // Toolbar: search, archived toggle, new.
  ImGui::SetNextItemWidth(-FLT_MIN);
  input_text("##search", &v.search, tr("records.search_hint"));
  ImGui::Checkbox(label("records.show_archived", "show-archived").c_str(), &v.show_archived);
  ImGui::SameLine();
  ImGui::BeginDisabled(f.status.read_only);
  if (ImGui::Button(label("records.new", "new").c_str())) start_new(v, kind);
  ImGui::EndDisabled();

  const auto& rows = v.list.get(state, kind.kind, v.search, v.show_archived);
  ImGui::SameLine();
  std::string count = v.search.empty() ? trf("records.count", {std::to_string(rows.size())})
                                       : trf("records.count_filtered",
                                             {std::to_string(rows.size()), std::to_string(v.list.total())});
  status_text(count, "list-count");

  auto cols = list_columns(kind);
  const int ncols = 1 + static_cast<int>(cols.size()) + (v.show_archived ? 1 : 0);
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable;
  if (rows.empty()) {
    ImGui::TextDisabled("%s", tr("records.none"));
    return;
  }
  if (!ImGui::BeginTable("##records", ncols, flags, ImVec2(0, 0))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  const KindSpec* title_kind = &kind;
  const FieldSpec* title_spec = title_kind->field(kind.title_field);
  ImGui::TableSetupColumn(title_spec ? field_label(kind.kind, title_spec->name).c_str() : tr("records.col_title"),
                          ImGuiTableColumnFlags_WidthStretch, 2.0f);
  for (const FieldSpec* c : cols)
    ImGui::TableSetupColumn(field_label(kind.kind, c->name).c_str(), ImGuiTableColumnFlags_WidthStretch, 1.0f);
  if (v.show_archived)
    ImGui::TableSetupColumn(tr("records.col_state"), ImGuiTableColumnFlags_WidthStretch, 0.6f);
  ImGui::TableHeadersRow();

  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const Row& row = *rows[static_cast<size_t>(i)];
      const Entity& e = *row.entity;
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      const bool selected = !v.creating && v.selected_id == e.id;
      std::string lbl = title_or_untitled(row.title) + "##row-" + e.id;
      // A row is a touch target: as tall as a button.
      if (ImGui::Selectable(lbl.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns,
                            ImVec2(0, ImGui::GetFrameHeight())) && !selected)
        select_entity(v, e.id);
      int col = 1;
      for (const FieldSpec* c : cols) {
        ImGui::TableSetColumnIndex(col++);
        std::string text = display_value(state, *c, e.get(c->name));
        ImGui::TextUnformatted(text.c_str());
      }
      if (v.show_archived) {
        ImGui::TableSetColumnIndex(col);
        if (e.archived()) ImGui::TextColored(color_warning(), "%s", tr("records.archived_badge"));
      }
    }
  }
  ImGui::EndTable();
}

// A searchable combo of the live entities of spec.ref_kind.
bool draw_ref_field(RecordsView& v, Frame& f, const FieldSpec& spec, FieldBuffer& fb) {
  const State& state = f.state;
  std::string preview = fb.text.empty() ? std::string(tr("records.none_choice"))
                                        : display_value(state, spec, Json(fb.text));
  std::string id = "##f-" + spec.name;
  bool changed = false;
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (begin_combo(id.c_str(), preview.c_str(), ImGuiComboFlags_HeightLarge)) {
    if (ImGui::IsWindowAppearing()) {
      v.ref_search.clear();
      ImGui::SetKeyboardFocusHere();
    }
    ImGui::SetNextItemWidth(-FLT_MIN);
    input_text(("##f-" + spec.name + "-search").c_str(), &v.ref_search, tr("records.ref_search"));
    if (!spec.required) {
      if (ImGui::Selectable((std::string(tr("records.none_choice")) + "##opt-none").c_str(), fb.text.empty())) {
        fb.text.clear();
        changed = true;
      }
    }
    const auto& rows = v.ref_lists[spec.ref_kind].get(state, spec.ref_kind, v.ref_search, false);
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const Row& row = *rows[static_cast<size_t>(i)];
        std::string lbl = title_or_untitled(row.title) + "##opt-" + row.entity->id;
        if (ImGui::Selectable(lbl.c_str(), fb.text == row.entity->id)) {
          fb.text = row.entity->id;
          changed = true;
        }
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

// The written form a formatted text field expects (ASCII, same in every language).
const char* format_hint(TextFormat format) {
  switch (format) {
    case TextFormat::datetime: return "2026-12-02 09:00";
    case TextFormat::time_of_day: return "09:00";
    case TextFormat::weekly_slot: return "tue 16:00-18:00";
    case TextFormat::date: return "2026-12-02";
    case TextFormat::field_level: return "dispute_mediation:3";
    case TextFormat::free: break;
  }
  return nullptr;
}

std::vector<std::string> buffer_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    std::string line = trim(text.substr(at, nl - at));
    if (!line.empty()) out.push_back(line);
    at = nl + 1;
  }
  return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

// Weekly availability: the grid of half-hours, and (for volunteers) the same
// week applied to several volunteers at once, one edit each.
bool draw_availability(RecordsView& v, Frame& f, const KindSpec& kind, const FieldSpec& spec, FieldBuffer& fb) {
  std::vector<std::string> slots = buffer_lines(fb.text);
  bool changed = availability_grid("f-" + spec.name, &slots);
  if (changed) fb.text = join_lines(slots);
  if (kind.kind != "volunteer") return changed;
  if (!ImGui::CollapsingHeader(label("avail.apply_title", "avail-apply").c_str())) return changed;
  ImGui::SetNextItemWidth(-FLT_MIN);
  input_text("##avail-apply-search", &v.apply_search, tr("avail.search_hint"));
  const auto& rows = v.ref_lists["volunteer"].get(f.state, "volunteer", v.apply_search, false);
  if (ImGui::BeginChild("##avail-apply-list", ImVec2(0, ImGui::GetFrameHeightWithSpacing() * 6), ImGuiChildFlags_Borders)) {
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows.size()));
    while (clipper.Step())
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const Row& row = *rows[static_cast<size_t>(i)];
        bool on = v.apply_to.count(row.entity->id) > 0;
        if (ImGui::Checkbox((title_or_untitled(row.title) + "##avail-apply-" + row.entity->id).c_str(), &on)) {
          if (on) v.apply_to.insert(row.entity->id);
          else v.apply_to.erase(row.entity->id);
        }
      }
  }
  ImGui::EndChild();
  status_text(trf("avail.apply_selected", {std::to_string(v.apply_to.size())}), "avail-apply-count");
  const Json week = slots.empty() ? Json() : Json(slots);
  ImGui::BeginDisabled(v.apply_to.empty() || f.status.read_only || slots.size() > 15);
  if (ImGui::Button(label("avail.apply_button", "avail-apply-button").c_str())) {
    if (slots.empty()) {
      v.form_error = tr("avail.apply_empty");
    } else {
      for (const auto& vid : v.apply_to)
        f.emit(EditEntity{"volunteer", vid, {{spec.name, week}}}, {PendingAction::What::save, "volunteer", vid});
      v.form_notice = trf("avail.apply_done", {std::to_string(v.apply_to.size())});
      v.apply_to.clear();
    }
  }
  ImGui::EndDisabled();
  return changed;
}

bool draw_field(RecordsView& v, Frame& f, const KindSpec& kind, const FieldSpec& spec, FieldBuffer& fb) {
  const std::string id = "##f-" + spec.name;
  const std::string name = field_label(kind.kind, spec.name);
  bool changed = false;
  if (spec.type != FieldType::boolean) {
    ImGui::TextUnformatted(name.c_str());
    if (spec.required) {
      ImGui::SameLine();
      ImGui::TextColored(color_muted(), "%s", tr("records.required"));
    }
  }
  // Written by the app itself (FieldSpec::written_by_app): a note, never raw text.
  if (spec.written_by_app) {
    ImGui::TextDisabled("%s", tr("records.app_written"));
    return false;
  }
  switch (spec.type) {
    case FieldType::text:
    case FieldType::phone:
      if (spec.format == TextFormat::datetime || spec.format == TextFormat::date) {
        changed = date_field("f-" + spec.name, &fb.text, spec.format == TextFormat::datetime, form_today());
        break;
      }
      ImGui::SetNextItemWidth(spec.format == TextFormat::time_of_day ? ImGui::GetFontSize() * 6 : -FLT_MIN);
      changed = input_text(id.c_str(), &fb.text, format_hint(spec.format));
      break;
    case FieldType::date:
      changed = date_field("f-" + spec.name, &fb.text, false, form_today());
      break;
    case FieldType::integer:
      ImGui::SetNextItemWidth(-FLT_MIN);
      changed = input_text(id.c_str(), &fb.text, nullptr, ImGuiInputTextFlags_CharsDecimal);
      break;
    case FieldType::boolean:
      changed = ImGui::Checkbox((name + id).c_str(), &fb.flag);
      break;
    case FieldType::choice: {
      std::string preview = fb.text.empty() ? std::string(tr("records.none_choice")) : choice_label(spec.name, fb.text);
      ImGui::SetNextItemWidth(-FLT_MIN);
      if (begin_combo(id.c_str(), preview.c_str())) {
        if (!spec.required &&
            ImGui::Selectable((std::string(tr("records.none_choice")) + "##opt-none").c_str(), fb.text.empty())) {
          fb.text.clear();
          changed = true;
        }
        for (const auto& c : spec.choices) {
          std::string lbl = choice_label(spec.name, c) + "##opt-" + c;
          if (ImGui::Selectable(lbl.c_str(), fb.text == c)) {
            fb.text = c;
            changed = true;
          }
        }
        ImGui::EndCombo();
      }
      break;
    }
    case FieldType::choices: {
      const ImGuiStyle& style = ImGui::GetStyle();
      float avail = ImGui::GetContentRegionAvail().x;
      float used = 0;
      for (const auto& c : spec.choices) {
        std::string text = choice_label(spec.name, c);
        float w = ImGui::GetFrameHeight() + style.ItemInnerSpacing.x + ImGui::CalcTextSize(text.c_str()).x;
        if (used > 0 && used + style.ItemSpacing.x + w <= avail) {
          ImGui::SameLine();
          used += style.ItemSpacing.x + w;
        } else {
          used = w;
        }
        bool on = std::find(fb.picks.begin(), fb.picks.end(), c) != fb.picks.end();
        if (ImGui::Checkbox((text + id + "-" + c).c_str(), &on)) {
          if (on) fb.picks.push_back(c);
          else fb.picks.erase(std::remove(fb.picks.begin(), fb.picks.end(), c), fb.picks.end());
          changed = true;
        }
      }
      break;
    }
    case FieldType::ref:
      changed = draw_ref_field(v, f, spec, fb);
      break;
    case FieldType::text_list:
      if (spec.format == TextFormat::weekly_slot) {
        changed = draw_availability(v, f, kind, spec, fb);
        break;
      }
      changed = input_multiline(id.c_str(), &fb.text, ImVec2(-FLT_MIN, ImGui::GetTextLineHeight() * 4.5f));
      if (const char* hint = format_hint(spec.format))
        ImGui::TextDisabled("%s (%s)", tr("records.list_hint"), hint);
      else
        ImGui::TextDisabled("%s", tr("records.list_hint"));
      break;
  }
  return changed;
}

void draw_form(RecordsView& v, Frame& f, const KindSpec& kind) {
  const State& state = f.state;
  const Entity* entity = v.creating ? nullptr : state.find(kind.kind, v.selected_id);
  if (!v.creating && v.selected_id.empty()) {
    if (!v.form_notice.empty()) {
      ImVec4 c = color_ok();
      status_text(v.form_notice, "form-notice", &c);
    }
    if (!v.form_error.empty()) {
      ImVec4 c = color_error();
      status_text_wrapped(v.form_error, "form-error", &c);
    }
    ImGui::TextDisabled("%s", tr("records.pick"));
    return;
  }
  if (!v.creating && !entity) {
    status_text(tr("records.gone"), "form-gone", nullptr);
    return;
  }
  // Load once; afterwards reload only while nothing was touched (so updates
  // from elsewhere show), never while the person is editing.
  const std::string version = entity ? entity_version(*entity) : std::string();
  const bool other_record = !v.has_buffer || v.buffer.kind != kind.kind || v.buffer.id != (entity ? entity->id : "");
  if (other_record || (!v.buffer.touched && !v.waiting && entity && v.buffer.version != version)) {
    v.buffer = load_buffer(kind, entity);
    v.has_buffer = true;
  }
  EditBuffer& buf = v.buffer;

  // Heading.
  std::string title = v.creating ? trf("records.new_title", {kind_label(kind.kind)})
                                 : trf("records.edit_title", {kind_label(kind.kind),
                                                              title_or_untitled(entity_title(state, *entity))});
  push_font_scale(1.25f);
  ImGui::TextUnformatted(title.c_str());
  pop_font_scale();
  const bool archived = entity && entity->archived();
  if (entity) {
    ImGui::TextDisabled("%s", trf("records.id", {entity->id}).c_str());
    if (!entity->created_by().empty()) {
      ImGui::SameLine();
      ImGui::TextDisabled("%s", trf("records.created_by", {author_text(entity->created_by())}).c_str());
    }
    if (archived) {
      ImVec4 c = color_warning();
      std::string reason = entity->text("archive_reason");
      status_text(std::string(tr("records.archived_badge")) + (reason.empty() ? "" : ": " + reason), "form-archived",
                  &c);
    }
  }
  if (f.status.read_only) status_text(tr("records.read_only"), "form-read-only");
  else if (archived) status_text(tr("records.archived_note"), "form-archived-note");
  if (buf.touched && entity && buf.version != version) {
    ImVec4 c = color_warning();
    status_text_wrapped(tr("records.changed_elsewhere"), "form-changed-elsewhere", &c);
  }

  const bool editable = !f.status.read_only && !archived && !v.waiting;
  Json changes = changed_fields(kind, buf);
  if (!v.creating && !changes.empty()) {
    ImVec4 c = color_warning();
    status_text(tr("records.unsaved"), "form-unsaved", &c);
  }

  // Buttons (above the fields so they stay in reach on a tablet).
  ImGui::BeginDisabled(!editable);
  bool submit = false;
  if (v.creating) {
    submit = ImGui::Button(label("records.create", "create").c_str());
  } else {
    ImGui::BeginDisabled(changes.empty());
    submit = ImGui::Button(label("records.save", "save").c_str());
    ImGui::SameLine();
    if (ImGui::Button(label("records.discard", "discard").c_str())) {
      v.buffer = load_buffer(kind, entity);
      v.show_problems = false;
      v.form_error.clear();
    }
    ImGui::EndDisabled();
  }
  ImGui::EndDisabled();
  if (v.creating) {
    ImGui::SameLine();
    if (ImGui::Button(label("records.cancel", "cancel-new").c_str())) {
      v.creating = false;
      v.has_buffer = false;
      v.form_error.clear();
      return;
    }
  } else if (entity) {
    ImGui::SameLine();
    ImGui::BeginDisabled(f.status.read_only || v.waiting);
    if (archived) {
      if (ImGui::Button(label("records.restore", "restore").c_str())) {
        v.waiting = true;
        v.form_error.clear();
        v.form_notice.clear();
        f.emit(RestoreEntity{kind.kind, entity->id}, {PendingAction::What::restore, kind.kind, entity->id});
      }
    } else if (ImGui::Button(label("records.archive", "archive").c_str())) {
      v.archive_reason.clear();
      v.open_archive_popup = true;
    }
    ImGui::EndDisabled();
  }
  if (v.waiting) status_text(tr("records.working"), "form-working");

  if (submit) {
    auto cmd = build_command(state, kind, buf, &v.problems);
    v.show_problems = true;
    v.form_notice.clear();
    if (cmd) {
      v.form_error.clear();
      v.waiting = true;
      f.emit(std::move(*cmd), {v.creating ? PendingAction::What::create : PendingAction::What::save, kind.kind,
                                buf.id});
    } else if (!v.problems.empty()) {
      v.form_error = tr("records.fix_fields");
    }
  }
  if (!v.form_error.empty()) {
    ImVec4 c = color_error();
    status_text_wrapped(v.form_error, "form-error", &c);
  }
  if (!v.form_notice.empty()) {
    ImVec4 c = color_ok();
    status_text(v.form_notice, "form-notice", &c);
  }

  // Archive popup.
  const char* popup_id = "###archive-popup";
  std::string popup_title = std::string(tr("records.archive_title")) + popup_id;
  if (v.open_archive_popup) {
    ImGui::OpenPopup(popup_title.c_str());
    v.open_archive_popup = false;
  }
  if (ImGui::BeginPopupModal(popup_title.c_str(), nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted(tr("records.archive_reason"));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 20);
    input_text("##archive-reason", &v.archive_reason);
    if (ImGui::Button(label("records.archive_confirm", "archive-confirm").c_str()) && entity) {
      v.waiting = true;
      v.form_error.clear();
      v.form_notice.clear();
      f.emit(ArchiveEntity{kind.kind, entity->id, v.archive_reason},
             {PendingAction::What::archive, kind.kind, entity->id});
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button(label("records.cancel", "archive-cancel").c_str())) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }

  ImGui::Separator();
  // Fields: live problems show once the field was edited or after a save attempt.
  ImGui::BeginDisabled(!editable);
  for (const auto& spec : kind.fields) {
    FieldBuffer& fb = buf.fields[spec.name];
    ImGui::PushID(spec.name.c_str());
    if (draw_field(v, f, kind, spec, fb)) {
      buf.touched = true;
      v.form_notice.clear();
    }
    ImGui::PopID();
    std::string problem;
    const bool edited = buf.id.empty() ? v.show_problems
                                       : changes.contains(spec.name) || (v.show_problems && v.problems.count(spec.name));
    if (edited) problem = field_problem(state, kind, spec, fb);
    if (!problem.empty()) {
      ImVec4 c = color_error();
      status_text_wrapped(problem, ("field-problem-" + spec.name).c_str(), &c);
    }
    ImGui::Spacing();
  }
  ImGui::EndDisabled();
}

}  // namespace

void draw_records(RecordsView& v, Frame& f) {
  const KindSpec* kind = nullptr;
  draw_kind_picker(v, kind);
  if (!kind) return;
  ImGui::Separator();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (avail.x < ImGui::GetFontSize() * 30) {
    // Narrow (a portrait tablet, large text): the list above, the form below.
    if (ImGui::BeginChild("##records-list", ImVec2(0, avail.y * 0.4f), ImGuiChildFlags_Borders)) draw_list(v, f, *kind);
    ImGui::EndChild();
  } else {
    // Side by side; the list's width can be dragged, but the form always keeps
    // at least 40% (a list widened in a large window, then the window made
    // smaller, must not push the form out of sight).
    ImGui::SetNextWindowSizeConstraints(ImVec2(avail.x * 0.25f, 0), ImVec2(avail.x * 0.6f, FLT_MAX));
    if (ImGui::BeginChild("##records-list", ImVec2(avail.x * 0.52f, 0), ImGuiChildFlags_ResizeX)) draw_list(v, f, *kind);
    ImGui::EndChild();
    ImGui::SameLine();
  }
  if (ImGui::BeginChild("##records-form", ImVec2(0, 0), ImGuiChildFlags_Borders)) draw_form(v, f, *kind);
  ImGui::EndChild();
}

void records_commit_result(RecordsView& v, const PendingAction& a, const std::string& error) {
  v.waiting = false;
  if (!error.empty()) {
    v.form_error = trf("records.failed", {error});
    v.form_notice.clear();
    return;
  }
  v.form_error.clear();
  v.show_problems = false;
  v.problems.clear();
  switch (a.what) {
    case PendingAction::What::save:
      // Reloaded from the State on the next draw (the edit is now in it).
      if (v.has_buffer && v.buffer.id == a.id) v.buffer.touched = false;
      v.form_notice = tr("records.saved");
      break;
    case PendingAction::What::create:
      v.creating = false;
      v.has_buffer = false;
      v.form_notice = tr("records.created");
      break;
    case PendingAction::What::archive:
      v.form_notice = tr("records.archived_done");
      if (v.has_buffer && v.buffer.id == a.id) v.buffer.touched = false;
      break;
    case PendingAction::What::restore:
      v.form_notice = tr("records.restored");
      if (v.has_buffer && v.buffer.id == a.id) v.buffer.touched = false;
      break;
  }
}

}  // namespace dh::ui
