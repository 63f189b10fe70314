// Test helper for spool_crash_test.cpp: appends batches to a spool in a loop and prints each
// batch's sequence on stdout once its Append has returned (committed), so that the test knows
// what the spool promised before it kills this process with SIGKILL at a random moment.
//
//   probe_upload_spool_writer SPOOL_PATH FIRST_SEQUENCE COUNT

#include <cstdio>
#include <cstdlib>
#include <string>

#include <spdlog/spdlog.h>

#include "probe/upload/batch_spool.h"
#include "tests/probe/upload/spool_test_batches.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s SPOOL_PATH FIRST_SEQUENCE COUNT\n", argv[0]);
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  const std::uint64_t first = std::strtoull(argv[2], nullptr, 10);
  const std::uint64_t count = std::strtoull(argv[3], nullptr, 10);
  auto spool = linkmon::upload::BatchSpool::Open({.path = argv[1], .max_bytes = 1ull << 30});
  if (!spool) {
    std::fprintf(stderr, "open: %s\n", spool.error().message.c_str());
    return 1;
  }
  for (std::uint64_t seq = first; seq < first + count; ++seq) {
    const auto body = linkmon::upload::testing::CrashTestBatch(seq);
    if (auto appended = spool->Append(seq, body); !appended) {
      std::fprintf(stderr, "append %llu: %s\n", static_cast<unsigned long long>(seq),
                   appended.error().message.c_str());
      return 1;
    }
    std::printf("%llu\n", static_cast<unsigned long long>(seq));
    std::fflush(stdout);
  }
  return 0;
}
