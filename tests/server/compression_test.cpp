// Response compression (src/server/compression.h): gzip by us, never Brotli by
// httplib; the real server process on loopback.
#include <catch2/catch.hpp>

#include <string>

#include "server/compression.h"
#include "server_process.h"

using dh::test::ServerProcess;
using dh::test::TempDir;

TEST_CASE("gzip round trip and the Accept-Encoding rules", "[native][server][gzip]") {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "{\"type\":\"household.create\",\"name\":\"东城社区 " + std::to_string(i) + "\"}";
  auto gz = dh::gzip_compress(text);
  REQUIRE(gz);
  CHECK(gz->size() < text.size() / 5);
  CHECK(static_cast<unsigned char>((*gz)[0]) == 0x1f);  // gzip magic
  CHECK(static_cast<unsigned char>((*gz)[1]) == 0x8b);
  auto back = dh::gzip_decompress(*gz);
  REQUIRE(back);
  CHECK(*back == text);
  CHECK_FALSE(dh::gzip_decompress(gz->substr(0, gz->size() / 2)));  // truncated

  CHECK(dh::accepts_gzip("gzip, deflate, br"));
  CHECK(dh::accepts_gzip("br;q=1.0, gzip;q=0.8"));
  CHECK(dh::accepts_gzip("*"));
  CHECK_FALSE(dh::accepts_gzip("br"));
  CHECK_FALSE(dh::accepts_gzip("gzip;q=0"));
  CHECK_FALSE(dh::accepts_gzip(""));
  CHECK(dh::worth_compressing("application/json; charset=utf-8"));
  CHECK(dh::worth_compressing("text/javascript; charset=utf-8"));
  CHECK(dh::worth_compressing("application/wasm"));
  CHECK_FALSE(dh::worth_compressing("font/otf"));
  CHECK_FALSE(dh::worth_compressing("image/png"));
}

TEST_CASE("the server answers a browser's \"br, gzip\" with gzip, the same bytes as identity", "[native][server][gzip]") {
  TempDir data, web;
  std::string script;
  for (int i = 0; i < 5000; ++i) script += "var v" + std::to_string(i) + " = '滇红慧';\n";
  {
    std::ofstream(web.path() + "/app.0123abcd.js", std::ios::binary) << script;
  }
  ServerProcess server(data.path(), {"--demo", "--auth", "open", "--web", web.path()});
  REQUIRE(server.start());
  auto c = server.client();
  c->set_decompress(false);  // see what goes over the wire
  // A pull page carries the server's clock; the rest must match byte for byte.
  auto same = [](const std::string& a, const std::string& b) {
    auto ja = nlohmann::json::parse(a, nullptr, false), jb = nlohmann::json::parse(b, nullptr, false);
    if (ja.is_object() && jb.is_object()) {
      ja.erase("server_ms");
      jb.erase("server_ms");
      return ja == jb;
    }
    return a == b;
  };

  for (std::string path : {"/api/v1/ops?after=0&limit=1000", "/app.0123abcd.js"}) {
    INFO(path);
    auto plain = c->Get(path.c_str());
    REQUIRE(plain);
    REQUIRE(plain->status == 200);
    CHECK(plain->get_header_value("Content-Encoding").empty());
    CHECK(plain->body.size() > 100000);

    auto packed = c->Get(path.c_str(), httplib::Headers{{"Accept-Encoding", "gzip, deflate, br"}});
    REQUIRE(packed);
    REQUIRE(packed->status == 200);
    CHECK(packed->get_header_value("Content-Encoding") == "gzip");
    CHECK(packed->get_header_value("Vary") == "Accept-Encoding");
    CHECK(packed->get_header_value("Content-Length") == std::to_string(packed->body.size()));
    CHECK(packed->body.size() < plain->body.size() / 4);
    auto unpacked = dh::gzip_decompress(packed->body);
    REQUIRE(unpacked);
    CHECK(same(*unpacked, plain->body));

    auto br_only = c->Get(path.c_str(), httplib::Headers{{"Accept-Encoding", "br"}});
    REQUIRE(br_only);
    CHECK(br_only->get_header_value("Content-Encoding").empty());  // never Brotli
    CHECK(same(br_only->body, plain->body));
  }
  // A small answer is not worth compressing.
  auto health = c->Get("/api/v1/health", httplib::Headers{{"Accept-Encoding", "gzip"}});
  REQUIRE(health);
  CHECK(health->get_header_value("Content-Encoding").empty());
  CHECK(health->get_header_value("Content-Type") == "application/json; charset=utf-8");
  CHECK(server.stop() == 0);
}
