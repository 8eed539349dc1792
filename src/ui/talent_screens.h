// Internal to src/ui: the talent pool's screens (issue 10, docs/talent.md),
// drawn by the Workbench for the areas "requests" (群众诉求: board, intake, a
// request's page; talent_requests.cpp) and "talent" (人才库: experts'
// workload, trainees' records, figures; talent_pool.cpp), and the kiosk's
// simple intake (talent_kiosk.cpp, called from kiosk.cpp).
//
// Contract
// - Read the State through core/talent.h views (cached per State change),
//   emit Commands through Frame::emit (request.create, request_step.create,
//   trainee_case.create); never mutate the State.
// - "Now" is AppStatus::now_local_minutes; 0 (unknown) shows no overdue marks.
// - The kiosk intake shows nothing of any request but the one being typed; it
//   never lists requests (server-enforced too: docs/security.md).
// - The shortlist on a request's page is the one call site of the matching
//   (core/matching.h matching::shortlist): ranked, reasons as codes in the
//   UI's words (match.reason.*), conflicts of interest filtered and counted.
//
// Widget ids (after "##"): req-tab-board / -intake; req-filter-state,
// req-filter-grid, req-filter-urgency, req-overdue-only, req-search, req-count-<state>
// (texts), req-row-<request> (board rows; the visible text holds the state),
// req-overdue-<request> (text); intake: in-category, in-urgency-<1..3>,
// in-grid, in-channel, in-party-search, in-party-add-<resident>,
// in-party-remove-<resident>, in-description, in-contact-name,
// in-contact-phone, in-save, texts in-message, in-error; a request's page:
// req-back, req-state (text), req-assignee (text),
// req-step-<step> (action buttons: triage start resolve not_resolve close
// reopen), req-assign-<expert> (shortlist), req-trainee (combo),
// req-rate-<1..5>, req-comment, req-rate-save, req-note, texts req-history-<i>,
// req-shortlist-filtered, req-message, req-error; talent area:
// req-restricted (text on kiosk and projector devices, which see no requests);
// talent-tab-experts / -trainees / -figures, talent-search,
// talent-expert-<id>, talent-trainee-<id>, texts talent-fig-<name> (requests
// open overdue resolution satisfaction avg-rating avg-hours definitions, the
// last one the counts behind the rates), talent-load-<id>,
// talent-month-<YYYY-MM>, talent-cat-<category>; kiosk: kiosk-request (start
// button), kreq-category-<code>, kreq-urgent, kreq-description,
// kreq-contact-name, kreq-contact-phone, kreq-submit, kreq-back, texts
// kreq-title, kreq-message, kreq-done.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/talent.h"
#include "ui/screens.h"

namespace dh::ui {

// talent_view() rebuilt only when the State (or the minute) changed.
class TalentCache {
 public:
  const talent::TalentView& get(const State& state, int64_t now_minute);

 private:
  const State* state_ = nullptr;
  uint64_t applied_ = ~uint64_t{0};
  int64_t minute_ = -1;
  std::unique_ptr<talent::TalentView> view_;
};

struct IntakeForm {
  std::string category;
  int urgency = 1;
  std::string grid;
  std::string channel = "hall";
  std::vector<std::string> parties;
  std::string party_search;
  std::string description;
  std::string contact_name, contact_phone;
  std::string message, error;
  bool waiting = false;
};

struct RequestsView {
  enum class Tab { board, intake };
  Tab tab = Tab::board;
  // Board filters: "" = all.
  std::string state_filter = "open";  // "open", "all" or a state code
  std::string grid_filter;
  int urgency_filter = 0;
  bool overdue_only = false;
  std::string search;    // words of the description or the contact's name
  std::string selected;  // request whose page is shown
  IntakeForm intake;
  // Actions on the page.
  std::string trainee;       // attached with the next assignment
  int rating = 0;
  std::string comment, note;
  std::string message, error;
  bool waiting = false;
  TalentCache cache;
};

struct TalentAreaView {
  enum class Tab { experts, trainees, figures };
  Tab tab = Tab::figures;
  std::string search;
  std::string expert;   // selected
  std::string trainee;  // selected
  TalentCache cache;
};

struct KioskRequestForm {
  bool open = false;
  bool done = false;
  std::string category;
  bool urgent = false;
  std::string description, contact_name, contact_phone;
  std::string message;
  bool waiting = false;
};

void draw_requests(RequestsView& view, Frame& frame);
void requests_commit_result(RequestsView& view, const PendingAction& action, const std::string& error);
void draw_talent(TalentAreaView& view, Frame& frame);

// The kiosk's intake; kiosk.cpp draws it while form.open.
void draw_kiosk_request(KioskRequestForm& form, Frame& frame);
void kiosk_request_commit_result(KioskRequestForm& form, const std::string& error);

}  // namespace dh::ui
