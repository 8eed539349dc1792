// Small ImGui helpers shared by the screens (internal to src/ui).
//
// Finding widgets from tests (the convention the e2e tests rely on):
// - Every interactive widget's label is "visible text##stable-id" (or just
//   "##stable-id" when nothing is shown beside it). The stable id is ASCII and
//   does not change with the language. The test-engine hook
//   (ImGuiTestEngineHook_ItemInfo) receives the full label; tests match the
//   part after the last "##" (e.g. "save"), or the full label when they also
//   want to check the visible text.
// - ImGui itself does not report combo boxes or plain text to the hook;
//   begin_combo() and expose_last_item() below report them, so a combo
//   "##f-grid" and status texts such as "已保存到本设备##status-saved" can be
//   found too. The visible text of a status item is the part before "##".
// - Ids in use: nav-<area> (home kiosk schedule talent requests deliberation
//   projector sync base settings); status-saved / status-saving,
//   status-online / status-offline, status-sync, status-sync-rejected, status-device, status-ops, status-author,
//   status-storage-error, status-read-only, status-problem-<i>,
//   dismiss-problem-<i>, status-update, apply-update;
//   kind-<kind>, search, show-archived, new, list-count, row-<entity id>,
//   f-<field>, f-<field>-<choice> (choices checkboxes), f-<field>-search
//   (inside an open ref combo), opt-<value or id> / opt-none (combo options),
//   save, create, cancel-new, discard, archive, archive-reason,
//   archive-confirm, archive-cancel, restore; texts form-error, form-notice,
//   form-unsaved, form-changed-elsewhere, form-working, form-read-only,
//   form-archived, form-archived-note, form-gone, field-problem-<field>;
//   home-<figure> (households residents volunteers volunteer-households
//   experts trainees stations halls grids micro-grids squads groups; the
//   visible text is the number), home-empty;
//   area-not-built-<area>, goto-base;
//   lang-zh, lang-en, large-text, author, author-save, settings-notice,
//   settings-device.
#pragma once

#include <string>

#include "imgui.h"

namespace dh::ui {

// InputText editing a std::string (grows as needed).
bool input_text(const char* label, std::string* s, const char* hint = nullptr, ImGuiInputTextFlags flags = 0);
bool input_multiline(const char* label, std::string* s, const ImVec2& size, ImGuiInputTextFlags flags = 0);

// BeginCombo that also reports the combo to the test-engine hook.
bool begin_combo(const char* label, const char* preview, ImGuiComboFlags flags = 0);

// Reports the last item (e.g. a Text) to the test-engine hook under label.
// No effect unless the build defines IMGUI_ENABLE_TEST_ENGINE and the hook is on.
void expose_last_item(const char* label);

// Text (optionally coloured) reported to the hook as "text##id".
void status_text(const std::string& text, const char* id, const ImVec4* color = nullptr);
void status_text_wrapped(const std::string& text, const char* id, const ImVec4* color = nullptr);

// Touch targets (issue 12 "Layout that fits"): a button at least
// kTouchTargetPx tall (or the frame height, when larger: large text).
constexpr float kTouchTargetPx = 44.0f;
bool touch_button(const std::string& label);
// Before the next item of a row of buttons: on the same line when `label`'s
// button still fits the width left, else on a new line (nothing is pushed
// past the right edge on a narrow tablet).
void same_line_if_fits(const std::string& label);
// The same for an item `width` wide (an input given SetNextItemWidth).
void same_line_if_room(float width);

// Colours readable on both the light and the dark style.
ImVec4 color_error();
ImVec4 color_warning();
ImVec4 color_ok();
ImVec4 color_muted();

// Font size helper: the current base size (before DPI scale) times factor.
void push_font_scale(float factor);
void pop_font_scale();

}  // namespace dh::ui
