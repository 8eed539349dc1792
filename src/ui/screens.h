// Internal to src/ui: the pieces of the workbench shared between its files.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ui/form.h"
#include "ui/workbench.h"

namespace dh::ui {

// What a command emitted this frame was for, so its commit result reaches the
// form that asked for it.
struct PendingAction {
  enum class What { save, create, archive, restore };
  What what = What::save;
  std::string kind;
  std::string id;
  std::string screen = std::string();  // the area that emitted it (set by Frame::emit): its result goes there
};

struct Frame {
  const State& state;
  const AppStatus& status;
  UiOutput& out;
  std::map<size_t, PendingAction>& pending;  // index in out.commands -> action
  std::string screen = std::string();         // the area being drawn
  RequestId* next_request = nullptr;          // the Workbench's request counter
  std::map<RequestId, std::string>* asked_by = nullptr;  // request -> screen, for the reply

  void emit(Command cmd, PendingAction action) {
    action.screen = screen;
    pending[out.commands.size()] = std::move(action);
    out.commands.push_back(std::move(cmd));
  }
  // A typed request (ui/contract.h); its reply comes back to this screen.
  template <class T>
  RequestId ask(T what) {
    const RequestId id = next_request ? (*next_request)++ : 0;
    if (asked_by) (*asked_by)[id] = screen;
    out.requests.push_back(Request{id, std::move(what)});
    return id;
  }
};

// The base-records area: view state.
struct RecordsView {
  std::string kind = "household";
  std::string search;
  bool show_archived = false;
  std::string selected_id;     // entity shown in the form
  bool creating = false;       // the form is a new record
  bool has_buffer = false;
  EditBuffer buffer;           // owned here; never reloaded while touched
  bool waiting = false;        // a command from this form awaits its result
  std::map<std::string, std::string> problems;  // field -> message (shown after a save attempt)
  bool show_problems = false;
  std::string form_error;      // from the last commit
  std::string form_notice;     // e.g. "saved"
  std::string archive_reason;
  bool open_archive_popup = false;
  EntityList list;
  std::map<std::string, EntityList> ref_lists;  // per ref kind
  std::string ref_search;      // search text of the open ref combo
  std::string apply_search;              // availability: volunteers to apply the week to
  std::set<std::string> apply_to;        // their ids
};

void draw_records(RecordsView& view, Frame& frame);
void records_commit_result(RecordsView& view, const PendingAction& action, const std::string& error);

}  // namespace dh::ui
