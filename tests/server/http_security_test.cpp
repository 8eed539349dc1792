// The HTTP layer against a hostile client (issue 8, docs/security.md "HTTP
// layer"), on the real dianhong_server process: bodies are authenticated
// before they are read and never parsed past the nesting cap; every body is
// bounded (chunked, gzip-inflated); ranges are never assembled in memory; slow
// clients neither starve the others nor hold a connection for long; Host,
// Origin and Content-Type keep other web sites out; health tells counts only
// to an enrolled device; symbolic links out of the web folder are not
// followed; the data folder is private; SIGTERM at any moment of start-up
// stops the server; keep-alive serves many requests; a cursor past the head.
#include <catch2/catch.hpp>

#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "core/demo.h"
#include "server/compression.h"
#include "server_process.h"
#include "sync/protocol.h"

using namespace dh;
using namespace dh::sync;
using dh::test::ServerProcess;
using dh::test::TempDir;

namespace {

// A plain TCP connection to the server, for what httplib's client will not send.
class RawConn {
 public:
  explicit RawConn(int port, const char* addr = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, addr, &a.sin_addr);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConn() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  bool send_all(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  bool readable(int timeout_ms) const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) > 0;
  }
  // One HTTP answer (headers and a Content-Length body); "" on timeout/close.
  std::string read_response(int timeout_ms = 5000) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      size_t end = buf_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t len = 0;
        std::string head = buf_.substr(0, end);
        std::string lower = head;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t cl = lower.find("content-length:");
        if (cl != std::string::npos) len = std::strtoul(head.c_str() + cl + 15, nullptr, 10);
        if (buf_.size() >= end + 4 + len) {
          std::string out = buf_.substr(0, end + 4 + len);
          buf_.erase(0, end + 4 + len);
          return out;
        }
      }
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      until - std::chrono::steady_clock::now())
                                      .count());
      if (left <= 0 || !readable(left)) return "";
      char tmp[65536];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return "";
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }
  // True once the server has closed the connection (reading what is left).
  bool closed_by_server(int timeout_ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      until - std::chrono::steady_clock::now())
                                      .count());
      if (left <= 0 || !readable(left)) return false;
      char tmp[4096];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return true;
    }
  }

 private:
  int fd_ = -1;
  std::string buf_;
};

int status_of(const std::string& response) {
  return response.size() > 12 ? std::atoi(response.c_str() + 9) : 0;
}

// The process's peak resident memory (VmHWM), KiB.
size_t peak_rss_kb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoul(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

std::string error_code(const httplib::Result& res) {
  if (!res) return "(no answer)";
  auto e = decode_error(res->body);
  return e ? e->code : "(not an error: " + std::to_string(res->status) + ")";
}

Health full_health(const ServerProcess& server) {
  auto res = server.client()->Get("/api/v1/health");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto h = decode_health(res->body);
  REQUIRE(h.ok());
  REQUIRE(h->full);
  return h.value();
}

std::vector<Operation> few_ops() {
  DemoOptions o;
  o.households = 3;
  o.experts = 1;
  o.trainees = 1;
  return generate_demo(o);
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("http: a deeply nested body is refused before it is parsed, and a token is checked first",
          "[native][server][http]") {
  TempDir data;
  ServerProcess server(data.path());
  REQUIRE(server.start());
  auto admin = server.client();
  auto anon = server.anonymous_client();
  // An operation whose payload nests 1,000,000 arrays (2 MB, under the 4 MiB
  // limit): nlohmann's recursive copy and dump ended the server with SIGSEGV.
  auto ops = few_ops();
  std::string deep = encode_push_request("demo", {ops[0]});
  const std::string payload = "\"payload\":";
  REQUIRE(deep.find(payload) != std::string::npos);
  deep.insert(deep.find(payload) + payload.size(), "{\"deep\":" + nested(1000000) + ",\"was\":");
  deep.insert(deep.find("},\"type\""), "}");
  REQUIRE(deep.size() < kMaxRequestBytes);

  CHECK(error_code(anon->Post("/api/v1/ops", deep, "application/json")) == "unauthorized");
  CHECK(error_code(admin->Post("/api/v1/ops", deep, "application/json")) == "too_deep");
  CHECK(error_code(anon->Post("/api/v1/admin/codes", "{\"role\":" + nested(150000) + "}", "application/json")) ==
        "unauthorized");
  CHECK(error_code(admin->Post("/api/v1/admin/codes", "{\"role\":" + nested(150000) + "}", "application/json")) ==
        "too_deep");
  CHECK(error_code(anon->Post("/api/v1/enrol", "{\"code\":\"1\",\"device\":\"x\",\"n\":" + nested(150000) + "}",
                              "application/json")) == "too_deep");
  CHECK(error_code(anon->Post("/api/v1/checkin/lookup", "{\"shift\":" + nested(150000) + "}", "application/json")) ==
        "too_deep");
  CHECK(error_code(anon->Post("/api/v1/checkin", "{\"shift\":" + nested(150000) + "}", "application/json")) ==
        "too_deep");
  // Just under the cap is JSON like any other (here: the wrong shape).
  CHECK(error_code(admin->Post("/api/v1/ops", "{\"protocol\":2,\"device\":\"d\",\"ops\":" + nested(kMaxJsonDepth - 1) +
                                                  "}",
                               "application/json")) != "too_deep");
  // Brackets inside strings do not count.
  std::string body = encode_push_request("demo", {ops[0]});
  body.insert(body.size() - 1, ",\"note\":\"" + std::string(1000, '[') + "\"");
  auto ok = admin->Post("/api/v1/ops", body, "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(full_health(server).ops == 1);
  CHECK(server.stop() == 0);

  // Open access (the demo server): everyone is let in, the cap still holds.
  TempDir open_data;
  ServerProcess open(open_data.path(), {"--auth", "open"});
  REQUIRE(open.start());
  CHECK(error_code(open.anonymous_client()->Post("/api/v1/ops", deep, "application/json")) == "too_deep");
  CHECK(open.stop() == 0);
}

TEST_CASE("http: bodies are bounded, chunked or gzip, and ranges are never assembled in memory",
          "[native][server][http]") {
  TempDir data, web;
  std::string font(8 * 1024 * 1024, 'f');
  for (size_t i = 0; i < font.size(); i += 4096) font[i] = static_cast<char>('a' + (i / 4096) % 26);
  write_file(web.path() + "/font.otf", font);
  write_file(web.path() + "/index.html", "<!doctype html><title>x</title>");
  ServerProcess server(data.path(), {"--web", web.path()});
  REQUIRE(server.start());
  auto admin = server.client();
  const size_t rss_before = peak_rss_kb(server.pid());
  REQUIRE(rss_before > 0);

  SECTION("a chunked body of 64 MiB is cut off at the limit") {
    RawConn conn(server.port());
    REQUIRE(conn.ok());
    REQUIRE(conn.send_all("POST /api/v1/ops HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                          server.admin_token() +
                          "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
    for (size_t sent = 0; sent < 64u * 1024 * 1024 && !conn.readable(0); sent += 0x10000) {
      if (!conn.send_all(chunk)) break;
    }
    std::string answer = conn.read_response();
    CHECK(status_of(answer) == 413);
    CHECK(answer.find("too_large") != std::string::npos);
    CHECK(peak_rss_kb(server.pid()) < rss_before + 40 * 1024);
  }

  SECTION("a gzip body is limited after inflating, and a good one is accepted") {
    auto bomb = gzip_compress(std::string(64u * 1024 * 1024, ' '));
    REQUIRE(bomb);
    REQUIRE(bomb->size() < kMaxRequestBytes);
    auto res = admin->Post("/api/v1/ops", httplib::Headers{{"Content-Encoding", "gzip"}}, *bomb, "application/json");
    CHECK(error_code(res) == "too_large");
    CHECK(peak_rss_kb(server.pid()) < rss_before + 40 * 1024);

    auto ops = few_ops();
    auto packed = gzip_compress(encode_push_request("demo", {ops[0], ops[1]}));
    REQUIRE(packed);
    res = admin->Post("/api/v1/ops", httplib::Headers{{"Content-Encoding", "gzip"}}, *packed, "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(full_health(server).ops == 2);
    res = admin->Post("/api/v1/ops", httplib::Headers{{"Content-Encoding", "br"}}, "{}", "application/json");
    CHECK(error_code(res) == "unsupported_encoding");
  }

  SECTION("overlapping ranges are ignored: one answer no larger than the file") {
    std::string ranges = "bytes=0-8388607";
    for (int i = 1; i < 16; ++i) ranges += "," + std::to_string(i) + "-8388607";
    auto res = admin->Get("/font.otf", httplib::Headers{{"Range", ranges}});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body.size() == font.size());
    CHECK(res->body == font);
    CHECK(peak_rss_kb(server.pid()) < rss_before + 64 * 1024);

    res = admin->Get("/font.otf", httplib::Headers{{"Range", "bytes=4096-4195"}});
    REQUIRE(res);
    CHECK(res->status == 206);
    CHECK(res->body == font.substr(4096, 100));
    CHECK(res->get_header_value("Content-Range") == "bytes 4096-4195/8388608");
    res = admin->Get("/font.otf", httplib::Headers{{"Range", "bytes=9000000-"}});
    REQUIRE(res);
    CHECK(res->status == 416);
    // API answers are never cut into ranges.
    res = admin->Get("/api/v1/health", httplib::Headers{{"Range", "bytes=0-3,0-3"}});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(decode_health(res->body).ok());
  }
  CHECK(server.stop() == 0);
}

TEST_CASE("http: slow clients neither starve a device nor hold their connection", "[native][server][http][slow]") {
  TempDir data;
  ServerProcess server(data.path());
  REQUIRE(server.start());
  auto ops = few_ops();

  // 48 clients that trickle their headers, one byte every 250 ms (each recv
  // is quick, so a per-recv timeout never fires).
  std::vector<std::unique_ptr<RawConn>> slow;
  for (int i = 0; i < 48; ++i) {
    slow.push_back(std::make_unique<RawConn>(server.port()));
    REQUIRE(slow.back()->ok());
    REQUIRE(slow.back()->send_all("POST /api/v1/ops HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop) {
      for (auto& c : slow) c->send_all("x");
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));

  // A device syncs meanwhile, promptly (its client gives up after 3 s).
  auto device = server.client();
  device->set_read_timeout(3);
  device->set_connection_timeout(3);
  auto push = device->Post("/api/v1/ops", encode_push_request("demo", {ops[0]}), "application/json");
  CHECK(push);
  if (push) CHECK(push->status == 200);
  auto pull = device->Get("/api/v1/ops?after=0");
  CHECK(pull);
  if (pull) CHECK(pull->status == 200);

  // Headers must be complete within 10 s: every slow client is let go.
  std::this_thread::sleep_for(std::chrono::milliseconds(9500));
  stop = true;
  trickle.join();
  size_t closed = 0;
  for (auto& c : slow) closed += c->closed_by_server(3000) ? 1 : 0;
  CHECK(closed == slow.size());
  slow.clear();

  // One address holds at most 64 connections at once; the 65th is told why.
  std::vector<std::unique_ptr<RawConn>> many;
  for (int i = 0; i < 64; ++i) {
    many.push_back(std::make_unique<RawConn>(server.port()));
    REQUIRE(many.back()->ok());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  RawConn extra(server.port());
  REQUIRE(extra.ok());
  std::string answer = extra.read_response(3000);
  CHECK(status_of(answer) == 503);
  CHECK(answer.find("too_many_connections") != std::string::npos);
  many.clear();

  // SIGTERM is not held up by clients in the middle of their headers.
  for (int i = 0; i < 10; ++i) {
    slow.push_back(std::make_unique<RawConn>(server.port()));
    REQUIRE(slow.back()->send_all("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto t0 = std::chrono::steady_clock::now();
  CHECK(server.stop() == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
}

TEST_CASE("http: Host, Origin and Content-Type keep other web sites out", "[native][server][http]") {
  auto ops = few_ops();
  SECTION("the demo server (open access on loopback)") {
    TempDir data, web;
    write_file(web.path() + "/index.html", "<!doctype html><title>x</title>");
    ServerProcess server(data.path(), {"--auth", "open", "--web", web.path()});
    REQUIRE(server.start());
    auto c = server.anonymous_client();
    const std::string push = encode_push_request("demo", {ops[0]});
    // DNS rebinding: the attacker's name pointing at 127.0.0.1.
    auto res = c->Get("/api/v1/ops?after=0", httplib::Headers{{"Host", "attacker.example"}});
    CHECK(error_code(res) == "bad_host");
    if (res) CHECK(res->status == 421);
    res = c->Get("/", httplib::Headers{{"Host", "attacker.example:8080"}});
    REQUIRE(res);
    CHECK(res->status == 421);
    // A cross-site form or fetch without preflight: text/plain, foreign Origin.
    res = c->Post("/api/v1/ops", httplib::Headers{{"Origin", "http://attacker.example"}}, push, "text/plain");
    CHECK(error_code(res) == "foreign_origin");
    res = c->Post("/api/v1/ops", push, "text/plain");
    CHECK(error_code(res) == "unsupported_media_type");
    res = c->Post("/api/v1/ops", httplib::Headers{{"Origin", "null"}}, push, "application/json");
    CHECK(error_code(res) == "foreign_origin");
    CHECK(full_health(server).ops == 0);
    // The app itself: same origin, JSON.
    const std::string self = "http://127.0.0.1:" + std::to_string(server.port());
    res = c->Post("/api/v1/ops", httplib::Headers{{"Origin", self}}, push, "application/json; charset=utf-8");
    REQUIRE(res);
    CHECK(res->status == 200);
    res = c->Get("/", httplib::Headers{{"Host", "localhost:" + std::to_string(server.port())}});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(full_health(server).ops == 1);
    CHECK(server.stop() == 0);
  }
  SECTION("a LAN server: its own addresses and its --public-name") {
    TempDir data;
    ServerProcess server(data.path(), {"--host", "0.0.0.0", "--public-name", "laptop.local,tablets.example"});
    REQUIRE(server.start());
    for (std::string host : {"laptop.local", "LAPTOP.local:8080", "tablets.example", "127.0.0.1", "[::1]:1"}) {
      INFO(host);
      auto res = server.client()->Get("/api/v1/health", httplib::Headers{{"Host", host}});
      REQUIRE(res);
      CHECK(res->status == 200);
    }
    for (std::string host : {"attacker.example", "laptop.local.attacker.example", "127.0.0.3", ""}) {
      INFO(host);
      auto res = server.client()->Get("/api/v1/health", httplib::Headers{{"Host", host}});
      CHECK(error_code(res) == "bad_host");
    }
    // The address a tablet connects to (any of 127/8 here, a LAN address in
    // a meeting room) is accepted as it is, with no configuration.
    httplib::Client other("127.0.0.2", server.port());
    other.set_bearer_token_auth(server.admin_token());
    auto res = other.Get("/api/v1/health");
    REQUIRE(res);
    CHECK(res->status == 200);
    res = other.Get("/api/v1/health", httplib::Headers{{"Host", "127.0.0.3"}});
    CHECK(error_code(res) == "bad_host");
    CHECK(server.stop() == 0);
  }
}

TEST_CASE("http: health tells counts and the state hash only with a token; headers; files; folders",
          "[native][server][http]") {
  TempDir data, web, outside;
  // A data folder and code file left readable by an older version.
  REQUIRE(::mkdir((data.path() + "/d").c_str(), 0755) == 0);
  const std::string dir = data.path() + "/d";
  write_file(dir + "/admin-enrolment-code.txt", "0000-0000\n");
  ::chmod((dir + "/admin-enrolment-code.txt").c_str(), 0644);
  write_file(web.path() + "/index.html", "<!doctype html><title>x</title>");
  write_file(web.path() + "/inside.txt", "inside");
  write_file(outside.path() + "/secret.txt", "secret");
  REQUIRE(::symlink((outside.path() + "/secret.txt").c_str(), (web.path() + "/out.txt").c_str()) == 0);
  REQUIRE(::symlink(outside.path().c_str(), (web.path() + "/outdir").c_str()) == 0);
  REQUIRE(::symlink("inside.txt", (web.path() + "/in.txt").c_str()) == 0);

  ServerProcess server(dir, {"--web", web.path()});
  REQUIRE(server.start());
  auto anon = server.anonymous_client();
  auto res = anon->Get("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  auto h = decode_health(res->body);
  REQUIRE(h.ok());
  CHECK_FALSE(h->full);
  CHECK(h->auth == "devices");
  CHECK(h->protocol == kProtocolVersion);
  CHECK(res->body.find("state_hash") == std::string::npos);
  CHECK(res->body.find("\"ops\"") == std::string::npos);
  auto bad = server.client_with("not-a-token")->Get("/api/v1/health");
  CHECK(error_code(bad) == "unauthorized");
  CHECK(full_health(server).auth == "devices");

  for (std::string path : {"/", "/api/v1/health", "/missing"}) {
    INFO(path);
    auto r = anon->Get(path.c_str());
    REQUIRE(r);
    CHECK(r->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);
    CHECK(r->get_header_value("Content-Security-Policy").find("'wasm-unsafe-eval'") != std::string::npos);
    CHECK(r->get_header_value("X-Frame-Options") == "DENY");
    CHECK(r->get_header_value("X-Content-Type-Options") == "nosniff");
  }
  for (std::string path : {"/out.txt", "/outdir/secret.txt"}) {
    INFO(path);
    auto r = anon->Get(path.c_str());
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body != "secret");
  }
  auto in = anon->Get("/in.txt");
  REQUIRE(in);
  CHECK(in->status == 200);
  CHECK(in->body == "inside");

  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  // With the store in PostgreSQL (DH_TEST_SERVER_STORE=postgres) the
  // devices are there too, and the folder holds no server.sqlite.
  const char* store_mode = std::getenv("DH_TEST_SERVER_STORE");
  const bool sqlite_here = !(store_mode && std::string(store_mode) == "postgres");
  for (std::string f : {"/server.sqlite", "/server-secret.key", "/admin-enrolment-code.txt"}) {
    INFO(f);
    if (f == "/server.sqlite" && !sqlite_here) continue;
    REQUIRE(::stat((dir + f).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  CHECK(server.stop() == 0);
}

TEST_CASE("http: keep-alive serves many requests; a cursor past the head gets the real head",
          "[native][server][http]") {
  TempDir data;
  ServerProcess server(data.path());
  REQUIRE(server.start());
  auto ops = few_ops();
  auto admin = server.client();
  REQUIRE(admin->Post("/api/v1/ops", encode_push_request("demo", {ops[0], ops[1], ops[2]}), "application/json"));

  RawConn conn(server.port());
  REQUIRE(conn.ok());
  const std::string get = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                          server.admin_token() + "\r\n\r\n";
  int answered = 0;
  for (int i = 0; i < 20; ++i) {
    if (!conn.send_all(get)) break;
    std::string r = conn.read_response();
    if (status_of(r) != 200) break;
    ++answered;
  }
  CHECK(answered == 20);

  auto res = admin->Get("/api/v1/ops?after=1000");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto page = decode_pull_response(res->body);
  REQUIRE(page.ok());
  CHECK(page->head == 3);
  CHECK(page->next == 3);
  CHECK(page->ops.empty());
  CHECK(server.stop() == 0);
}

TEST_CASE("http: SIGTERM at any moment of start-up stops the server", "[native][server][http][signals]") {
  TempDir data;
  std::mt19937 rng(20261202);
  int hung = 0;
  for (int run = 0; run < 60; ++run) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    // Built before the fork: the child of a threaded process may only make
    // async-signal-safe calls until exec (a malloc could wait forever).
    const std::string bin = dh::test::server_binary();
    const std::string dir = data.path();
    // A SIGTERM before exec meets the test process's copy: it must kill the
    // child (an accepted outcome), not run Catch's reporter in it. Blocked
    // across the fork, so it waits until the child has the default action.
    sigset_t term, before;
    ::sigemptyset(&term);
    ::sigaddset(&term, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &term, &before);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::signal(SIGTERM, SIG_DFL);
      ::sigprocmask(SIG_SETMASK, &before, nullptr);
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      execl(bin.c_str(), bin.c_str(), "--port", "0", "--data", dir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ::sigprocmask(SIG_SETMASK, &before, nullptr);
    REQUIRE(pid >= 0);
    ::close(out[1]);
    if (run % 2 == 0) {
      // A random moment of start-up (it takes some tens of ms).
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 150000));
    } else {
      // Right when it says it is running, before or as listen starts.
      std::string seen;
      char buf[512];
      while (seen.find("Dianhong is running") == std::string::npos) {
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, 10000) <= 0) break;
        ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        seen.append(buf, static_cast<size_t>(n));
      }
    }
    ::kill(pid, SIGTERM);
    bool exited = false;
    int status = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < until) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!exited) {
      ++hung;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    } else {
      INFO("run " << run);
      // Exit 0, or killed by the signal before main blocked it.
      CHECK(((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
             (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)));
    }
    ::close(out[0]);
  }
  CHECK(hung == 0);
}
