// dianhong_server: serves the web app and the sync API from one process.
//
//   dianhong_server [--port N] [--host ADDR] [--data DIR] [--web DIR] [--demo]
//                   [--auth devices|open] [--admin-code 1234-5678-9012-3456]
//                   [--public-name NAME]...
//                   [--upstream URL [--upstream-code CODE] [--upstream-device ID]
//                    [--upstream-interval-ms MS]]
//
// --port  default $PORT or 8080; 0 picks a free port (printed)
// --host  default 127.0.0.1; 0.0.0.0 serves the LAN
// --public-name  a host name (or address) the devices use to reach this
//         server, e.g. laptop.local; repeatable or comma-separated. Requests
//         are answered only when their Host is localhost, 127.0.0.1, ::1, the
//         address they came in on, --host or one of these (docs/security.md)
// --trusted-proxy ADDR  a reverse proxy in front of this server (nginx,
//         docs/cluster.md); repeatable. For requests from it, the
//         per-address failure limits count the address in X-Forwarded-For
//         (http_server.h client_address), not the proxy's.
// --data  default $DATA_DIR or ./data; the database is DIR/server.sqlite
// --secret-file  the server secret (devices.h; default DIR/server-secret.key);
//         every server process of one PostgreSQL database names the same file
//         (docs/sync-protocol.md "Several servers on one database")
// --web   default $WEB_DIR; the built web app folder
// --demo  load the deterministic demo data set when the store is empty
// --no-snapshot  offer no snapshot to new devices (GET /api/v1/snapshot
//         answers 404 no_snapshot; they pull the log page by page): for the
//         before/after of bench/page_load (docs/sync-protocol.md)
// --auth  devices: enrolled devices with bearer tokens and roles (default);
//         open: everyone may push and pull (protocol 1 behaviour), loopback
//         only; the default with --demo on loopback (a demonstration server,
//         until the app enrols itself)
// --admin-code  the administrator enrolment code to create (tests); without
//         it, a server with no administrator creates a random one, prints
//         "Administrator enrolment code: 1234-5678-9012-3456, valid 24 h" and
//         writes it to DATA_DIR/admin-enrolment-code.txt. A code that was
//         used (or expired) is never armed again (devices.h).
//
// --communities FILE  many communities on this server, each on its own host
//         name (docs/communities.md): FILE has "ID HOST [HOST...]" lines and
//         one "county HOST..." line; each community keeps its data in
//         DATA_DIR/communities/ID/ (or, with --store, in PostgreSQL: the
//         database the template names with {community}, or, with no
//         {community} in it, the template's one database, a schema per
//         community). Not with --upstream,
//         --auth open or --admin-code (each community has its own code file).
// --communities-open N  how many communities stay open at once (default 16;
//         the least recently used idle one is closed past that)
// --pg-connections N  with --communities on one PostgreSQL database: the
//         connections this process keeps to it, shared by every community
//         (default 8; server/pg_pool.h)
//
// --upstream  hub mode (server/upstream.h, docs/sync-protocol.md "Hub mode"):
//         sync onward to the parent server at URL (http://host:port) on a
//         background thread, retrying while it cannot be reached
// --upstream-code  a code the parent's secretary made for role "hub"; used
//         once, on the first start (the token is kept in DATA_DIR/upstream.json)
// --upstream-device  the device id to enrol as (default hub-<8 hex digits>)
// --upstream-interval-ms  how often to ask the parent while nothing changes
//         here (default 5000, at least 200)
//
// Prints "Dianhong is running: open http://HOST:PORT/" once it accepts
// connections. SIGINT/SIGTERM stop it cleanly at any moment from the first
// instruction of main (blocked there, turned into a stop request by one
// thread); SIGKILL loses nothing that was acknowledged (every push is fsynced
// before its answer). Files it makes are private (umask 077): the data folder
// 0700, the database and the administrator code file 0600.
#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include <climits>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/demo.h"
#include "server/auth.h"
#include "server/communities.h"
#include "server/devices.h"
#include "server/roles.h"
#include "server/http_api.h"
#include "server/http_server.h"
#include "server/op_store.h"
#ifdef DH_HAVE_LIBPQ
#include "server/pg_op_store.h"
#endif
#include "server/sync_service.h"
#include "server/upstream.h"

namespace {

// Stop requests (SIGINT/SIGTERM) and the server they stop. httplib's stop()
// does nothing before listen has started, so the waiter keeps trying until
// the server runs or main is past listening.
std::atomic<bool> g_stop_requested{false};
std::mutex g_server_mu;               // guards g_server and g_listen_over
dh::HttpServer* g_server = nullptr;
bool g_listen_over = false;

void wait_for_stop_signal(sigset_t signals) {
  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  g_stop_requested = true;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(g_server_mu);
      if (g_listen_over) return;
      if (g_server && g_server->is_running()) {
        g_server->stop();
        return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Owner-only access for what the server keeps (made before umask, or by an
// older version). Only what this process owns is changed.
void make_private(const std::string& path, mode_t mode) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || st.st_uid != geteuid()) return;
  if ((st.st_mode & 07777) != mode) chmod(path.c_str(), mode);
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

bool parse_port(const std::string& s, int* port) {
  if (s.empty() || s.size() > 5) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > 65535) return false;
  *port = v;
  return true;
}

// mkdir -p
bool make_dirs(const std::string& dir) {
  std::string cur;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      cur = dir.substr(0, i);
      if (!cur.empty() && mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) return false;
    }
  }
  struct stat st {};
  return stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// text is a whole number from lo to hi (digits only): *out = it.
bool whole_number(const std::string& text, size_t lo, size_t hi, size_t* out) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  const size_t n = std::stoul(text);
  if (n < lo || n > hi) return false;
  *out = n;
  return true;
}

// Debian's httplib (0.11, compiled into the .so) listens with a backlog of
// 5: when a few dozen tablets connect at once the kernel drops SYNs and the
// clients retry after 1 s (that was the 1 s p99 of sync_bench_devices). Keep
// the listening socket (this callback sees only it) and listen again with
// the system's limit after bind: Linux then uses the new backlog. Also
// SO_REUSEADDR instead of httplib's default SO_REUSEPORT, so a second
// server cannot silently share the port.
// The 5xx answers are logged on stderr.
int g_listen_fd = -1;
void prepare_http_server(dh::HttpServer& server) {
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    g_listen_fd = sock;
  });
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    if (res.status >= 500) {
      std::cerr << "dianhong_server: " << req.method << " " << req.path << " -> " << res.status << " "
                << res.body << "\n";
    }
  });
}

// Binds (port 0: any free port) and listens with the system's backlog; the
// port bound, or -1.
int bind_http_server(dh::HttpServer& server, const std::string& host, int port) {
  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound > 0 && g_listen_fd >= 0) ::listen(g_listen_fd, SOMAXCONN);
  return bound;
}

// Serves until a stop request (SIGINT/SIGTERM, wait_for_stop_signal), unless
// stopped_early() says one came already. on_start runs just before serving,
// on_stop just after (either may be empty). False when listening failed.
bool listen_until_stopped(dh::HttpServer& server, const std::string& host, int bound,
                          const std::function<bool()>& stopped_early, const std::function<void()>& on_start,
                          const std::function<void()>& on_stop) {
  {
    std::lock_guard<std::mutex> lock(g_server_mu);
    g_server = &server;
  }
  bool ok = true;
  if (!stopped_early()) {
    if (on_start) on_start();
    std::cout << "Dianhong is running: open http://" << host << ":" << bound << "/" << std::endl;
    // A stop request from here on: the waiter stops the server as soon as
    // listen runs, and listen then returns at once.
    ok = server.listen_after_bind();
    if (on_stop) on_stop();
    std::cout << "Dianhong server stopped." << std::endl;
  }
  {
    std::lock_guard<std::mutex> lock(g_server_mu);
    g_server = nullptr;
    g_listen_over = true;
  }
  return ok;
}

// --communities (docs/communities.md): one HTTP server, the Host picks the
// community. Listens and stops like main() does for the one community.
int serve_communities(const std::string& file, const dh::CommunitiesOptions& options, const std::string& host,
                      int port, const std::string& web_dir, bool offer_snapshot) {
  std::ifstream in(file);
  if (!in) {
    std::cerr << "dianhong_server: cannot read the communities file " << file << ".\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto config = dh::parse_communities_config(text.str());
  if (!config) {
    std::cerr << "dianhong_server: " << config.error().message << "\n";
    return 2;
  }
  // The web app's files are served to every host: the data must not be among them.
  if (!web_dir.empty()) {
    char web_real[PATH_MAX], data_real[PATH_MAX];
    if (realpath(web_dir.c_str(), web_real) && realpath(options.data_dir.c_str(), data_real)) {
      const std::string w = std::string(web_real) + "/", d = std::string(data_real) + "/";
      if (d.compare(0, w.size(), w) == 0) {
        std::cerr << "dianhong_server: the data folder " << options.data_dir << " is inside the web app folder "
                  << web_dir << "; its files would be served. Keep the data elsewhere.\n";
        return 2;
      }
    }
  }
  auto communities = dh::Communities::open(config.value(), options);
  if (!communities) {
    std::cerr << "dianhong_server: " << communities.error().message << "\n";
    return 1;
  }
  dh::Communities& all = *communities.value();
  std::cout << "Communities: " << all.community_count() << " (at most " << options.max_open << " open at once)"
            << (config->county_hosts.empty() ? "" : ", and the county") << "\n";
  dh::HttpServer server;
  prepare_http_server(server);
  dh::HttpOptions http_options;
  http_options.web_dir = web_dir;
  http_options.snapshot = offer_snapshot;
  http_options.communities = [&all](const std::string& name, bool api, dh::Error* error) {
    return all.resolve(name, api, error);
  };
  dh::install_routes(server, http_options);
  const int bound = bind_http_server(server, host, port);
  if (bound <= 0) {
    std::cerr << "dianhong_server: cannot listen on " << host << ":" << port << ".\n";
    return 1;
  }
  const auto no_early_stop_message = [] { return g_stop_requested.load(); };
  return listen_until_stopped(server, host, bound, no_early_stop_message, nullptr, nullptr) ? 0 : 1;
}

void usage() {
  std::cerr << "Usage: dianhong_server [--port N] [--host ADDR] [--data DIR] [--store SPEC] [--web DIR] [--demo]\n"
               "  --port  TCP port (default $PORT or 8080; 0 = any free port)\n"
               "  --host  address to bind (default 127.0.0.1)\n"
               "  --data  data folder (default $DATA_DIR or ./data): devices, enrolment, the lock,\n"
               "          and the operations too unless --store says otherwise\n"
               "  --store where the operations are kept (default $STORE, else DIR/server.sqlite):\n"
               "          a SQLite file path, or PostgreSQL: postgresql://USER@HOST:PORT/DB or\n"
               "          libpq \"host=... dbname=...\" (a password is better in $PGPASSWORD or ~/.pgpass)\n"
               "  --secret-file PATH  the 32-byte key file of tokens and codes (default DIR/server-secret.key);\n"
               "          several servers on one PostgreSQL database must all name the same file\n"
               "  --web   built web app folder (default $WEB_DIR)\n"
               "  --demo  load the demo data set into an empty store\n"
               "  --no-snapshot  new devices pull the whole log instead of a snapshot\n"
               "  --auth  devices (enrolled devices and roles; default) or open (loopback only;\n"
               "          the default with --demo on loopback)\n"
               "  --admin-code CODE  administrator enrolment code to create (16 digits)\n"
               "  --trusted-proxy ADDR  a reverse proxy's address: its X-Forwarded-For names the device\n"
               "  --public-name NAME  a name or address the devices use for this server\n"
               "          (besides localhost and the address they connect to); repeatable\n"
               "  --communities FILE  many communities, each on its own host name (docs/communities.md)\n"
               "  --communities-open N  communities kept open at once (default 16)\n"
               "  --pg-connections N  connections to the one PostgreSQL database of --communities (default 8)\n"
               "  --upstream URL  hub mode: sync onward to the parent server at URL (http://host:port)\n"
               "  --upstream-code CODE  enrolment code for role hub made on the parent (first start)\n"
               "  --upstream-device ID  device id to enrol as at the parent (default hub-<random>)\n"
               "  --upstream-interval-ms MS  how often to ask the parent while idle (default 5000)\n";
}

}  // namespace

int main(int argc, char** argv) {
  // First of all: the stop signals are blocked in every thread (all threads
  // start after this) and one thread turns them into a stop request.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  std::thread(wait_for_stop_signal, stop_signals).detach();
  umask(077);
  auto stopped_early = [] {
    if (!g_stop_requested) return false;
    std::cout << "Dianhong server stopped before it started." << std::endl;
    return true;
  };

  std::string port_text = env_or("PORT", "8080");
  std::string host = "127.0.0.1";
  std::string data_dir = env_or("DATA_DIR", "./data");
  std::string web_dir = env_or("WEB_DIR", "");
  std::string store_spec = env_or("STORE", "");
  std::string secret_file;  // "" = DIR/server-secret.key
  bool demo = false;
  bool offer_snapshot = true;
  std::string auth_mode;
  std::string admin_code;
  std::vector<std::string> public_names;
  std::vector<std::string> trusted_proxies;
  dh::UpstreamOptions upstream_options;
  std::string communities_file;
  dh::CommunitiesOptions communities_options;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        std::cerr << "dianhong_server: " << a << " needs a value.\n";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    if (a == "--port") {
      if (!value(&port_text)) return 2;
    } else if (a == "--host") {
      if (!value(&host)) return 2;
    } else if (a == "--data") {
      if (!value(&data_dir)) return 2;
    } else if (a == "--store") {
      if (!value(&store_spec)) return 2;
      if (store_spec.empty()) {
        std::cerr << "dianhong_server: --store needs a file path or a PostgreSQL connection string.\n";
        return 2;
      }
    } else if (a == "--secret-file") {
      if (!value(&secret_file)) return 2;
      if (secret_file.empty()) {
        std::cerr << "dianhong_server: --secret-file needs the path of the key file.\n";
        return 2;
      }
    } else if (a == "--web") {
      if (!value(&web_dir)) return 2;
    } else if (a == "--auth") {
      if (!value(&auth_mode)) return 2;
      if (auth_mode != "devices" && auth_mode != "open") {
        std::cerr << "dianhong_server: --auth is \"devices\" or \"open\".\n";
        return 2;
      }
    } else if (a == "--admin-code") {
      if (!value(&admin_code)) return 2;
      if (dh::DeviceRegistry::normalise_code(admin_code).empty()) {
        std::cerr << "dianhong_server: --admin-code is 16 digits, like 1234-5678-9012-3456.\n";
        return 2;
      }
    } else if (a == "--public-name") {
      std::string names;
      if (!value(&names)) return 2;
      size_t start = 0;
      while (start <= names.size()) {
        size_t comma = names.find(',', start);
        std::string n = names.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!n.empty()) public_names.push_back(n);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (a == "--trusted-proxy") {
      std::string addr;
      if (!value(&addr)) return 2;
      if (!dh::is_ip_address_text(addr)) {
        std::cerr << "dianhong_server: --trusted-proxy is an IPv4 or IPv6 address, e.g. 127.0.0.1.\n";
        return 2;
      }
      trusted_proxies.push_back(addr);
    } else if (a == "--communities") {
      if (!value(&communities_file)) return 2;
    } else if (a == "--communities-open") {
      std::string n;
      if (!value(&n)) return 2;
      if (!whole_number(n, 1, 99999, &communities_options.max_open)) {
        std::cerr << "dianhong_server: --communities-open is a whole number from 1 to 99999.\n";
        return 2;
      }
    } else if (a == "--pg-connections") {
      std::string n;
      if (!value(&n)) return 2;
      if (!whole_number(n, 1, 500, &communities_options.pg_connections)) {
        std::cerr << "dianhong_server: --pg-connections is a whole number from 1 to 500.\n";
        return 2;
      }
    } else if (a == "--upstream") {
      if (!value(&upstream_options.url)) return 2;
    } else if (a == "--upstream-code") {
      if (!value(&upstream_options.code)) return 2;
      upstream_options.code = dh::DeviceRegistry::normalise_code(upstream_options.code);
      if (upstream_options.code.empty()) {
        std::cerr << "dianhong_server: --upstream-code is 16 digits, like 1234-5678-9012-3456.\n";
        return 2;
      }
    } else if (a == "--upstream-device") {
      if (!value(&upstream_options.device)) return 2;
      if (!dh::is_valid_device_id(upstream_options.device)) {
        std::cerr << "dianhong_server: --upstream-device is 1-32 characters of a-z, 0-9 and -.\n";
        return 2;
      }
    } else if (a == "--upstream-interval-ms") {
      std::string ms;
      if (!value(&ms)) return 2;
      if (ms.empty() || ms.size() > 9 || ms.find_first_not_of("0123456789") != std::string::npos) {
        std::cerr << "dianhong_server: --upstream-interval-ms is a whole number of milliseconds.\n";
        return 2;
      }
      upstream_options.interval_ms = std::stoll(ms);
    } else if (a == "--demo") {
      demo = true;
    } else if (a == "--no-snapshot") {
      offer_snapshot = false;
    } else if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else {
      std::cerr << "dianhong_server: unknown option " << a << "\n";
      usage();
      return 2;
    }
  }
  int port = 0;
  if (!parse_port(port_text, &port)) {
    std::cerr << "dianhong_server: the port must be a number from 0 to 65535, not \"" << port_text
              << "\".\n";
    return 2;
  }
  if (!make_dirs(data_dir)) {
    std::cerr << "dianhong_server: cannot create the data folder " << data_dir << ": "
              << std::strerror(errno) << "\n";
    return 1;
  }
  make_private(data_dir, 0700);
  for (const char* f : {"/server.sqlite", "/server.sqlite-wal", "/server.sqlite-shm", "/admin-enrolment-code.txt",
                        "/server.sqlite-journal"}) {
    make_private(data_dir + f, 0600);
  }
  if (!web_dir.empty()) {
    struct stat st {};
    if (stat((web_dir + "/index.html").c_str(), &st) != 0) {
      std::cerr << "dianhong_server: warning: " << web_dir
                << "/index.html does not exist; is the web app built?\n";
    }
  }

  dh::set_trusted_proxies(trusted_proxies);
  if (stopped_early()) return 0;
  if (!communities_file.empty()) {
    if (!upstream_options.url.empty() || auth_mode == "open" || !admin_code.empty()) {
      std::cerr << "dianhong_server: --communities keeps each community in DATA_DIR/communities/ID with enrolled "
                   "devices; it does not go with --upstream, --auth open or --admin-code.\n";
      return 2;
    }
    if (!store_spec.empty() && !dh::is_postgres_spec(store_spec)) {
      std::cerr << "dianhong_server: with --communities, --store is a PostgreSQL connection string: one database "
                   "for every community (postgresql://dianhong@db/county), or one each, named with {community} "
                   "(postgresql://dianhong@db/fq_{community}).\n";
      return 2;
    }
    communities_options.store_template = store_spec;
    communities_options.data_dir = data_dir;
    communities_options.secret_file = secret_file;
    communities_options.demo = demo;
    return serve_communities(communities_file, communities_options, host, port, web_dir, offer_snapshot);
  }
  if (store_spec.empty()) store_spec = data_dir + "/server.sqlite";
  // What the start-up line names: the file, or host:port/db (no password).
#ifdef DH_HAVE_LIBPQ
  const std::string store_name =
      dh::is_postgres_spec(store_spec) ? "PostgreSQL " + dh::PgOpStore::describe(store_spec) : store_spec;
#else
  const std::string store_name = store_spec;
#endif
  auto store = dh::open_op_store(store_spec);
  if (!store) {
    std::cerr << "dianhong_server: " << store.error().message << "\n";
    return 1;
  }
  // Hub mode: the hub's own operations carry its device id at the parent.
  dh::UpstreamEnrolment upstream_enrolment;
  if (!upstream_options.url.empty()) {
    upstream_options.token_file = data_dir + "/" + dh::Upstream::kTokenFile;
    make_private(upstream_options.token_file, 0600);
    auto prepared = dh::Upstream::prepare(upstream_options);
    if (!prepared) {
      std::cerr << "dianhong_server: " << prepared.error().message << "\n";
      return 2;
    }
    upstream_enrolment = std::move(prepared).value();
  } else if (!upstream_options.code.empty() || !upstream_options.device.empty()) {
    std::cerr << "dianhong_server: --upstream-code and --upstream-device need --upstream URL.\n";
    return 2;
  }
  auto service = dh::SyncService::open(std::move(store).value(), upstream_enrolment.device.empty()
                                                                     ? std::string(dh::SyncService::kServerDevice)
                                                                     : upstream_enrolment.device);
  if (!service) {
    std::cerr << "dianhong_server: " << service.error().message << "\n";
    return 1;
  }
  dh::SyncService& svc = *service.value();
  if (demo) {
    auto loaded = svc.load_if_empty(dh::generate_demo(), "demo", dh::wall_clock_ms());
    if (!loaded) {
      std::cerr << "dianhong_server: loading the demo data failed: " << loaded.error().message << "\n";
      return 1;
    }
    if (loaded.value() > 0) std::cout << "Loaded the demo data set: " << loaded.value() << " operations.\n";
  }
  std::unique_ptr<dh::Upstream> upstream;
  if (!upstream_options.url.empty()) {
    auto up = dh::Upstream::open(svc, upstream_options, upstream_enrolment);
    if (!up) {
      std::cerr << "dianhong_server: " << up.error().message << "\n";
      return 2;
    }
    upstream = std::move(up).value();
  }
  if (stopped_early()) return 0;
  std::cout << "Store " << store_name << ": " << svc.op_count()
            << " operations, state " << svc.state_hash() << "\n";

  const bool loopback = host == "127.0.0.1" || host == "localhost" || host == "::1";
  if (auth_mode.empty()) auth_mode = demo && loopback ? "open" : "devices";
  if (auth_mode == "open" && !loopback) {
    std::cerr << "dianhong_server: --auth open lets anyone read and write the data; it is allowed only on "
                 "127.0.0.1. Use --auth devices to serve other machines.\n";
    return 2;
  }
  std::unique_ptr<dh::DeviceRegistry> registry;
  std::unique_ptr<dh::Authenticator> auth;
  if (auth_mode == "devices") {
    // With the operations in PostgreSQL the devices are there too, shared by
    // every server process of that database (devices.h open_postgres).
    if (secret_file.empty()) secret_file = data_dir + "/server-secret.key";
    auto reg = dh::is_postgres_spec(store_spec) ? dh::DeviceRegistry::open_postgres(store_spec, secret_file)
                                                : dh::DeviceRegistry::open(data_dir + "/server.sqlite", secret_file);
    if (!reg) {
      std::cerr << "dianhong_server: " << reg.error().message << "\n";
      return 1;
    }
    registry = std::move(reg).value();
    auto admins = registry->active_administrators();
    if (!admins) {
      std::cerr << "dianhong_server: " << admins.error().message << "\n";
      return 1;
    }
    const std::string code_file = data_dir + "/admin-enrolment-code.txt";
    if (!admin_code.empty() || admins.value() == 0) {
      const int64_t now = dh::wall_clock_ms();
      std::string code = admin_code;
      if (code.empty()) {  // reuse the code written last time while it is still valid
        std::ifstream f(code_file);
        std::string line;
        std::getline(f, line);
        if (registry->code_usable(line, now)) code = dh::DeviceRegistry::normalise_code(line);
      }
      if (admin_code.empty() && !code.empty()) {
        std::cout << "Administrator enrolment code: " << code << " (still valid; see " << code_file << ")\n";
      } else {
        auto made = registry->create_code("administrator", now, code);
        if (!made && made.error().code != "code_used") {
          std::cerr << "dianhong_server: " << made.error().message << "\n";
          return 1;
        }
        if (!made) {  // devices.h: a used or expired code is never armed again
          std::cout << "Administrator enrolment code " << code << " was used or has expired; not armed again.\n";
        } else {
          std::ofstream f(code_file, std::ios::trunc);
          f << made->code << "\n";
          std::cout << "Administrator enrolment code: " << made->code << ", valid 24 h (also in " << code_file
                    << ")\n";
        }
      }
    }
    auth = std::make_unique<dh::DeviceAuth>(*registry);
  } else {
    auth = std::make_unique<dh::OpenAccess>();
    std::cout << "Open access (no device enrolment): only for a demonstration on this computer.\n";
  }

  if (stopped_early()) return 0;
  // Connections run on an elastic pool with bounded request times
  // (http_server.h): a keep-alive connection holds its thread, and a fixed
  // pool of 32 was taken by 40 slow clients.
  dh::HttpServer server;
  prepare_http_server(server);
  dh::HttpOptions http_options;
  http_options.web_dir = web_dir;
  http_options.devices = registry.get();
  http_options.snapshot = offer_snapshot;
  const bool wildcard = host == "0.0.0.0" || host == "::" || host.empty();
  if (!wildcard) http_options.host_names.push_back(host);
  for (const auto& n : public_names) http_options.host_names.push_back(n);
  dh::install_routes(server, svc, *auth, http_options);
  const int bound = bind_http_server(server, host, port);
  if (bound <= 0) {
    std::cerr << "dianhong_server: cannot listen on " << host << ":" << port
              << " (is another program using the port? set PORT to choose another).\n";
    return 1;
  }

  // The snapshot for new devices (docs/sync-protocol.md "Snapshot for a new
  // device") is built once in the background, so the first new device does
  // not wait for it; joined before the service goes away.
  std::thread warm_snapshot;
  if (offer_snapshot && svc.head() > 0) warm_snapshot = std::thread([&svc] { (void)svc.snapshot(); });
  const bool ok = listen_until_stopped(server, host, bound, stopped_early, [&] {
    if (upstream) {
      std::cout << "Hub mode: syncing onward to " << upstream->url() << std::endl;
      upstream->start();
    }
  }, [&] {
    if (upstream) upstream->stop();
  });
  if (warm_snapshot.joinable()) warm_snapshot.join();
  return ok ? 0 : 1;
}
