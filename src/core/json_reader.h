// JsonReader: a strict, streaming JSON reader for the sync protocol's hot
// paths (push bodies on the server, pull pages on the client). It reads an
// operation straight into OperationParts (no tree for its envelope), builds
// nlohmann::json values only where the protocol keeps a tree (payloads), and
// tells whether an operation's text was already canonical, so the server can
// store the received bytes instead of writing them again.
//
// Contracts
// - Accepts exactly what Json::parse (nlohmann 3.11, strict, no comments)
//   accepts, and builds the same values: a UTF-8 byte order mark at the very
//   start is skipped; whitespace is space, tab, CR, LF; strings must be valid
//   UTF-8 (RFC 3629) without raw control characters, \u escapes must pair
//   surrogates; integers are number_unsigned (>= 0) or number_integer (< 0)
//   when they fit 64 bits, number_float otherwise; a float that overflows to
//   infinity is an error; of duplicate keys the last wins. Checked against
//   Json::parse in tests/core/json_reader_test.cpp.
// - Never throws; a syntax error makes every later call fail (ok() false).
// - Recursion is bounded by max_depth (nesting of arrays and objects); the
//   protocol calls check_json_depth first, with a lower bound.
// - Canonical tracking: canonical() is false once the reader has met, since
//   reset_canonical(), anything Json::dump() would write differently
//   (whitespace, keys out of order or repeated, escapes other than \" \\ \b \f
//   \n \r \t, floats, "-0"). It may say false for canonical text (it is
//   conservative), never true for text that is not.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/operation.h"

namespace dh {

class JsonReader {
 public:
  explicit JsonReader(std::string_view text, size_t max_depth = 512);

  bool ok() const { return ok_; }
  // Skips a byte order mark at the start (as Json::parse does); call once first.
  void skip_bom();
  // The next byte after whitespace, or 0 at the end (or after an error).
  char peek();
  // True when only whitespace is left.
  bool at_end();
  size_t offset() const { return pos_; }

  // One value of any kind.
  bool value(Json& out);
  // One value, read and dropped.
  bool skip_value();
  // An object: for each member, on_member(std::string& key) is called with the
  // reader at the member's value, and must read it (returning false fails).
  template <class OnMember>
  bool object(OnMember&& on_member);
  // An array: on_element() is called at each element and must read it.
  template <class OnElement>
  bool array(OnElement&& on_element);
  // One operation as the protocol sends it, into parts (the reader at any
  // value: a non-object leaves parts.is_object false).
  bool operation(OperationParts& parts);

  void reset_canonical() { canonical_ = true; }
  bool canonical() const { return canonical_; }

 private:
  bool fail() { ok_ = false; pos_ = size_; return false; }
  void skip_ws();
  bool expect(char c);
  // A string at '"'; raw gets the bytes between the quotes as written.
  bool string(std::string& out, std::string_view* raw = nullptr);
  bool number(Json& out);
  bool literal(std::string_view word);
  bool string_value(std::optional<std::string>& out);

  const char* text_;
  size_t size_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  size_t max_depth_;
  bool ok_ = true;
  bool canonical_ = true;
};

template <class OnMember>
bool JsonReader::object(OnMember&& on_member) {
  if (!expect('{')) return false;
  if (++depth_ > max_depth_) return fail();
  std::string key;
  std::string_view prev_raw, raw;
  bool first = true;
  if (peek() == '}') {
    ++pos_;
    --depth_;
    return true;
  }
  for (;;) {
    if (peek() != '"') return fail();
    if (!string(key, &raw)) return false;
    // Keys in std::map order, each once: the raw texts compare as the keys
    // do when neither holds an escape (string() clears canonical_ if one does).
    if (!first && !(prev_raw < raw)) canonical_ = false;
    first = false;
    prev_raw = raw;
    if (!expect(':')) return false;
    if (!on_member(key)) return fail();
    const char c = peek();
    if (c == ',') {
      ++pos_;
      continue;
    }
    if (c == '}') {
      ++pos_;
      --depth_;
      return true;
    }
    return fail();
  }
}

template <class OnElement>
bool JsonReader::array(OnElement&& on_element) {
  if (!expect('[')) return false;
  if (++depth_ > max_depth_) return fail();
  if (peek() == ']') {
    ++pos_;
    --depth_;
    return true;
  }
  for (;;) {
    if (!on_element()) return fail();
    const char c = peek();
    if (c == ',') {
      ++pos_;
      continue;
    }
    if (c == ']') {
      ++pos_;
      --depth_;
      return true;
    }
    return fail();
  }
}

}  // namespace dh
