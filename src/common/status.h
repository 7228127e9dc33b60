// Status: the outcome of an operation that can fail, carried across module
// boundaries as a value (no exceptions cross a module edge).
//
// A Status has a coarse Code (mapped to an HTTP status in exactly one place,
// api/error_mapping.cc), a snake_case `reason` that clients can switch on, and a
// human sentence. Statuses are immutable values; safe to copy between threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace berth {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // 400: the caller sent something malformed
  kUnauthenticated,     // 401: no or bad credentials
  kPermissionDenied,    // 403: known caller, not allowed
  kNotFound,            // 404
  kAlreadyExists,       // 409: a name or path is taken
  kFailedPrecondition,  // 409: state forbids it (in use, not in trash, ...)
  kResourceExhausted,   // 413: too large, over quota
  kUnavailable,         // 503: a dependency is down; retry may work
  kInternal,            // 500: a bug or an unexpected OS failure
};

// Default snake_case reason for a code ("not_found", ...).
std::string_view CodeName(Code code);

class Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message, std::string reason = {})
      : code_(code), message_(std::move(message)), reason_(std::move(reason)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The machine-readable error code: the explicit reason or CodeName(code).
  std::string reason() const;
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string reason_;
};

inline Status InvalidArgument(std::string msg, std::string reason = {}) {
  return Status(Code::kInvalidArgument, std::move(msg), std::move(reason));
}
inline Status NotFound(std::string msg, std::string reason = {}) {
  return Status(Code::kNotFound, std::move(msg), std::move(reason));
}
inline Status AlreadyExists(std::string msg, std::string reason = {}) {
  return Status(Code::kAlreadyExists, std::move(msg), std::move(reason));
}
inline Status FailedPrecondition(std::string msg, std::string reason = {}) {
  return Status(Code::kFailedPrecondition, std::move(msg), std::move(reason));
}
inline Status PermissionDenied(std::string msg, std::string reason = {}) {
  return Status(Code::kPermissionDenied, std::move(msg), std::move(reason));
}
inline Status Unauthenticated(std::string msg, std::string reason = {}) {
  return Status(Code::kUnauthenticated, std::move(msg), std::move(reason));
}
inline Status ResourceExhausted(std::string msg, std::string reason = {}) {
  return Status(Code::kResourceExhausted, std::move(msg), std::move(reason));
}
inline Status Unavailable(std::string msg, std::string reason = {}) {
  return Status(Code::kUnavailable, std::move(msg), std::move(reason));
}
inline Status Internal(std::string msg, std::string reason = {}) {
  return Status(Code::kInternal, std::move(msg), std::move(reason));
}
// An Internal status for a failed syscall: "<what>: <strerror(err)>".
Status ErrnoStatus(std::string_view what, int err);

}  // namespace berth

#define BERTH_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::berth::Status berth_status_ = (expr);  \
    if (!berth_status_.ok()) return berth_status_; \
  } while (0)

#define BERTH_CONCAT_INNER_(a, b) a##b
#define BERTH_CONCAT_(a, b) BERTH_CONCAT_INNER_(a, b)
#define BERTH_ASSIGN_OR_RETURN(lhs, expr) \
  BERTH_ASSIGN_OR_RETURN_IMPL_(BERTH_CONCAT_(berth_result_, __LINE__), lhs, expr)
#define BERTH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(*tmp)
