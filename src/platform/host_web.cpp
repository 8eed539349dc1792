// Host for the browser page. JavaScript side: web/glue.js (window.dhGlue).
// Events from the page are queued in JS and pulled once per tick as JSON;
// the two that must act while the page is hidden (no animation frames then)
// call into C++ directly: dh_on_page_hidden and dh_on_flush_done.
#include <emscripten.h>
#include <emscripten/html5.h>

#include <SDL.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "platform/host.h"

namespace dh::platform {
namespace {

Host* g_host = nullptr;

}  // namespace
}  // namespace dh::platform

// ---- JavaScript ------------------------------------------------------------

EM_JS(void, dh_js_storage_load, (const char* root_c), {
  var root = UTF8ToString(root_c);
  try { FS.mkdir(root); } catch (e) {}
  try {
    FS.mount(IDBFS, {}, root);
  } catch (e) {
    dhGlue.push({t: 'storage', ok: false, error: 'Could not mount the storage folder: ' + e});
    return;
  }
  var done = function(err) {
    dhGlue.push({t: 'storage', ok: !err, error: err ? ('Could not read the storage of this device: ' + (err.message || err.name || err)) : ""});
  };
  // A store this page created, empty, while holding the writer lock
  // (web/glue.js storeCreated) has nothing to read: the folder starts empty
  // and the first flush writes it. A store the page read early, once it held
  // the writer lock (web/glue.js storeRecords), is put into the folder as
  // IDBFS's own read would (its storeLocalEntry, parents first, each file
  // with its record's mode and time, so the next flush rewrites nothing).
  // Otherwise it is read from IndexedDB. getAllKeys gives the paths in
  // IndexedDB's key order, the code-unit order IDBFS's reconcile sorts
  // them into: parents come before what they hold.
  var fromRecords = function(records) {
    if (!records || !records.keys.length) return false;
    var keys = records.keys;
    for (var i = 0; i < keys.length; i++) {
      if (typeof keys[i] !== 'string' || (keys[i] !== root && keys[i].indexOf(root + '/') !== 0)) return false;
    }
    var failed = null;
    for (var j = 0; j < keys.length && !failed; j++) {
      IDBFS.storeLocalEntry(keys[j], records.values[j], function(e) { if (e) failed = e; });
    }
    if (failed) {
      console.warn('dianhong: the store read early could not be put in place; reading it again', failed);
      return false;
    }
    dhGlue.storeReadEarly = root;
    return true;
  };
  var read = function() {
    var early = typeof dhGlue.takeStoreRecords === 'function' ? dhGlue.takeStoreRecords(root) : Promise.resolve(null);
    early.then(function(records) {
      if (fromRecords(records)) done(null);
      else FS.syncfs(true, done);
    }, function() { FS.syncfs(true, done); });
  };
  var created = typeof dhGlue.storeCreated === 'function' ? dhGlue.storeCreated(root) : Promise.resolve(false);
  created.then(function(yes) {
    if (yes) {
      dhGlue.storeStartedEmpty = root;
      done(null);
    } else {
      read();
    }
  }, read);
});

// A flush writes every changed file of the mount to IndexedDB and deletes
// the records of files the folder no longer has (IDBFS's reconcile). After a
// start from an empty folder (dh_js_storage_load: a store this page created)
// the first flush first checks that the store is still empty: were it not
// (another tab wrote it meanwhile, which the writer lock rules out), that
// reconcile would delete the other tab's files. Then nothing is written,
// now or later (code 3), and the page asks to be reloaded. A check that
// cannot be made (the store cannot be opened or counted) fails that flush
// (code 2, as any flush that cannot reach the store); the next one checks
// again. No flush after such a start writes before a check said empty.
EM_JS(void, dh_js_flush, (double token), {
  var finished = false;
  var finish = function(code) {
    if (finished) return;
    finished = true;
    _dh_on_flush_done(token, code);
    dhGlue.wake();  // a paused loop sees the flush finish (saving status, sync)
  };
  var flush = function() {
    if (dhGlue.storeConflict) return finish(3);
    try {
      FS.syncfs(false, function(err) {
        var code = 0;
        if (err) {
          var s = String((err && (err.name || err.message)) || err);
          code = /quota/i.test(s) ? 1 : 2;
          console.warn('dianhong: flush failed', err);
        }
        finish(code);
      });
    } catch (e) {
      console.warn('dianhong: flush threw', e);
      finish(2);
    }
  };
  var emptyRoot = dhGlue.storeStartedEmpty;
  if (!emptyRoot || dhGlue.storeVerified || dhGlue.storeConflict) return flush();
  // No verdict (the store could not be opened or counted): this flush fails
  // as any flush that cannot reach the store, and the next one checks again.
  var unverifiable = function() {
    console.warn('dianhong: the store could not be checked before its first flush');
    finish(2);
  };
  var checked = false;
  IDBFS.getDB(emptyRoot, function(err, db) {
    if (err) return unverifiable();
    try {
      var count = null;
      var tx = db.transaction([IDBFS.DB_STORE_NAME], 'readonly');
      var req = tx.objectStore(IDBFS.DB_STORE_NAME).count();
      req.onsuccess = function() { count = req.result; };
      tx.oncomplete = function() {
        if (checked) return;
        checked = true;
        if (count === 0) {
          dhGlue.storeVerified = true;
        } else {
          dhGlue.storeConflict = true;
          console.warn('dianhong: another tab wrote the store while this one started: nothing is flushed');
        }
        flush();
      };
      // An error or an abort (the count never came): no verdict either way.
      var failed = function(e) {
        if (e && e.preventDefault) e.preventDefault();
        if (checked) return;
        checked = true;
        unverifiable();
      };
      tx.onerror = failed;
      tx.onabort = failed;
    } catch (e) {
      if (!checked) { checked = true; unverifiable(); }
    }
  });
});

EM_JS(char*, dh_js_take_events, (), {
  var ev = dhGlue.takeEvents();
  if (!ev) return 0;
  var s = JSON.stringify(ev);
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

EM_JS(void, dh_js_copy_font, (int kind, unsigned char* dst), {
  var buf = dhGlue.fontBytes[kind];
  HEAPU8.set(new Uint8Array(buf), dst);
  dhGlue.fontBytes[kind] = null;
});

EM_JS(void, dh_js_take_http_body, (int id, char* dst), {
  dhGlue.takeHttpBody(id, HEAPU8, dst);
});

EM_JS(void, dh_js_call, (const char* fn_c, const char* arg_c), {
  var fn = UTF8ToString(fn_c);
  var arg = arg_c ? JSON.parse(UTF8ToString(arg_c)) : null;
  dhGlue[fn](arg);
});

// The page's origin ("http://host:port"): the server this page syncs with.
EM_JS(char*, dh_js_origin, (), {
  var s = String(location.origin || '');
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

EM_JS(double, dh_js_random_u32, (), {
  var a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0];
});

namespace dh::platform {

using Json = nlohmann::json;

namespace {
void call_js(const char* fn, const Json& arg) {
  std::string s = arg.dump();
  dh_js_call(fn, s.c_str());
}
}  // namespace

struct Host::Impl {
  HostOptions options;
  FlushScheduler flushes;
  bool storage_loaded = false;
  std::string storage_error;
  bool persistent = false;
  bool page_hidden = false;
  LockState lock = LockState::pending;
  std::string lock_reason;
  int next_http = 1;
  std::map<int, HttpResponse> http_done;
  bool online = true;
  bool visible = true;
  bool first_start_pending = false;
  bool update = false;
  std::vector<unsigned char> font_bytes[2];
  bool font_ready[2] = {false, false};
  bool font_failed[2] = {false, false};
  std::vector<TextEvent> text_events;
  std::string clipboard;
  bool text_active = false;
  float text_x = -1, text_y = -1, text_h = -1;

  explicit Impl(const HostOptions& o)
      : options(o), flushes([](uint64_t token) { dh_js_flush(static_cast<double>(token)); }) {}
};

Host::Host(const HostOptions& options) : impl_(std::make_unique<Impl>(options)) {
  g_host = this;
  if (impl_->options.server_url.empty()) {  // the page's own server (e.g. for the check-in QR code)
    char* origin = dh_js_origin();
    if (origin) {
      impl_->options.server_url = origin;
      free(origin);
    }
  }
  call_js("start", Json::object());
}

Host::~Host() { g_host = nullptr; }

bool Host::poll() {
  Impl& m = *impl_;
  m.flushes.tick(now_ms());
  char* raw = dh_js_take_events();
  if (!raw) return false;
  Json events = Json::parse(raw, nullptr, false);
  free(raw);
  if (!events.is_array()) return false;
  bool drawable = false;  // something that may change what is drawn (not HTTP answers)
  for (const Json& e : events) {
    std::string t = e.value("t", "");
    if (t != "http") drawable = true;
    if (t == "storage") {
      m.storage_loaded = e.value("ok", false);
      m.storage_error = e.value("error", "");
      if (!m.storage_loaded && m.storage_error.empty()) m.storage_error = "Storage could not be read.";
      if (!m.storage_loaded) m.storage_loaded = true;  // go on with what there is, error shown
    } else if (t == "lock") {
      m.lock = e.value("granted", false) ? LockState::granted : LockState::denied;
      m.lock_reason = e.value("reason", "");
    } else if (t == "persist") {
      m.persistent = e.value("granted", false);
    } else if (t == "http") {
      HttpResponse r;
      r.status = e.value("status", 0);
      const int id = e.value("id", 0);
      // The bytes are copied in at once: no zero-fill first (libc++'s
      // __resize_default_init; libc++ is Emscripten's standard library). A
      // 5 MB snapshot's memset was 35-50 ms of a new device's start.
      if (e.value("inFile", false)) {
        r.body_in_file = true;  // glue.js wrote it into the file asked for (save_to)
      } else {
        r.body.__resize_default_init(e.value("size", size_t{0}));
        dh_js_take_http_body(id, r.body.data());
      }
      m.http_done[id] = std::move(r);
    } else if (t == "online") {
      m.online = e.value("online", true);
    } else if (t == "visibility") {
      m.visible = e.value("visible", true);
    } else if (t == "first_start") {
      m.first_start_pending = e.value("pending", false);
    } else if (t == "update") {
      m.update = true;
    } else if (t == "font") {
      int k = e.value("kind", 0) == 1 ? 1 : 0;
      if (e.value("ok", false)) {
        size_t n = e.value("size", 0u);
        m.font_bytes[k].resize(n);
        dh_js_copy_font(k, m.font_bytes[k].data());
        m.font_ready[k] = true;
      } else {
        m.font_failed[k] = true;
      }
    } else if (t == "text" || t == "paste") {
      TextEvent te;
      te.type = t == "text" ? TextEvent::Type::chars : TextEvent::Type::paste;
      te.text = e.value("s", "");
      m.text_events.push_back(std::move(te));
    } else if (t == "key") {
      TextEvent te;
      te.type = TextEvent::Type::key;
      te.text = e.value("key", "");
      te.down = e.value("down", true);
      te.ctrl = e.value("ctrl", false);
      te.shift = e.value("shift", false);
      te.alt = e.value("alt", false);
      te.meta = e.value("meta", false);
      m.text_events.push_back(std::move(te));
    }
  }
  return drawable;
}

int64_t Host::now_ms() const { return static_cast<int64_t>(emscripten_date_now()); }

std::string Host::new_device_id() const {
  static const char* digits = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  for (int i = 0; i < 12; ++i) id += digits[static_cast<uint32_t>(dh_js_random_u32()) % 36];
  return id;
}

void Host::start_storage_load() { dh_js_storage_load(impl_->options.store_root.c_str()); }
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
  // Ask for a flush even when nothing new was appended: the previous one may
  // have failed. Coalesces with one in flight.
  if (may_flush(*this)) impl_->flushes.request(impl_->flushes.wanted_generation(), now_ms());
}
const FlushScheduler& Host::flushes() const { return impl_->flushes; }
void Host::set_flush_observer(FlushScheduler::StartFn on_start, FlushScheduler::FinishFn on_finish) {
  impl_->flushes.set_observer(std::move(on_start), std::move(on_finish));
}
void Host::request_persistent_storage() { call_js("requestPersist", Json::object()); }
bool Host::persistent_storage() const { return impl_->persistent; }
void Host::on_flush_done(uint64_t token, const std::string& error) {
  impl_->flushes.on_done(token, error, now_ms());
}
void Host::hold_flushes(bool held) { impl_->flushes.set_held(held, now_ms()); }
void Host::on_page_hidden() {
  impl_->page_hidden = true;
  impl_->flushes.set_held(false, now_ms());
  flush_now();
}
bool Host::take_page_hidden() {
  bool h = impl_->page_hidden;
  impl_->page_hidden = false;
  return h;
}

void Host::request_writer_lock() { call_js("requestLock", Json::object()); }
LockState Host::writer_lock() const { return impl_->lock; }
const std::string& Host::writer_lock_reason() const { return impl_->lock_reason; }

int Host::http_request(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& bearer, const std::string& save_to) {
  int id = impl_->next_http++;
  Json arg{{"id", id}, {"url", path}, {"method", method}, {"body", body}, {"bearer", bearer}};
  if (!save_to.empty()) arg["saveTo"] = save_to;
  call_js("httpRequest", arg);
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
bool Host::page_visible() const { return impl_->visible; }
bool Host::first_start_pending() const { return impl_->first_start_pending; }

void Host::request_font(FontKind kind) { call_js("requestFont", Json{{"kind", static_cast<int>(kind)}}); }
bool Host::take_font(FontKind kind, std::vector<unsigned char>& bytes) {
  int k = static_cast<int>(kind);
  if (!impl_->font_ready[k]) return false;
  impl_->font_ready[k] = false;
  bytes.swap(impl_->font_bytes[k]);
  impl_->font_bytes[k].clear();
  return true;
}
bool Host::font_failed(FontKind kind) const { return impl_->font_failed[static_cast<int>(kind)]; }

bool Host::update_available() const { return impl_->update; }
void Host::apply_update() { call_js("applyUpdate", Json::object()); }

void Host::set_text_input(bool active, float x, float y, float line_height) {
  Impl& m = *impl_;
  if (active == m.text_active && x == m.text_x && y == m.text_y && line_height == m.text_h) return;
  m.text_active = active;
  m.text_x = x;
  m.text_y = y;
  m.text_h = line_height;
  call_js("setTextInput", Json{{"active", active}, {"x", x}, {"y", y}, {"h", line_height}});
}
std::vector<TextEvent> Host::take_text_events() {
  std::vector<TextEvent> out;
  out.swap(impl_->text_events);
  return out;
}
void Host::set_clipboard_text(const std::string& text) {
  impl_->clipboard = text;
  call_js("copyText", Json{{"text", text}});
}
const std::string& Host::clipboard_text() const { return impl_->clipboard; }

bool Host::check_canvas_size(void* sdl_window) {
  double css_w = 0, css_h = 0;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  double dpr = emscripten_get_device_pixel_ratio();
  int cw = 0, ch = 0;
  emscripten_get_canvas_element_size("#canvas", &cw, &ch);
  int want_w = static_cast<int>(css_w * dpr), want_h = static_cast<int>(css_h * dpr);
  if (css_w < 1 || css_h < 1) return false;
  if (cw == want_w && ch == want_h) return false;
  // SDL (ALLOW_HIGHDPI) sets the canvas to CSS size x pixel ratio and keeps
  // window coordinates in CSS pixels.
  SDL_SetWindowSize(static_cast<SDL_Window*>(sdl_window), static_cast<int>(css_w), static_cast<int>(css_h));
  emscripten_set_canvas_element_size("#canvas", want_w, want_h);
  return true;
}

void Host::publish_frame_count(uint64_t frames) {
  EM_ASM({ dhGlue.framesRendered = $0; }, static_cast<double>(frames));
}

}  // namespace dh::platform

// ---- Called from JavaScript directly ----------------------------------------

extern "C" {

EMSCRIPTEN_KEEPALIVE void dh_on_flush_done(double token, int code) {
  auto* host = dh::platform::g_host;
  if (!host) return;
  std::string error;
  if (code == 1) error = "This device's storage is full: recent changes are not saved.";
  if (code == 2) error = "Saving to this device failed: recent changes are not saved.";
  if (code == 3)
    error = "Another tab saved to this device's storage while this page started: reload the page. "
            "Nothing was overwritten; changes made here since are not saved.";
  host->on_flush_done(static_cast<uint64_t>(token), error);
}

EMSCRIPTEN_KEEPALIVE void dh_on_page_hidden() {
  auto* host = dh::platform::g_host;
  if (!host) return;
  host->on_page_hidden();
}

}  // extern "C"
