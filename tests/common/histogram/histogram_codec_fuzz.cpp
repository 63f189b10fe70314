// Fuzz target for DeserializeHistogram, the parser of histograms arriving from probes and from
// the collector's store. Beyond "never crashes" (ASan/UBSan), it checks the decoder's contract:
//   1. whatever is accepted re-encodes to exactly the input (one encoding per histogram);
//   2. an accepted histogram answers every query and merges with itself.
// The input is also decoded with its checksum recomputed, so that the fuzzer explores the
// structural checks and the accepted path without having to forge a CRC-32C.
//
// Seed corpus: tests/common/histogram/corpus/histogram_codec/ (written by histogram_codec_test).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "common/histogram/histogram_codec.h"

namespace {

using linkmon::histogram::Crc32c;
using linkmon::histogram::DeserializeHistogram;
using linkmon::histogram::LogHistogram;
using linkmon::histogram::SerializeHistogram;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckAccepted(std::span<const std::uint8_t> input, const LogHistogram& histogram) {
  const std::vector<std::uint8_t> encoded = SerializeHistogram(histogram);
  Check(encoded.size() == input.size() &&
        std::equal(encoded.begin(), encoded.end(), input.begin()));
  for (double q : {0.0, 0.01, 0.5, 0.99, 0.999, 1.0}) {
    Check(histogram.Quantile(q).has_value() != histogram.Empty());
  }
  (void)histogram.Mean();
  LogHistogram doubled = histogram;
  if (doubled.Merge(histogram)) Check(doubled.Count() == 2 * histogram.Count());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  if (auto histogram = DeserializeHistogram(input)) CheckAccepted(input, *histogram);

  // The same bytes with a correct checksum in place of the last four.
  if (size >= 4) {
    std::vector<std::uint8_t> fixed(data, data + size);
    const std::uint32_t crc = Crc32c(std::span(fixed).first(size - 4));
    for (std::size_t i = 0; i < 4; ++i)
      fixed[size - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
    if (auto histogram = DeserializeHistogram(fixed)) CheckAccepted(fixed, *histogram);
  }
  return 0;
}
