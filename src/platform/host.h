// The host the app runs in: the browser page (host_web.cpp, with web/glue.js)
// or a desktop process (host_native.cpp). One class, one implementation per
// platform, chosen by CMake. Everything that differs between the two lives
// behind it: the store folder's durability (IndexedDB flush), the single
// writer lock, HTTP, fonts, page lifecycle, update prompt, IME and clipboard.
//
// Contract
// - Single-threaded. poll() is called once per tick (also on ticks that do not
//   render); it gathers what arrived from the page or OS since the last call.
// - Storage: start_storage_load() mounts the store root (web: IDBFS, loaded
//   from IndexedDB asynchronously; native: a plain folder, ready at once).
//   After every committed action the app calls request_flush(generation);
//   saved_generation() tells which write generation a completed flush covered.
//   flush_now() is called when the page is hidden (web) without waiting.
// - Nothing here changes the model: the app owns the Replica.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/flush_scheduler.h"

namespace dh::platform {

struct HostOptions {
  std::string store_root;   // web: "/data" (IDBFS mount); native: "./data/desktop"
  std::string server_url;   // native: "http://127.0.0.1:8080" or empty (no server); web: set to the page's origin
  std::string font_dir;     // native only: folder with dh-ui.otf and dh-full.otf
};

enum class FontKind { ui = 0, full = 1 };
enum class LockState { pending, granted, denied };

// Text and keys for the focused text field, in arrival order.
struct TextEvent {
  enum class Type { chars, key, paste } type = Type::chars;
  std::string text;  // chars / paste: UTF-8; key: DOM key name ("Backspace", "a")
  bool down = true;
  bool ctrl = false, shift = false, alt = false, meta = false;
};

struct HttpResponse {
  int status = 0;        // 0: network error (offline)
  std::string body;      // response text, or the error in plain words
  bool body_in_file = false;  // a 200 answer to a request with save_to: the body is in that file
};

class Host {
 public:
  explicit Host(const HostOptions& options);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Gathers page/OS events; true when something arrived that may change what
  // is drawn (fonts, lock, online state, update, text). HTTP answers do not
  // count: the app redraws when what they change shows (a background sync
  // poll that brings nothing draws no frame).
  bool poll();

  int64_t now_ms() const;
  std::string new_device_id() const;  // 12 random [a-z0-9]

  // Storage of the store folder.
  void start_storage_load();
  bool storage_loaded() const;
  const std::string& storage_load_error() const;
  void request_flush(uint64_t generation);
  void flush_now();                            // page hidden: start a flush at once
  // While held no flush starts; what is asked meanwhile starts when the hold
  // ends (FlushScheduler::set_held). Page hidden ends a hold.
  void hold_flushes(bool held);
  const FlushScheduler& flushes() const;
  // Hooks around every platform flush (FlushScheduler::set_observer).
  void set_flush_observer(FlushScheduler::StartFn on_start, FlushScheduler::FinishFn on_finish);
  void request_persistent_storage();           // navigator.storage.persist()
  bool persistent_storage() const;
  // Web: true once when the page became hidden / is being left.
  bool take_page_hidden();
  // Called by the platform's callbacks (JavaScript on the web).
  void on_flush_done(uint64_t token, const std::string& error);
  void on_page_hidden();

  // One writing tab (Web Locks API); native: a lock file in the store root.
  void request_writer_lock();
  LockState writer_lock() const;
  const std::string& writer_lock_reason() const;

  // HTTP to the app's own server. path: "/api/v1/ops?after=0&limit=500";
  // method "GET" or "POST" (body sent as application/json); bearer: the
  // device token, or "" for none. Returns a request id for take_http().
  // save_to (GET only; web): a 200 answer's body is written into that file
  // (a path of the store folder, replaced whole) straight from the download
  // into the page's file system, never copied through the app's memory, and
  // the response says body_in_file; other answers as usual. Native: ignored
  // (the body comes in memory, which the session handles the same way).
  int http_request(const std::string& method, const std::string& path, const std::string& body = "",
                   const std::string& bearer = "", const std::string& save_to = "");
  int http_get(const std::string& path) { return http_request("GET", path); }
  // Native: the --server address ("" = none); web: "" (the page's own origin).
  const std::string& server_url() const;
  bool take_http(int request_id, HttpResponse& out);
  bool online() const;
  // Web: the page is shown (document.visibilityState); native: always.
  bool page_visible() const;
  // Web: the page asked the server for its snapshot because this browser
  // holds no data yet (web/glue.js), and that answer is not known to have
  // failed: a new device's first start is under way. Native: never.
  bool first_start_pending() const;

  // Fonts: request once; take_font() hands the bytes over when they arrived.
  void request_font(FontKind kind);
  bool take_font(FontKind kind, std::vector<unsigned char>& bytes);
  bool font_failed(FontKind kind) const;

  // Service worker update prompt.
  bool update_available() const;
  void apply_update();  // the app has flushed; activates the new version and reloads

  // IME / text input: where the caret is (CSS pixels of the canvas) and
  // whether a text field wants text. Web: moves and focuses the hidden input.
  void set_text_input(bool active, float x, float y, float line_height);
  std::vector<TextEvent> take_text_events();
  void set_clipboard_text(const std::string& text);
  const std::string& clipboard_text() const;

  // Web: the canvas backing store = CSS size x devicePixelRatio; true when it
  // changed (SDL is told the new size).
  bool check_canvas_size(void* sdl_window);

  // Frames rendered, published to the page for the idle benchmark.
  void publish_frame_count(uint64_t frames);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dh::platform
