#pragma once

// Gzip (RFC 1952) decompression of upload bodies with a hard bound on the output.
//
// The HTTP server's body limit applies to the bytes on the wire; a gzip bomb of 1 MiB inflates to
// about 1 GiB. So the output is produced in fixed chunks and decompression stops as soon as it
// would pass `max_output`: memory never exceeds max_output plus one chunk, whatever the ratio.
//
// Thread-safety: a free function without shared state.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace linkmon::ingest {

// The decompressed bytes of one complete gzip member filling all of `compressed`.
// Errors: kOutOfRange when the output would exceed max_output ("decompresses to more than N
// bytes"), kParse when the input is not gzip, is cut short, fails its CRC, or has bytes after
// the member.
Result<std::string> Gunzip(std::string_view compressed, std::size_t max_output);

// Gzip of `plain` (for tests, benchmarks and probes that compress their uploads).
std::string Gzip(std::string_view plain);

}  // namespace linkmon::ingest
