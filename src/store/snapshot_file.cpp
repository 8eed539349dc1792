#include "store/snapshot_file.h"

#include <algorithm>
#include <cstring>

#include "core/state_codec.h"
#include "store/segment.h"

namespace dh {
namespace {

constexpr const char* kMagic = "dianhong-snapshot 2\n";
constexpr size_t kMaxFrameHeader = 8 + 1 + 12 + 1;
constexpr uint64_t kMaxFrameBytes = uint64_t{1} << 30;

Error bad(const std::string& why) { return make_error("bad_snapshot", why); }

void put_frame(std::string& out, const std::string& payload) {
  out += segment::crc32_hex(payload);
  out += ' ';
  out += std::to_string(payload.size());
  out += '\n';
  out += payload;
  out += '\n';
}

// The fields of the header that are the same in both formats.
Status read_common(const Json& j, SnapshotInfo* info) {
  auto ids = j.contains("ids") ? OpIdSet::from_json(j["ids"]) : Result<OpIdSet>(bad("it lists no operations"));
  std::optional<Hlc> clock =
      j.contains("clock") && j["clock"].is_string() ? Hlc::parse(j["clock"].get<std::string>()) : std::nullopt;
  if (!j.contains("covers_through_segment") || !j["covers_through_segment"].is_number_unsigned())
    return bad("it does not say which log files it covers");
  if (!ids.ok()) return bad(ids.error().message);
  if (!clock) return bad("its clock stamp is not valid");
  if (!j.contains("state_hash") || !j["state_hash"].is_string()) return bad("it has no fingerprint of its state");
  info->covers_through_segment = j["covers_through_segment"].get<uint64_t>();
  info->ids = std::move(ids.value());
  info->clock = *clock;
  info->state_hash = j["state_hash"].get<std::string>();
  info->device = j.value("device", "");
  if (j.contains("server_seq")) {
    if (!j["server_seq"].is_number_unsigned() || j["server_seq"].get<uint64_t>() == 0)
      return bad("it does not say up to which change of the server it reaches");
    info->server_seq = j["server_seq"].get<uint64_t>();
  }
  // Older snapshots have no "excluded": they excluded nothing.
  if (j.contains("excluded")) {
    auto ex = OpIdSet::from_json(j["excluded"]);
    if (!ex.ok()) return bad("its list of refused changes is damaged");
    info->excluded = std::move(ex.value());
  }
  return ok_status();
}

}  // namespace

bool is_snapshot_file(std::string_view bytes) { return bytes.substr(0, std::strlen(kMagic)) == kMagic; }

std::string encode_snapshot(const SnapshotInfo& info, const State& state, size_t chunk_bytes) {
  StateEncoder encoder(state);
  std::string chunks;
  size_t count = 0;
  (void)encoder.encode(chunk_bytes, [&](const std::string& chunk) {
    put_frame(chunks, chunk);
    ++count;
    return ok_status();
  });
  Json header = {{"format", 2},
                 {"covers_through_segment", info.covers_through_segment},
                 {"operations", info.ids.size()},
                 {"ids", info.ids.to_json()},
                 {"excluded", info.excluded.to_json()},
                 {"device", info.device},
                 {"clock", info.clock.to_string()},
                 {"state_hash", info.state_hash},
                 {"state", encoder.header()},
                 {"chunks", count}};
  if (info.server_seq > 0) header["server_seq"] = info.server_seq;
  std::string out = kMagic;
  put_frame(out, header.dump());
  out += chunks;
  return out;
}

// The data seen through one window, refilled by large reads into one
// reused buffer: a snapshot of 75 frames takes about 20 reads and no buffer
// per frame (each fresh buffer was fresh memory the decoder's allocations
// then split up). A view is valid until the next call.
class Window {
 public:
  explicit Window(const ReadPart& read) : read_(read) {}
  // [offset, offset + length), shorter at the end of the data.
  Result<std::string_view> view(uint64_t offset, size_t length) {
    if (offset >= start_ && offset - start_ <= buf_.size()) {
      const size_t from = static_cast<size_t>(offset - start_);
      if (buf_.size() - from >= length || at_end_) return std::string_view(buf_).substr(from, length);
    } else if (at_end_ && offset > start_ + buf_.size()) {
      return std::string_view();
    }
    const size_t want = std::max(length, kBytes);
    if (auto st = read_(offset, want, buf_); !st.ok()) return st.error();
    start_ = offset;
    at_end_ = buf_.size() < want;
    return std::string_view(buf_).substr(0, length);
  }

 private:
  static constexpr size_t kBytes = 256 * 1024;
  const ReadPart& read_;
  std::string buf_;
  uint64_t start_ = 0;
  bool at_end_ = false;
};

Result<LoadedSnapshot> read_snapshot(const ReadPart& read_part, bool with_state) {
  const std::string magic = kMagic;
  uint64_t offset = 0;
  Window window(read_part);
  {
    auto head = window.view(0, magic.size());
    if (!head.ok()) return bad(head.error().message);
    if (head.value() != magic) return bad("it does not start like a snapshot file");
    offset = magic.size();
  }
  size_t frame_number = 0, frames_total = 1;
  // One frame: its header line, then exactly `length` bytes and a newline.
  // *payload: valid until the next read from the window.
  auto next_frame = [&](std::string_view* payload) -> Status {
    auto where = [&] {
      return frame_number == 0 ? std::string("its header")
                               : "part " + std::to_string(frame_number) + " of " + std::to_string(frames_total - 1);
    };
    auto line = window.view(offset, kMaxFrameHeader);
    if (!line.ok()) return bad(line.error().message);
    const std::string_view l = line.value();
    if (l.empty()) return bad("it is shorter than its header says (cut off before " + where() + ")");
    const size_t nl = l.find('\n');
    uint64_t length = 0;
    size_t digits = 0;
    for (size_t i = 9; i < nl && i < l.size(); ++i, ++digits) {
      if (l[i] < '0' || l[i] > '9') {
        digits = 0;
        break;
      }
      length = length * 10 + static_cast<uint64_t>(l[i] - '0');
    }
    if (nl == std::string::npos || nl < 10 || l[8] != ' ' || digits == 0 || length > kMaxFrameBytes)
      return bad("the frame of " + where() + " is damaged");
    const std::string crc(l.substr(0, 8));  // copied: the next view may replace the window
    auto body = window.view(offset + nl + 1, static_cast<size_t>(length) + 1);
    if (!body.ok()) return bad(body.error().message);
    const std::string_view b = body.value();
    if (b.size() < length + 1) return bad("it is cut off inside " + where());
    if (b[length] != '\n') return bad(where() + " has the wrong length");
    *payload = b.substr(0, static_cast<size_t>(length));
    if (segment::crc32_hex(*payload) != crc)
      return bad(where() + " has a wrong checksum: its bytes were changed after it was written");
    offset += nl + 1 + length + 1;
    ++frame_number;
    return ok_status();
  };

  std::string_view payload;
  if (auto st = next_frame(&payload); !st.ok()) return st.error();
  Json j = Json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("its header is not valid JSON");
  if (!j.contains("format") || j["format"] != 2) return bad("it was written in a format this version does not know");
  LoadedSnapshot out;
  if (auto st = read_common(j, &out.info); !st.ok()) return st.error();
  if (!j.contains("chunks") || !j["chunks"].is_number_unsigned() || !j.contains("state"))
    return bad("its header does not describe the state");
  if (!with_state) return out;
  frames_total = 1 + j["chunks"].get<size_t>();
  auto decoder = StateDecoder::start(j["state"]);
  if (!decoder.ok()) return bad(decoder.error().message);
  j = Json();
  while (frame_number < frames_total) {
    if (auto st = next_frame(&payload); !st.ok()) return st.error();
    if (auto st = decoder.value().feed(payload, frame_number - 1); !st.ok()) return bad(st.error().message);
  }
  payload = std::string_view();
  auto rest = window.view(offset, 1);
  if (!rest.ok()) return bad(rest.error().message);
  if (!rest.value().empty()) return bad("it has extra bytes after the snapshot");
  // The fingerprint as the records were decoded (StateDecoder::hash: no
  // second pass over the state).
  const std::string decoded_hash = hash_hex_of(decoder.value().hash());
  auto state = decoder.value().finish();
  if (!state.ok()) return bad(state.error().message);
  out.state = std::move(state.value());
  if (decoded_hash != out.info.state_hash)
    return bad("the state read back does not match the fingerprint written with it");
  return out;
}

Result<LoadedSnapshot> read_snapshot_file(FileSystem& fs, const std::string& path, bool with_state) {
  return read_snapshot(
      [&](uint64_t offset, size_t length, std::string& into) { return fs.read_part_into(path, offset, length, into); },
      with_state);
}

Result<LoadedSnapshot> decode_snapshot(std::string_view bytes) {
  return read_snapshot([&](uint64_t offset, size_t length, std::string& into) -> Status {
    if (offset >= bytes.size()) into.clear();
    else into.assign(bytes.substr(static_cast<size_t>(offset), length));
    return ok_status();
  });
}

// snapshot.json: {"crc32":"<8 hex>","length":<n>,"snapshot":<n bytes of JSON>}
Result<LoadedSnapshot> decode_json_snapshot(const std::string& text) {
  const std::string head = "{\"crc32\":\"";
  if (text.compare(0, head.size(), head) != 0 || text.size() < head.size() + 8)
    return bad("it does not start like a snapshot file");
  std::string crc = text.substr(head.size(), 8);
  size_t pos = head.size() + 8;
  const std::string mid = "\",\"length\":";
  if (text.compare(pos, mid.size(), mid) != 0) return bad("its header is damaged");
  pos += mid.size();
  uint64_t length = 0;
  size_t digits = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 12) {
    length = length * 10 + static_cast<uint64_t>(text[pos] - '0');
    ++pos;
    ++digits;
  }
  const std::string key = ",\"snapshot\":";
  if (digits == 0 || text.compare(pos, key.size(), key) != 0) return bad("its header is damaged");
  pos += key.size();
  if (text.size() < pos + length + 1) return bad("it is shorter than its header says (cut off)");
  std::string_view body(text.data() + pos, static_cast<size_t>(length));
  std::string rest = text.substr(pos + static_cast<size_t>(length));
  if (rest != "}\n" && rest != "}") return bad("it has extra bytes after the snapshot");
  if (segment::crc32_hex(body) != crc) return bad("its checksum does not match: the bytes were changed after it was written");
  Json j = Json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("it is not valid JSON");
  if (!j.contains("format") || j["format"] != 1) return bad("it was written in a format this version does not know");
  LoadedSnapshot out;
  out.info.format = 1;
  if (auto st = read_common(j, &out.info); !st.ok()) return st.error();
  if (!j.contains("state")) return bad("it holds no state");
  auto state = State::from_snapshot(j["state"]);
  if (!state.ok()) return bad(state.error().message);
  if (state.value().hash_hex() != out.info.state_hash)
    return bad("the state read back does not match the fingerprint written with it");
  out.state = std::move(state.value());
  return out;
}

}  // namespace dh
