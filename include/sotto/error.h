#pragma once
/// @file error.h
/// Sotto's exception hierarchy and the SOTTO_ENFORCE check macro.
///
///   sotto::Error
///   ├── InvalidArgument   bad shapes, sizes, ranks, options
///   ├── CommError         a communication failed (peer, operation and cause in the message)
///   │   ├── Timeout       a blocking call did not complete within the communicator's timeout
///   │   └── PeerAborted   a peer aborted, exited or was killed
///   ├── ProtocolError     a protocol's invariant broke (mismatched material, inconsistent parties)
///   └── NotImplemented    the requested feature or combination is not available in this build

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace sotto {

/// Base of every exception Sotto throws.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

class InvalidArgument : public Error {
 public:
  using Error::Error;
};

class CommError : public Error {
 public:
  using Error::Error;
};

class Timeout : public CommError {
 public:
  using CommError::CommError;
};

class PeerAborted : public CommError {
 public:
  using CommError::CommError;
};

class ProtocolError : public Error {
 public:
  using Error::Error;
};

class NotImplemented : public Error {
 public:
  using Error::Error;
};

namespace detail {

/// Concatenates any streamable values into one string.
template <typename... Args>
std::string concat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}

/// Throws E with "file:line: message".
template <typename E = InvalidArgument, typename... Args>
[[noreturn]] void fail(const char* file, int line, Args&&... args) {
  throw E(concat(file, ":", line, ": ", std::forward<Args>(args)...));
}

}  // namespace detail
}  // namespace sotto

/// SOTTO_ENFORCE(cond, parts...): throws sotto::InvalidArgument naming file:line and the parts.
#define SOTTO_ENFORCE(cond, ...)                                                                   \
  do {                                                                                             \
    if (!(cond)) ::sotto::detail::fail<::sotto::InvalidArgument>(__FILE__, __LINE__, __VA_ARGS__); \
  } while (0)

/// SOTTO_ENFORCE_AS(ExceptionType, cond, parts...): the same with a chosen exception type.
#define SOTTO_ENFORCE_AS(E, cond, ...)                                      \
  do {                                                                      \
    if (!(cond)) ::sotto::detail::fail<E>(__FILE__, __LINE__, __VA_ARGS__); \
  } while (0)
