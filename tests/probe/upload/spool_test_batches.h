#pragma once

// The batch bodies the spool crash test writes and checks: deterministic from the sequence, of
// varying size (about 100 bytes to 6 KiB, so that some span SQLite overflow pages).

#include <cstdint>
#include <string>
#include <vector>

namespace linkmon::upload::testing {

inline std::vector<std::uint8_t> CrashTestBatch(std::uint64_t sequence) {
  const std::string head = "batch-" + std::to_string(sequence) + ":";
  std::vector<std::uint8_t> body(head.begin(), head.end());
  const std::size_t extra = 100 + (sequence * 2654435761u) % 6000;
  for (std::size_t i = 0; i < extra; ++i) {
    body.push_back(static_cast<std::uint8_t>((sequence * 31 + i * 7) & 0xff));
  }
  return body;
}

}  // namespace linkmon::upload::testing
