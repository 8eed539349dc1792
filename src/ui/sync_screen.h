// Internal to src/ui: the "sync" area (同步). Shows what the app's sync
// driver reports in AppStatus::sync and lets a person sync now or enrol this
// device with a one-time code from the community secretary. It emits requests
// in UiOutput (sync_now, enrol_code/enrol_name); the app carries them out.
//
// Widget ids: sync-now, sync-enrol-code, sync-enrol-name, sync-enrol;
// texts sync-state, sync-last, sync-waiting, sync-error, sync-clock,
// sync-role, sync-server, sync-enrol-needed, sync-enrol-error,
// sync-rejected-count, sync-rejected-<i> (translated), sync-rejected-<i>-server (the
// server's words, when different), sync-read-only.
#pragma once

#include <string>

#include "ui/workbench.h"

namespace dh::ui {

struct SyncView {
  std::string code;
  std::string name;
};

struct Frame;  // ui/screens.h
// Requests (sync now, enrol) go out through frame.ask().
void draw_sync(SyncView& view, const AppStatus& status, Frame& frame);

// "11-26 14:05" for local minutes (0 -> "").
std::string short_local_time(int64_t local_minutes);

}  // namespace dh::ui
