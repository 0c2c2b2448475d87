#pragma once
// Result<T>: the value of an operation that can fail for an expected reason (a bad file,
// an unsupported syntax, sizes that do not add up). Failures carry a message a user can
// act on; exceptions stay for programming errors.

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace meridian::core {

enum class ErrorCode {
  InvalidArgument,  // the caller asked for something impossible (usage error)
  NotFound,         // a file or item that should exist does not
  Unsupported,      // a format, syntax or feature Meridian does not read
  Corrupt,          // the data contradicts itself or is truncated
  Io,               // the operating system refused (permissions, full disk, ...)
  Cancelled,        // the user cancelled a job
  Internal          // a library failed in a way we did not anticipate
};

const char* toString(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;

  /// "corrupt: <message>", for logs and command-line output.
  std::string describe() const { return std::string(toString(code)) + ": " + message; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit on purpose
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit on purpose

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<T>(checked()); }
  T& value() & { return std::get<T>(checkedMutable()); }
  // On a temporary Result the value is moved out and returned by value, never as a
  // reference: `for (auto& x : f().value())` and `const auto& v = f().value();` would
  // otherwise bind to a member of a Result destroyed at the end of the statement.
  T value() && { return std::get<T>(std::move(checkedMutable())); }
  T value() const&& { return std::get<T>(checked()); }  // a const temporary: copied

  const Error& error() const {
    if (ok()) throw std::logic_error("Result::error() called on a success");
    return std::get<Error>(state_);
  }

 private:
  const std::variant<T, Error>& checked() const {
    if (!ok()) throw std::logic_error("Result::value() called on a failure: " + error().describe());
    return state_;
  }
  std::variant<T, Error>& checkedMutable() {
    (void)checked();
    return state_;
  }

  std::variant<T, Error> state_;
};

/// Result of an operation that returns nothing but can fail.
struct Ok {};
using Status = Result<Ok>;

inline Error makeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace meridian::core
