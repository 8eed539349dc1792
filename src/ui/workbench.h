// The workbench UI: every screen of the app, drawn with Dear ImGui.
//
// Contract
// - draw() reads the State and the AppStatus and never mutates the State: what
//   a person asks for comes back in UiOutput::commands, which the app hands to
//   Replica::commit(). Errors from a commit come back next frame through
//   report_commit_result(), shown next to the form that caused them.
// - View state (current area, selection, filters, text being typed, language,
//   large-text mode, kiosk lock) lives in the Workbench and survives any change of State:
//   incoming operations never wipe what a person is typing.
// - All visible text comes from the string tables in strings.h (zh-CN first,
//   English switchable). Every interactive widget has a stable label (the part
//   after "##" when the visible text is translated) so tests find it.
// - Must be called between ImGui::NewFrame() and ImGui::Render(). draw() fills
//   the main viewport's work area with one window and pushes its own font size
//   (font_size_px(), before DPI scale) and touch-friendly paddings; the app
//   sets the DPI factor (style.FontScaleDpi) and the fonts, nothing else.
// - The contract with the app (what it tells the UI, what the UI asks of it
//   and how answers come back) is ui/contract.h. Commit results: the app
//   commits out.commands in order (session/session.h, the one commit path) and
//   reports each result before the next draw() (report_commit_result with the
//   index into out.commands); the result goes to the screen that emitted the
//   command, not to whichever area is open. Other replies: deliver().
// - Widgets are found by tests through their labels: see ui/widgets.h for the
//   "visible##id" convention and the list of ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/commands.h"
#include "core/result.h"
#include "core/state.h"
#include "ui/contract.h"  // AppStatus, UiOutput, requests and replies
#include "ui/strings.h"  // Language

namespace dh::ui {

struct ViewState;  // defined in workbench.cpp
struct Frame;      // ui/screens.h

// The status bar's sync words: never "synced" while offline, out of contact,
// failing or with own changes waiting; then since when it last worked, in
// the UI's language and format. The app redraws when the text changes.
struct SyncLine {
  enum class Tone { plain, ok, warn, error };
  std::string text;
  Tone tone = Tone::plain;
};
SyncLine sync_status_line(const AppStatus& s);

class Workbench {
 public:
  Workbench();
  ~Workbench();
  Workbench(const Workbench&) = delete;
  Workbench& operator=(const Workbench&) = delete;
  void draw(const State& state, const AppStatus& status, UiOutput& out);
  // Result of committing the commands of the previous frame, in order.
  void report_commit_result(size_t index, const std::string& error_message_or_empty);
  // Preferred: nullptr on success, else the core's Error (its code is translated).
  void report_commit_result(size_t index, const Error* error_or_null);
  // The answer to a request of out.requests (by its id), routed to the screen
  // that asked.
  void deliver(const Reply& reply);

  Language language() const;
  void set_language(Language lang);
  bool large_text() const;
  void set_large_text(bool on);
  // Base font size in pixels for the current mode (before DPI scaling):
  // 20 normally, 30 in large-text mode and on the locked kiosk.
  float font_size_px() const;
  // Kiosk mode (ui/device_lock.h): the device's lock setting, and the area
  // the device is locked to as of the last draw ("" for none). While locked,
  // area() is that area, whatever set_area() asked.
  bool kiosk_lock() const;
  void set_kiosk_lock(bool on);
  std::string locked_area() const;

  // The area shown, by stable name: home kiosk schedule talent requests
  // deliberation projector sync devices base settings (e.g. from the URL
  // fragment). Which of them a device shows depends on its enrolled role
  // (ui/role_screens.h); a voting tablet shows its voting screen alone.
  // False for an unknown name.
  bool set_area(const std::string& name);
  std::string area() const;
  // Opens the sync area with the enrolment code filled in (the app's
  // "?enrol=<code>" address, from an enrolment QR code: ui/devices_screen.h).
  void prefill_enrolment(const std::string& code);

 private:
  void draw_area(const std::string& area, Frame& frame, Workbench& wb);
  ViewState* view_;
};

}  // namespace dh::ui
