// libFuzzer target for the throughput control messages and test datagrams: any bytes decode or
// are refused with an error, never crash; the first byte picks the message kind. Seeds carry
// valid MACs for the corpus key (bytes 1..32), so the fuzzer reaches past the HMAC check.

#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "probe/bandwidth/throughput_messages.h"

namespace {

using namespace linkmon::bandwidth;

const linkmon::stamp::HmacKey& CorpusKey() {
  static const linkmon::stamp::HmacKey key = [] {
    std::array<std::uint8_t, 32> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i + 1);
    return *linkmon::stamp::HmacKey::FromBytes(bytes);
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t kind = data[0] % 4;
  std::span<const std::uint8_t> rest(data + 1, size - 1);
  const Nonce nonce{};
  switch (kind) {
    case 0:
      if (rest.size() >= kRequestBytes) {
        auto request = DecodeRequest(rest.first<kRequestBytes>(), CorpusKey());
        if (request) {
          auto again = EncodeRequest(*request, CorpusKey());
          if (!again || !std::equal(again->begin(), again->end(), rest.begin())) std::abort();
        }
      }
      break;
    case 1:
      if (rest.size() >= kResponseBytes) {
        (void)DecodeResponse(rest.first<kResponseBytes>(), nonce, CorpusKey());
      }
      break;
    case 2:
      if (rest.size() >= kReportBytes) {
        (void)DecodeReport(rest.first<kReportBytes>(), nonce, CorpusKey());
      }
      break;
    default:
      (void)DecodeDatagramHeader(rest, false);
      (void)DecodeDatagramHeader(rest, true);
  }
  return 0;
}
