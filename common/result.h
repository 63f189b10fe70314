#pragma once

// Errors as values for the data plane (packets, batches, queries, config). Nothing on those paths
// throws: a step that can fail returns Result<T>, and the caller decides what to log and count.
// tl::expected stands in for C++23's std::expected (Debian 12's g++ 12 has no <expected>).

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace linkmon {

// What kind of failure, so callers can count refusals by reason without parsing messages.
enum class ErrorCode {
  kInvalidArgument,  // a value the caller passed is malformed or out of range
  kParse,            // outside input did not match its grammar
  kCorrupt,          // serialized data failed an integrity check
  kOutOfRange,       // a value is well-formed but beyond the supported range
  kUnsupported,      // a version or feature this build does not understand
  kIo,               // the operating system refused (file, socket)
  kUnavailable,      // a peer or resource is not there right now; retrying may help
  // Access denied, a file's permissions are unsafe, or a TLS handshake failed (a certificate did
  // not verify, a peer refused ours, the peer speaks no TLS).
  kPermission,
};

std::string_view ErrorCodeName(ErrorCode code);

// An error names the failed step in its message ("histogram: bucket 12 count overflows").
struct Error {
  ErrorCode code;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

// A step that has no value to return on success.
using Status = Result<void>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace linkmon
