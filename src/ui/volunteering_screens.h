// Internal to src/ui: the volunteering screens of issue 4, drawn by the
// Workbench for the areas "kiosk" (志愿报名, kiosk.cpp) and "schedule" (排班,
// scheduling.cpp). Their view state lives in the Workbench's ViewState.
//
// Contract
// - Both screens read the State and return Commands through Frame::emit; they
//   never mutate the State. Nothing the auto-scheduler proposes is emitted
//   before the coordinator presses Apply.
// - "Now" is AppStatus::now_local_minutes (local minutes since epoch, set by
//   the app each frame); 0 means unknown and the screens then show no
//   time-relative lists (no "upcoming", no check-in).
// - The kiosk never shows another person's phone number or address: a search
//   match shows a name and a masked phone (138****5678). Every text the kiosk
//   draws is reported to the test-engine hook (ids kiosk-*), so tests check it.
// - Kiosk idle timeout: 60 s of ImGui time (io.DeltaTime summed) without input
//   returns to the start screen. The app must keep delivering frames while the
//   kiosk is away from its start screen (e.g. a one-second timer), or the
//   reset only happens at the next input.
// - Commit results of the commands a screen emitted come back through
//   kiosk_commit_result / schedule_commit_result (error text already
//   translated, "" for success).
//
// Widget ids: kiosk-search, kiosk-pick-<volunteer>, kiosk-cancel-<signup>,
// kiosk-find, kiosk-back, kiosk-finish, kiosk-signup-<shift>, kiosk-ok,
// kiosk-more; texts kiosk-title, kiosk-message, kiosk-hours, kiosk-saved,
// kiosk-saving, kiosk-line-* (every other text).
// sched-tab-shifts / -auto / -hours; sched-from, sched-to, sched-station,
// sched-shift-<shift>, sched-overfilled-<shift>, sched-in-<signup>,
// sched-out-<signup>, sched-excused-<signup>, sched-noshow-<signup>,
// sched-cancel-<signup>, texts sched-row-<signup> (a roster line: name or
// "候补1：name", attendance, merge note) and sched-places (places line),
// sched-qr-<shift> (checkin_qr.h), sched-vol-search, sched-add-<volunteer>,
// sched-override, sched-override-reason, sched-cancel-reason,
// sched-move-<signup>, sched-move-to-<shift>, sched-move-cancel,
// sched-move-override, sched-move-override-reason, sched-export-roster,
// sched-print-roster, sched-export-coverage, hours-export, hours-export-ics,
// hours-print-record,
// sched-cancel-shift, sched-template, sched-gen-month, sched-generate,
// sched-auto-month, sched-auto-run, sched-auto-working (with the progress
// figure), sched-auto-cancel, sched-auto-replan, sched-auto-apply, sched-auto-discard,
// texts sched-message, sched-error, sched-proposal-summary,
// sched-assign-<i>, sched-unfilled-<i>; hours-search, hours-pick-<volunteer>,
// hours-date, hours-minutes, hours-reason, hours-add, hours-totals.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/scheduler.h"
#include "core/text.h"  // mask_phone, trim
#include "core/volunteering.h"
#include "ui/checkin_qr.h"
#include "ui/screens.h"
#include "ui/talent_screens.h"  // the kiosk's request intake

namespace dh::ui {

// A VolunteerIndex rebuilt only when the State changed.
class IndexCache {
 public:
  const VolunteerIndex& get(const State& state);

 private:
  const State* state_ = nullptr;
  uint64_t applied_ = ~uint64_t{0};
  std::unique_ptr<VolunteerIndex> index_;
};

struct KioskView {
  enum class Step { start, mine, open, done };
  Step step = Step::start;
  std::string query;
  std::string volunteer_id;
  std::string message;        // shown on the current step
  bool message_is_error = false;
  double last_input = -1;     // ImGui time of the last input (seconds)
  bool waiting = false;       // a sign-up awaits its commit result
  std::string signup_shift;   // shift of the last sign-up
  // "Sign up for a shift": one day at a time (local days since 1970-01-01;
  // -1 until the first day with open shifts is chosen), one station or all
  // (""), and the page of that day's list that fits the screen.
  int64_t open_day = -1;
  std::string open_station;
  int open_page = 0;
  IndexCache index;
  // Hours of the selected volunteer this year, cached per State change.
  uint64_t hours_applied = ~uint64_t{0};
  std::string hours_volunteer;
  HoursTotals hours;
  KioskRequestForm request;   // "反映诉求": the talent pool's kiosk intake (talent_kiosk.cpp)
};

struct ScheduleView {
  enum class Tab { shifts, automatic, hours };
  Tab tab = Tab::shifts;
  std::string from_date, to_date;  // YYYY-MM-DD, filled from "now" on first draw
  std::string station;             // filter: "" every station
  std::string selected_shift;
  std::string vol_search;
  bool override_clash = false;
  std::string override_reason;
  std::string cancel_reason;
  std::string move_signup;         // sign-up whose "move to…" picker is open
  bool move_override = false;
  std::string move_override_reason;
  std::string template_id;
  std::string gen_month;           // YYYY-MM
  std::string message, error;      // from the last action
  IndexCache index;
  CheckinQrView qr;                // full-screen check-in QR of a shift (checkin_qr.h)
  // Auto-scheduling.
  std::string auto_month;
  bool has_proposal = false;
  Proposal proposal;
  uint64_t proposal_applied = 0;   // State::applied_ops() when proposed
  // The solver runs off the frame (core/long_job.h): the app steps the job
  // between frames; this screen shows its progress and takes the proposal
  // when it is done.
  std::shared_ptr<AutoScheduleJob> job;
  RequestId job_request = 0;       // the RunJob request (CancelJob names it)
  int64_t auto_from = 0, auto_to = 0;
  // Hours.
  std::string hours_search, hours_volunteer, hours_date, hours_minutes, hours_reason;
  uint64_t ledger_applied = ~uint64_t{0};
  const State* ledger_state = nullptr;
  std::vector<LedgerLine> ledger;
  std::map<std::string, HoursTotals> totals;
  std::vector<std::pair<std::string, HoursTotals>> totals_sorted;  // by total, descending
};

void draw_kiosk(KioskView& view, Frame& frame);
void kiosk_commit_result(KioskView& view, const PendingAction& action, const std::string& error);
void draw_schedule(ScheduleView& view, Frame& frame);
void schedule_commit_result(ScheduleView& view, const PendingAction& action, const std::string& error);
// A request of this screen failed (e.g. an export could not be saved).
void schedule_request_failed(ScheduleView& view, const std::string& error);

// Shared helpers (volunteering_common in kiosk.cpp).
// Name of the volunteer's resident ("" when unknown).
std::string volunteer_display_name(const State& state, const std::string& volunteer_id);
// "12-01 09:00–11:00" from a shift entity.
std::string shift_when_text(const Entity& shift);
// "H:MM" hours for minutes (negative with a sign).
std::string hours_text(int64_t minutes);

}  // namespace dh::ui
