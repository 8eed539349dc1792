// The narrow interfaces the session needs from the platform (src/platform's
// Host implements them in the app, src/app/host_ports.h; tests implement them
// with fakes or in-process servers). Nothing else of the platform reaches the
// session.
//
// Contract
// - Single-threaded, like the frame loop: every call returns at once;
//   answers arrive on later calls (take()).
// - Http: request() starts a request to the app's own server and returns its
//   id (request_to_file(): the same, its body written into a file); take(id,
//   out) hands the answer over once (status 0: no answer, the
//   network failed or the request timed out). online() is the browser's
//   navigator.onLine (natively: true).
// - Flusher: request_flush(generation) asks that the store folder's writes up
//   to `generation` become durable (IndexedDB on the web; coalesced);
//   flush_now() starts one at once. The observer sees every flush start and
//   finish (the sync client's flush handshake, sync/client.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace dh {
class Replica;  // store/replica.h
}

namespace dh::session {

struct HttpReply {
  int status = 0;    // 0: no answer (offline, network error, timeout)
  std::string body;  // response text, or the error in plain words
  // request_to_file: a 200 answer's body is in the file, not in `body`.
  bool body_in_file = false;
};

class Http {
 public:
  virtual ~Http() = default;
  virtual int request(const std::string& method, const std::string& path, const std::string& body,
                      const std::string& bearer) = 0;
  // A GET whose 200 answer's body the platform writes straight into `file`
  // (a path of the store folder, replaced whole; reply.body_in_file), so a
  // large download (a new device's snapshot) is not copied into the app's
  // memory first. Any other answer comes in `body` as usual. A platform
  // that cannot do this answers as request() does (body_in_file false).
  virtual int request_to_file(const std::string& path, const std::string& bearer, const std::string& file) {
    (void)file;
    return request("GET", path, "", bearer);
  }
  virtual bool take(int request_id, HttpReply& out) = 0;
  virtual bool online() const = 0;
};

class Flusher {
 public:
  using StartFn = std::function<void(uint64_t token)>;
  using FinishFn = std::function<void(uint64_t token, bool ok)>;
  virtual ~Flusher() = default;
  virtual void request_flush(uint64_t generation) = 0;
  virtual void flush_now() = 0;
  virtual void set_observer(StartFn on_start, FinishFn on_finish) = 0;
  // What the status line says: the write generation the last completed flush
  // covered, whether one runs, and its error ("" when fine).
  virtual uint64_t flushed_generation() const = 0;
  virtual bool in_flight() const = 0;
  virtual std::string error() const = 0;
  // A file of the store's folder other than the log was written (the sync
  // enrolment, the device's settings, the author's name): it counts as a
  // write (Replica::note_folder_write), so "saved" waits for the flush asked
  // for here (session.cpp).
  void flush_folder_write(Replica& replica);
};

}  // namespace dh::session
