#include "server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "sync/protocol.h"

namespace dh {
namespace {

using Clock = std::chrono::steady_clock;

int ms_until(Clock::time_point t) {
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return d < 0 ? 0 : static_cast<int>(std::min<int64_t>(d, 1 << 30));
}

// "1.2.3.4" / "::1"; an IPv4-mapped IPv6 address as its IPv4 form.
std::string address_text(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, buf, sizeof buf);
  } else if (ss.ss_family == AF_INET6) {
    const auto& a6 = reinterpret_cast<const sockaddr_in6&>(ss);
    if (IN6_IS_ADDR_V4MAPPED(&a6.sin6_addr)) {
      inet_ntop(AF_INET, reinterpret_cast<const unsigned char*>(&a6.sin6_addr) + 12, buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &a6.sin6_addr, buf, sizeof buf);
    }
  }
  return buf;
}

int port_of(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
  return 0;
}

// A socket stream that enforces ConnectionLimits: per phase a byte budget and
// a deadline, on top of httplib's per-recv timeout. Buffered, because
// httplib's line reader asks for one byte at a time.
class GuardedStream : public httplib::Stream {
 public:
  // stopping: true once the server stops; a read waiting for a slow client
  // then gives up (the answer being written is still finished).
  GuardedStream(socket_t sock, const ConnectionLimits& limits, std::function<bool()> stopping)
      : sock_(sock), limits_(limits), stopping_(std::move(stopping)) {}

  // A new request: the header phase.
  void begin_request() {
    budget_ = limits_.header_bytes;
    deadline_ = Clock::now() + std::chrono::seconds(limits_.header_timeout_s);
    writing_ = false;
  }
  void begin_body() {
    budget_ = limits_.body_stream_bytes;
    deadline_ = Clock::now() + std::chrono::seconds(limits_.body_timeout_s);
  }
  bool has_buffered() const { return off_ < len_; }
  bool must_close = false;

  bool is_readable() const override {
    if (has_buffered()) return true;
    return wait_readable(std::min(limits_.io_timeout_s * 1000, ms_until(deadline_)));
  }
  bool is_writable() const override { return wait(POLLOUT, limits_.io_timeout_s * 1000); }

  ssize_t read(char* ptr, size_t size) override {
    if (size == 0) return 0;
    if (has_buffered()) {
      size_t n = std::min(size, len_ - off_);
      std::memcpy(ptr, buf_ + off_, n);
      off_ += n;
      return static_cast<ssize_t>(n);
    }
    if (budget_ == 0) return fail();
    int wait_ms = std::min(limits_.io_timeout_s * 1000, ms_until(deadline_));
    if (!wait_readable(wait_ms)) return fail();
    ssize_t n;
    if (size >= sizeof buf_) {
      n = ::recv(sock_, ptr, std::min(size, budget_), 0);
      if (n > 0) budget_ -= static_cast<size_t>(n);
      return n;
    }
    n = ::recv(sock_, buf_, std::min(sizeof buf_, budget_), 0);
    if (n <= 0) return n;
    budget_ -= static_cast<size_t>(n);
    off_ = 0;
    len_ = static_cast<size_t>(n);
    size_t m = std::min(size, len_);
    std::memcpy(ptr, buf_, m);
    off_ = m;
    return static_cast<ssize_t>(m);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!writing_) {
      writing_ = true;
      write_deadline_ = Clock::now() + std::chrono::seconds(limits_.write_timeout_s);
    }
    int wait_ms = std::min(limits_.io_timeout_s * 1000, ms_until(write_deadline_));
    if (!wait(POLLOUT, wait_ms)) return -1;
    return ::send(sock_, ptr, size, MSG_NOSIGNAL);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getpeername(sock_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      ip = address_text(ss);
      port = port_of(ss);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(sock_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      ip = address_text(ss);
      port = port_of(ss);
    }
  }
  socket_t socket() const override { return sock_; }

 private:
  ssize_t fail() {
    must_close = true;
    return -1;
  }
  // Readable within timeout_ms, looking at stopping_ every 100 ms.
  bool wait_readable(int timeout_ms) const {
    auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if (stopping_ && stopping_()) return false;
      int left = ms_until(until);
      if (wait(POLLIN, std::min(left, 100))) return true;
      if (left <= 100) return false;
    }
  }
  bool wait(short events, int timeout_ms) const {
    pollfd p{sock_, events, 0};
    for (;;) {
      int r = ::poll(&p, 1, timeout_ms);
      if (r < 0 && errno == EINTR) continue;
      return r > 0;
    }
  }

  socket_t sock_;
  const ConnectionLimits& limits_;
  std::function<bool()> stopping_;
  char buf_[8192];
  size_t off_ = 0, len_ = 0;
  size_t budget_ = 0;
  Clock::time_point deadline_{};
  bool writing_ = false;
  Clock::time_point write_deadline_{};
};

thread_local GuardedStream* t_stream = nullptr;
thread_local std::shared_ptr<void> t_held;  // http_hold_for_request

// Threads start when every thread is busy (up to max), and end after a minute
// idle (down to min). httplib's ThreadPool is fixed: with 32 threads, 40 slow
// clients took every one.
class ElasticPool : public httplib::TaskQueue {
 public:
  ElasticPool(size_t min_threads, size_t max_threads) : min_(min_threads), max_(std::max<size_t>(1, max_threads)) {}
  ~ElasticPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::vector<std::thread> done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done.swap(finished_);
      jobs_.push_back(std::move(fn));
      if (idle_ < jobs_.size() && threads_.size() < max_) {
        std::thread t(&ElasticPool::work, this);
        auto id = t.get_id();
        threads_.emplace(id, std::move(t));
      }
    }
    cv_.notify_one();
    for (auto& t : done) t.join();
  }

  void shutdown() override {
    std::map<std::thread::id, std::thread> all;
    std::vector<std::thread> done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shut_) return;
      shut_ = true;
    }
    cv_.notify_all();
    // Workers finish the queued connections, then end; none retires itself
    // once shut_ is set, so threads_ only shrinks here.
    {
      std::lock_guard<std::mutex> lock(mu_);
      all.swap(threads_);
      done.swap(finished_);
    }
    for (auto& kv : all) kv.second.join();
    for (auto& t : done) t.join();
  }

 private:
  void work() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      ++idle_;
      bool woke = cv_.wait_for(lock, std::chrono::seconds(60), [&] { return shut_ || !jobs_.empty(); });
      --idle_;
      if (!jobs_.empty()) {
        auto fn = std::move(jobs_.front());
        jobs_.pop_front();
        lock.unlock();
        fn();
        lock.lock();
        continue;
      }
      if (shut_) return;
      if (!woke && threads_.size() > min_) {
        auto it = threads_.find(std::this_thread::get_id());
        if (it != threads_.end()) {
          finished_.push_back(std::move(it->second));
          threads_.erase(it);
          return;
        }
      }
    }
  }

  size_t min_, max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::map<std::thread::id, std::thread> threads_;
  std::vector<std::thread> finished_;
  size_t idle_ = 0;
  bool shut_ = false;
};

// Half-close, then read and drop what the client still sends (for a moment),
// so that closing with unread data does not reset the connection before the
// client has read the answer.
void lingering_close(socket_t sock, int linger_ms = 2000) {
  ::shutdown(sock, SHUT_WR);
  auto until = Clock::now() + std::chrono::milliseconds(linger_ms);
  char buf[16384];
  size_t drained = 0;
  while (drained < 2 * sync::kMaxRequestBytes) {
    pollfd p{sock, POLLIN, 0};
    int r = ::poll(&p, 1, ms_until(until));
    if (r <= 0) break;
    ssize_t n = ::recv(sock, buf, sizeof buf, 0);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
  ::close(sock);
}

void refuse_connection(socket_t sock) {
  std::string body = sync::encode_error(make_error(
      "too_many_connections", "Too many connections from this address at once; try again in a moment."));
  std::string head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
                     "Retry-After: 5\r\nConnection: close\r\nCache-Control: no-store\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n";
  std::string all = head + body;
  pollfd p{sock, POLLOUT, 0};
  if (::poll(&p, 1, 1000) > 0) (void)::send(sock, all.data(), all.size(), MSG_NOSIGNAL);
  lingering_close(sock, 200);  // short: refused connections must not hold threads
}

}  // namespace

HttpServer::HttpServer(ConnectionLimits limits) : limits_(limits) {
  // httplib announces these in its Keep-Alive header.
  set_keep_alive_max_count(limits_.keep_alive_max);
  set_keep_alive_timeout(limits_.keep_alive_timeout_s);
  set_read_timeout(limits_.io_timeout_s);
  set_write_timeout(limits_.io_timeout_s);
  const size_t lo = limits_.min_threads, hi = limits_.max_connections;
  new_task_queue = [lo, hi] { return new ElasticPool(lo, hi); };
}

bool HttpServer::stopping() const { return svr_sock_ == INVALID_SOCKET; }

bool HttpServer::enter_address(const std::string& addr) {
  std::lock_guard<std::mutex> lock(addresses_mu_);
  size_t& n = per_address_[addr];
  if (n >= limits_.per_address) {
    if (n == 0) per_address_.erase(addr);
    return false;
  }
  ++n;
  return true;
}

void HttpServer::leave_address(const std::string& addr) {
  std::lock_guard<std::mutex> lock(addresses_mu_);
  auto it = per_address_.find(addr);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  // httplib writes an answer's headers and its body in separate send()s;
  // with Nagle's algorithm the body then waits for the client's delayed ACK
  // of the headers (40 ms on Linux): every pull answer took 40+ ms on
  // loopback (bench/county_load). Small writes go out at once instead.
  int one = 1;
  setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  GuardedStream strm(sock, limits_, [this] { return stopping(); });
  std::string addr;
  int port = 0;
  strm.get_remote_ip_and_port(addr, port);
  if (!enter_address(addr)) {
    refuse_connection(sock);
    return false;
  }
  t_stream = &strm;
  bool ret = false;
  for (size_t left = limits_.keep_alive_max; left > 0 && !stopping(); --left) {
    // Wait for the next request in short steps, so that stop() is seen.
    bool ready = strm.has_buffered();
    auto idle_until = Clock::now() + std::chrono::seconds(limits_.keep_alive_timeout_s);
    while (!ready && !stopping()) {
      int wait_ms = std::min(100, ms_until(idle_until));
      pollfd p{sock, POLLIN, 0};
      int r = ::poll(&p, 1, wait_ms);
      if (r > 0) ready = true;
      else if (r < 0 && errno != EINTR) break;
      else if (r == 0 && Clock::now() >= idle_until) break;
    }
    if (!ready) break;
    strm.begin_request();
    bool closed = false;
    ret = process_request(strm, left == 1, closed, nullptr);
    t_held.reset();
    if (!ret || closed || strm.must_close) break;
  }
  t_stream = nullptr;
  leave_address(addr);
  if (strm.must_close) {
    lingering_close(sock);
  } else {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }
  return ret;
}

void http_headers_done() {
  if (t_stream) t_stream->begin_body();
}

void http_hold_for_request(std::shared_ptr<void> held) { t_held = std::move(held); }

namespace {
std::vector<std::string>& trusted_proxies() {
  static std::vector<std::string> list;  // written once at start, then only read
  return list;
}
}  // namespace

bool is_ip_address_text(const std::string& s) {
  if (s.empty() || s.size() > 45) return false;
  bool colon = false, dot = false;
  for (char c : s) {
    if (c == ':') colon = true;
    else if (c == '.') dot = true;
    else if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return colon || dot;
}

void set_trusted_proxies(std::vector<std::string> addresses) { trusted_proxies() = std::move(addresses); }

std::string client_address(const httplib::Request& req) {
  const auto& trusted = trusted_proxies();
  auto is_trusted = [&](const std::string& a) { return std::find(trusted.begin(), trusted.end(), a) != trusted.end(); };
  if (trusted.empty() || !is_trusted(req.remote_addr)) return req.remote_addr;
  // Every X-Forwarded-For header, in order, as one comma-separated list.
  std::vector<std::string> hops;
  const size_t headers = req.get_header_value_count("X-Forwarded-For");
  for (size_t h = 0; h < headers && h < 16; ++h) {
    const std::string value = req.get_header_value("X-Forwarded-For", h);
    size_t from = 0;
    while (from <= value.size() && hops.size() < 64) {
      size_t comma = value.find(',', from);
      if (comma == std::string::npos) comma = value.size();
      std::string hop = value.substr(from, comma - from);
      while (!hop.empty() && hop.front() == ' ') hop.erase(hop.begin());
      while (!hop.empty() && hop.back() == ' ') hop.pop_back();
      hops.push_back(hop);
      from = comma + 1;
    }
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!is_ip_address_text(*it)) return req.remote_addr;  // garbled: the proxy's own address, never a guess
    if (!is_trusted(*it)) return *it;
  }
  return req.remote_addr;
}

void http_close_after_response() {
  if (t_stream) t_stream->must_close = true;
}

}  // namespace dh
