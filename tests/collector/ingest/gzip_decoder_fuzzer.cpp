// Fuzz target for Gunzip (collector/ingest/gzip_decoder.h), which inflates every gzip upload
// before the batch parser sees it. Beyond "never crashes" (ASan/UBSan), it checks the bound and
// the round trip: an accepted body never inflates past max_output, and what it inflated to,
// compressed again, inflates to the same bytes.
//
// Seed corpus: tests/collector/ingest/corpus/gzip/ (small gzip members, one of them a
// long run of zeros that inflates past the bound).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collector/ingest/gzip_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kMaxOutput = 64 * 1024;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto plain = linkmon::ingest::Gunzip(body, kMaxOutput);
  if (!plain) return 0;
  if (plain->size() > kMaxOutput) std::abort();
  const auto again = linkmon::ingest::Gunzip(linkmon::ingest::Gzip(*plain), kMaxOutput);
  if (!again || *again != *plain) std::abort();
  return 0;
}
