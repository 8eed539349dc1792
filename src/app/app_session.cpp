// The app's side of the Session (session/session.h): opening it when the
// store folder is loaded and the writer lock decided, the status line (the
// session's part plus the platform's), what makes a redraw, and the requests
// that belong to the platform (files, the update).
#include <string>
#include <vector>

#include "app/app.h"
#include "core/civil_time.h"
#include "platform/files.h"

#ifndef __EMSCRIPTEN__
#include "core/demo.h"
#endif

namespace dh::app {

using platform::Host;
using platform::LockState;

namespace {

ui::Problem lock_problem(const Host& host) {
  if (host.writer_lock() == LockState::pending) return ui::Problem::of("storage.lock_pending");
  return ui::Problem::of("storage.read_only", {}, host.writer_lock_reason());
}

}  // namespace

void open_session(App& app) {
  app.fs = make_posix_file_system();
  app.http = std::make_unique<HostHttp>(*app.host);
  app.flusher = std::make_unique<HostFlusher>(*app.host);
  // No server (the desktop without --server): no sync, the demo data instead.
  const bool has_server = !app.host->server_url().empty();
#ifdef __EMSCRIPTEN__
  const bool use_http = true;  // the page's own origin
#else
  const bool use_http = has_server;
#endif
  (void)has_server;
  app.session = std::make_unique<session::Session>(*app.fs, app.store_root, *app.flusher,
                                                   use_http ? app.http.get() : nullptr);
  const bool writable = app.host->writer_lock() == LockState::granted;
  app.session->set_write_access(writable, lock_problem(*app.host));
  // The device's own choices, kept across reloads (not in the shared log).
  if (auto s = app.session->device_settings()) {
    app.workbench.set_language(s->language);
    app.workbench.set_large_text(s->large_text);
    app.workbench.set_kiosk_lock(s->kiosk_lock);
  }
  const bool opened = app.session->open(app.host->new_device_id(), app.host->now_ms());
  if (!opened || !writable) {
    // Refuses (and start-up is over): nothing to sync, or this tab may not
    // write and shows what is stored.
    app.session->start_sync();
    return;
  }
#ifndef __EMSCRIPTEN__
  if (!use_http) {
    app.session->load_if_empty(generate_demo(), app.host->now_ms());
    return;
  }
#endif
  app.session->start_sync();
}


ui::AppStatus make_status(const App& app) {
  ui::AppStatus s;
  if (app.session) {
    app.session->fill_status(s);
  } else {
    s.saved_on_device = false;
    s.read_only = app.host->writer_lock() != LockState::granted;
    s.read_only_reason = lock_problem(*app.host);
  }
  if (s.storage_error.empty() && !app.host->storage_load_error().empty()) s.storage_error = app.host->storage_load_error();
  if (app.host->writer_lock() != LockState::granted) {
    s.read_only = true;
    s.read_only_reason = lock_problem(*app.host);
  }
  for (const auto& p : app.platform_problems) s.storage_problems.push_back(p);
  s.persistent_storage = app.host->persistent_storage();
  s.online = app.host->online();
  s.update_available = app.host->update_available();
  s.full_font_loaded = app.full_font_loaded;
  s.now_local_minutes = local_minutes_from_utc_ms(app.host->now_ms());
  s.sync.server = app.host->server_url();  // web: the page's origin (also for the check-in QR code)
  return s;
}


// What is shown changes -> redraw. The sync round's progress and the time of
// the last sync are shown only in the sync area, so only there do they count
// (elsewhere an idle page draws nothing, even while it polls the server).
std::string status_signature(const ui::AppStatus& s, const App& app) {
  const ui::SyncStatus& y = s.sync;
  std::string sig = std::to_string(s.operation_count) + "|" + (s.saved_on_device ? "1" : "0") +
                    (s.flush_in_progress ? "1" : "0") + (s.read_only ? "1" : "0") + (s.online ? "1" : "0") +
                    (s.update_available ? "1" : "0") + (s.full_font_loaded ? "1" : "0") +
                    (s.persistent_storage ? "1" : "0") + "|" + s.storage_error + "|" +
                    std::to_string(s.storage_problems.size()) + "|" + s.read_only_reason.code + "|" +
                    std::to_string(y.waiting_ops) + "|" + std::to_string(y.rejected.size()) + "|" + y.last_error.code +
                    "|" + y.last_error.detail + "|" + y.clock_warning + "|" + (y.needs_enrolment ? "1" : "0") +
                    (y.enrolling ? "1" : "0") + (y.open_access ? "1" : "0") + (y.last_success_minutes > 0 ? "1" : "0") +
                    "|" + y.enrol_error.code + "|" + y.role + "|" + std::to_string(y.admin.answers) +
                    (y.admin.busy ? "1" : "0") + "|" + ui::sync_status_line(s).text;
  if (app.workbench.area() == "sync")
    sig += "|" + std::to_string(y.last_success_minutes) + (y.in_progress ? "1" : "0");
  return sig;
}

// What the UI asked for that belongs to the platform: files and the update.
void handle_platform_requests(App& app, const std::vector<ui::Request>& requests) {
  for (const ui::Request& r : requests) {
    ui::Reply reply{r.id, {}};
    if (const auto* f = std::get_if<ui::SaveFile>(&r.what)) {
      // Exports and printing (platform/files.h): a download or a print window
      // in the browser; natively files in <data>/exports.
      const ui::FileRequest& file = f->file;
      platform::set_files_folder(app.store_root + "/exports");
      auto res = file.action == ui::FileRequest::Action::print ? platform::print_html(file.bytes, file.name)
                                                              : platform::save_file(file.name, file.mime, file.bytes);
      if (!res.ok) {
        app.platform_problems.push_back(file.name + ": " + res.error);
        reply.error = ui::Problem::of("file.failed", {file.name}, res.error);
      }
    } else if (std::get_if<ui::ApplyUpdate>(&r.what)) {
      app.apply_update_pending = true;
      app.host->flush_now();
    }
    app.workbench.deliver(reply);
  }
}


}  // namespace dh::app
