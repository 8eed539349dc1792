// Host for the desktop window (development). The store folder is a plain
// folder made durable by the store's own fsync, so a flush completes at once;
// the writer lock is a lock file; HTTP goes to an optional server URL.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <system_error>
#include <filesystem>

#include <httplib.h>

#include "platform/host.h"

namespace dh::platform {

struct Host::Impl {
  HostOptions options;
  FlushScheduler flushes;
  Host* self = nullptr;
  bool storage_loaded = false;
  std::string storage_error;
  LockState lock = LockState::pending;
  std::string lock_reason;
  int lock_fd = -1;
  int next_http = 1;
  std::map<int, HttpResponse> http_done;
  bool online = false;
  bool font_requested[2] = {false, false};
  bool font_failed[2] = {false, false};
  std::string clipboard;

  Impl(const HostOptions& o, Host* h)
      : options(o), flushes([this](uint64_t token) { self->on_flush_done(token, ""); }), self(h) {}
};

Host::Host(const HostOptions& options) : impl_(std::make_unique<Impl>(options, this)) {
  impl_->online = !options.server_url.empty();
}

Host::~Host() {
  if (impl_->lock_fd >= 0) close(impl_->lock_fd);
}

bool Host::poll() {
  impl_->flushes.tick(now_ms());
  return false;
}

int64_t Host::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string Host::new_device_id() const {
  static const char* digits = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 12; ++i) id += digits[rd() % 36];
  return id;
}

void Host::start_storage_load() {
  std::error_code ec;
  std::filesystem::create_directories(impl_->options.store_root, ec);
  if (ec) impl_->storage_error = "Could not create the data folder " + impl_->options.store_root + ": " + ec.message();
  impl_->storage_loaded = true;
}
bool Host::storage_loaded() const { return impl_->storage_loaded; }
const std::string& Host::storage_load_error() const { return impl_->storage_error; }
// Only the writing tab flushes, and only after the folder loaded cleanly: a flush
// from a stale tab, or of a not yet loaded (empty) mount, would overwrite or
// delete what IndexedDB holds.
static bool may_flush(const Host& host) {
  return host.storage_loaded() && host.storage_load_error().empty() && host.writer_lock() == LockState::granted;
}
void Host::request_flush(uint64_t generation) {
  if (may_flush(*this)) impl_->flushes.request(generation, now_ms());
}
void Host::flush_now() {
  if (may_flush(*this)) impl_->flushes.request(impl_->flushes.wanted_generation(), now_ms());
}
const FlushScheduler& Host::flushes() const { return impl_->flushes; }
void Host::set_flush_observer(FlushScheduler::StartFn on_start, FlushScheduler::FinishFn on_finish) {
  impl_->flushes.set_observer(std::move(on_start), std::move(on_finish));
}
void Host::request_persistent_storage() {}
bool Host::persistent_storage() const { return true; }
bool Host::take_page_hidden() { return false; }
void Host::on_flush_done(uint64_t token, const std::string& error) {
  impl_->flushes.on_done(token, error, now_ms());
}
void Host::hold_flushes(bool held) { impl_->flushes.set_held(held, now_ms()); }
void Host::on_page_hidden() {
  impl_->flushes.set_held(false, now_ms());
  flush_now();
}

void Host::request_writer_lock() {
  std::string path = impl_->options.store_root + "/.writer-lock";
  impl_->lock_fd = open(path.c_str(), O_CREAT | O_RDWR, 0644);
  if (impl_->lock_fd < 0 || flock(impl_->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    impl_->lock = LockState::denied;
    impl_->lock_reason = "Another window is already writing to " + impl_->options.store_root + ".";
    return;
  }
  impl_->lock = LockState::granted;
}
LockState Host::writer_lock() const { return impl_->lock; }
const std::string& Host::writer_lock_reason() const { return impl_->lock_reason; }

// save_to is not used here: the desktop app is for development, and the
// in-memory answer takes the same checks (session/ports.h request_to_file).
int Host::http_request(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& bearer, const std::string& /*save_to*/) {
  int id = impl_->next_http++;
  HttpResponse r;
  if (impl_->options.server_url.empty()) {
    r.status = 0;
    r.body = "No server configured.";
  } else {
    httplib::Client client(impl_->options.server_url);
    client.set_connection_timeout(5);
    httplib::Headers headers;
    if (!bearer.empty()) headers.emplace("Authorization", "Bearer " + bearer);
    // Gzip both ways (docs/sync-protocol.md "Compression"): httplib packs
    // the body (Content-Encoding: gzip; the server bounds it inflated) and
    // unpacks the answer.
    headers.emplace("Accept-Encoding", "gzip");
    client.set_compress(method == "POST" && !body.empty());
    auto res = method == "POST" ? client.Post(path, headers, body, "application/json")
                                : client.Get(path, headers);
    if (res) {
      r.status = res->status;
      r.body = res->body;
    } else {
      r.status = 0;
      r.body = "The server could not be reached.";
    }
  }
  impl_->online = r.status != 0;
  impl_->http_done[id] = std::move(r);
  return id;
}
const std::string& Host::server_url() const { return impl_->options.server_url; }
bool Host::take_http(int request_id, HttpResponse& out) {
  auto it = impl_->http_done.find(request_id);
  if (it == impl_->http_done.end()) return false;
  out = std::move(it->second);
  impl_->http_done.erase(it);
  return true;
}
bool Host::online() const { return impl_->online; }
bool Host::page_visible() const { return true; }
bool Host::first_start_pending() const { return false; }

void Host::request_font(FontKind kind) { impl_->font_requested[static_cast<int>(kind)] = true; }
bool Host::take_font(FontKind kind, std::vector<unsigned char>& bytes) {
  int k = static_cast<int>(kind);
  if (!impl_->font_requested[k]) return false;
  impl_->font_requested[k] = false;
  std::string path = impl_->options.font_dir + (kind == FontKind::ui ? "/dh-ui.otf" : "/dh-full.otf");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    impl_->font_failed[k] = true;
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  bytes.assign(s.begin(), s.end());
  return true;
}
bool Host::font_failed(FontKind kind) const { return impl_->font_failed[static_cast<int>(kind)]; }

bool Host::update_available() const { return false; }
void Host::apply_update() {}

void Host::set_text_input(bool, float, float, float) {}  // the SDL backend handles IME natively
std::vector<TextEvent> Host::take_text_events() { return {}; }
void Host::set_clipboard_text(const std::string& text) { impl_->clipboard = text; }
const std::string& Host::clipboard_text() const { return impl_->clipboard; }

bool Host::check_canvas_size(void*) { return false; }
void Host::publish_frame_count(uint64_t) {}

}  // namespace dh::platform
