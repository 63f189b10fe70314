// Fuzz target for DecodeBatch, the parser of every upload the collector receives. Beyond "never
// crashes" (ASan/UBSan), it checks the codec's contract: whatever is accepted encodes to text
// that decodes to the same batch, and both parsers behind DecodeBatch (batch_decoder.h) give one
// result.
//
// Seed corpus: tests/common/batch/corpus/batch_codec/ (written by batch_codec_test with
// LINKMON_WRITE_CORPUS set).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/batch/batch_codec.h"
#include "common/batch/batch_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const linkmon::batch::DecodeLimits limits{.max_summaries = 64};
  auto batch = linkmon::batch::DecodeBatch(text, limits);
  auto reference = linkmon::batch::internal::DecodeWithReferenceParser(text, limits);
  if (batch.has_value() != reference.has_value()) std::abort();
  if (batch && !(*batch == *reference)) std::abort();
  if (!batch && batch.error().message != reference.error().message) std::abort();
  if (batch) {
    auto again = linkmon::batch::DecodeBatch(linkmon::batch::EncodeBatch(*batch));
    if (!again || !(*again == *batch)) std::abort();
  }
  return 0;
}
