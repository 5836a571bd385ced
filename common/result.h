// Errors as values at the I/O boundary. Each adapter (files, libgit2, HTTP)
// turns its library's convention into Result<T> in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace bindscan {

struct Error {
  // A short machine-readable kind ("io", "git", "http", "config", ...) and a
  // message a person can act on: what was wrong and what to do. Never a secret.
  std::string code;
  std::string message;
  // Set on a failure worth a later try whose sender named the wait (an HTTP
  // Retry-After or rate-limit reset, or the backoff a retry policy chose but
  // left to the caller): milliseconds to wait before trying again.
  std::optional<int64_t> retry_after_ms{};
};

template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing but can fail.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace bindscan
