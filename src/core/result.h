// Expected errors are values, not exceptions.
//
// Bad input from a person, a file or the network is expected: functions that
// can meet it return Result<T>. An Error carries a stable machine code (for
// tests and the wire) and a message in plain words for the person in front of
// the screen (English; the UI maps codes to its own translations where it has
// them and falls back to the message).
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dh {

struct Error {
  std::string code;     // stable, snake_case, e.g. "missing_field"
  std::string message;  // plain words, e.g. "The household needs an address."
  // The parameters the UI fills into its translation of `code` ({0}, {1}, ...),
  // in the order the code's string documents; empty for most codes.
  std::vector<std::string> params = {};
};

inline Error make_error(std::string code, std::string message) {
  return Error{std::move(code), std::move(message)};
}

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Status(Ok{}); }

}  // namespace dh
