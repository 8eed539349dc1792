// dianhong_server: serves the web app and the sync API from one process.
//
//   dianhong_server [--port N] [--host ADDR] [--data DIR] [--web DIR] [--demo]
//
// --port  default $PORT or 8080; 0 picks a free port (printed)
// --host  default 127.0.0.1 (the API has no device authentication yet)
// --data  default $DATA_DIR or ./data; the database is DIR/server.sqlite
// --web   default $WEB_DIR; the built web app folder
// --demo  load the deterministic demo data set when the store is empty
//
// Prints "Dianhong is running: open http://HOST:PORT/" once it accepts
// connections. SIGINT/SIGTERM stop it cleanly; SIGKILL loses nothing that
// was acknowledged (every push is fsynced before its answer).
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "core/demo.h"
#include "server/auth.h"
#include "server/http_api.h"
#include "server/op_store.h"
#include "server/sync_service.h"

namespace {

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
      if (!cur.empty() && mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
  }
  struct stat st {};
  return stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void usage() {
  std::cerr << "Usage: dianhong_server [--port N] [--host ADDR] [--data DIR] [--web DIR] [--demo]\n"
               "  --port  TCP port (default $PORT or 8080; 0 = any free port)\n"
               "  --host  address to bind (default 127.0.0.1)\n"
               "  --data  data folder (default $DATA_DIR or ./data)\n"
               "  --web   built web app folder (default $WEB_DIR)\n"
               "  --demo  load the demo data set into an empty store\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string port_text = env_or("PORT", "8080");
  std::string host = "127.0.0.1";
  std::string data_dir = env_or("DATA_DIR", "./data");
  std::string web_dir = env_or("WEB_DIR", "");
  bool demo = false;
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
    } else if (a == "--web") {
      if (!value(&web_dir)) return 2;
    } else if (a == "--demo") {
      demo = true;
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
  if (!web_dir.empty()) {
    struct stat st {};
    if (stat((web_dir + "/index.html").c_str(), &st) != 0) {
      std::cerr << "dianhong_server: warning: " << web_dir
                << "/index.html does not exist; is the web app built?\n";
    }
  }

  // Block the stop signals in every thread; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto store = dh::OpStore::open(data_dir + "/server.sqlite");
  if (!store) {
    std::cerr << "dianhong_server: " << store.error().message << "\n";
    return 1;
  }
  auto service = dh::SyncService::open(std::move(store).value());
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
  std::cout << "Store " << data_dir << "/server.sqlite: " << svc.op_count()
            << " operations, state " << svc.state_hash() << "\n";

  dh::OpenAccess auth;  // issue 3 replaces this with enrolled devices and roles
  if (host != "127.0.0.1" && host != "localhost" && host != "::1") {
    std::cerr << "dianhong_server: WARNING: bound to " << host
              << " but device enrolment is not built yet: anyone who can reach this address can "
                 "read and write the data.\n";
  }

  httplib::Server server;
  // httplib's default pool is max(8, cores - 1) threads, and a keep-alive
  // connection holds its thread: a few dozen tablets would queue behind eight.
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    if (res.status >= 500) {
      std::cerr << "dianhong_server: " << req.method << " " << req.path << " -> " << res.status << " "
                << res.body << "\n";
    }
  });
  dh::install_routes(server, svc, auth, dh::HttpOptions{web_dir});
  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    std::cerr << "dianhong_server: cannot listen on " << host << ":" << port
              << " (is another program using the port? set PORT to choose another).\n";
    return 1;
  }

  std::thread stopper([&server, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
  });
  stopper.detach();

  std::cout << "Dianhong is running: open http://" << host << ":" << bound << "/" << std::endl;
  bool ok = server.listen_after_bind();
  std::cout << "Dianhong server stopped." << std::endl;
  return ok ? 0 : 1;
}
