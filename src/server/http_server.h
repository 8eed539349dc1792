// The server's connections, on top of Debian's cpp-httplib 0.11 (which offers
// per-recv timeouts and a fixed thread pool, nothing that bounds a whole
// request). HttpServer is an httplib::Server that handles each accepted
// connection itself (process_and_close_socket) with a GuardedStream, and runs
// connections on an elastic thread pool. docs/security.md "HTTP layer" says why.
//
// Contracts (values in ConnectionLimits)
// - A request's line and headers must arrive within header_timeout_s of its
//   first byte and be at most header_bytes; its body (raw bytes, chunk framing
//   included) within body_timeout_s of the end of the headers and at most
//   body_stream_bytes; the answer must be taken within write_timeout_s of its
//   first byte. Past a bound the connection is closed (a slow or endless
//   client holds a thread for a bounded time, and never a growing buffer).
//   The body's own limit (sync::kMaxRequestBytes, after gzip inflation) is the
//   routes' job (http_api.h post_json); body_stream_bytes is the backstop.
// - Idle keep-alive connections wait keep_alive_timeout_s for their next
//   request; at most keep_alive_max requests per connection.
// - Connections run on threads that start as needed, up to max_connections at
//   once (more wait in a queue), and end after a minute idle (down to
//   min_threads). One peer address holds at most per_address connections at
//   once; more are answered 503 too_many_connections and closed.
// - Handlers run on the connection's thread; http_close_after_response() there
//   makes the connection close after the answer (a body left unread), with a
//   lingering close so the client still gets the answer.
// - stop() ends idle keep-alive waits and reads from slow clients within
//   ~100 ms (answers being written are finished).
#pragma once

#include <httplib.h>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace dh {

struct ConnectionLimits {
  int header_timeout_s = 10;
  int body_timeout_s = 60;
  int write_timeout_s = 60;
  int io_timeout_s = 5;  // one recv or send with no progress at all
  int keep_alive_timeout_s = 5;
  size_t keep_alive_max = 100;
  size_t header_bytes = 64 * 1024;
  size_t body_stream_bytes = 20 * 1024 * 1024;
  size_t min_threads = 8;
  size_t max_connections = 512;
  size_t per_address = 64;
};

class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(ConnectionLimits limits = ConnectionLimits());
  const ConnectionLimits& limits() const { return limits_; }
  // stop() was called: long waits (GET /api/v1/wait) end early.
  bool stop_requested() const { return stopping(); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool stopping() const;
  bool enter_address(const std::string& addr);
  void leave_address(const std::string& addr);

  ConnectionLimits limits_;
  std::mutex addresses_mu_;
  std::map<std::string, size_t> per_address_;
};

// The request on this thread finished its headers: its body phase starts
// (called by http_api's pre-routing handler; nothing outside an HttpServer).
void http_headers_done();
// Close this thread's connection after the answer being made.
void http_close_after_response();
// The address of the device that made req, for the per-address failure
// limits (enrolment codes, QR check-in). Behind a reverse proxy (nginx,
// docs/cluster.md) every request comes from the proxy's address, so the
// limits would count every device as one. When req's peer is one of the
// trusted proxies (set_trusted_proxies, --trusted-proxy), the address is the
// right-most X-Forwarded-For entry that is not a trusted proxy itself (the
// proxy appends the peer it saw; entries further left are the client's word
// and could be forged); an entry that is not an IPv4 or IPv6 address is not
// taken. Otherwise, and always without trusted proxies, req.remote_addr.
std::string client_address(const httplib::Request& req);
// Called once at start, before the server listens, with addresses that
// passed is_ip_address_text.
void set_trusted_proxies(std::vector<std::string> addresses);
// Looks like an IPv4 or IPv6 address: 1-45 of hex digits, '.' and ':', with
// at least one '.' or ':' (a shape check, not a parse).
bool is_ip_address_text(const std::string& text);

// Keeps `held` (the community a request is for: communities.h) alive until
// the answer to this thread's current request is written; on a plain
// httplib::Server, until the thread's next request.
void http_hold_for_request(std::shared_ptr<void> held);

}  // namespace dh
