// libFuzzer target for the STAMP packet decoders: any datagram must decode or be refused with an
// error, never crash or read out of bounds; a decoded packet must re-encode to a datagram that
// decodes to the same fields.

#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "probe/stamp/stamp_packet.h"

namespace {

using linkmon::stamp::HmacKey;
using linkmon::stamp::StampCodec;

// The key of the seed corpus's authenticated packets (bytes 1..32).
HmacKey CorpusKey() {
  std::array<std::uint8_t, 32> key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i + 1);
  return *HmacKey::FromBytes(key);
}

template <typename Decode, typename Encode>
void CheckRoundTrip(std::span<const std::uint8_t> datagram, Decode decode, Encode encode) {
  auto first = decode(datagram);
  if (!first) return;
  std::vector<std::uint8_t> again(datagram.size());
  if (!encode(*first, std::span<std::uint8_t>(again))) std::abort();
  auto second = decode(std::span<const std::uint8_t>(again));
  if (!second || !(*second == *first)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const StampCodec kPlain = StampCodec::Unauthenticated();
  static const StampCodec kAuthenticated = StampCodec::Authenticated(CorpusKey());
  std::span<const std::uint8_t> datagram(data, size);
  for (const StampCodec* codec : {&kPlain, &kAuthenticated}) {
    CheckRoundTrip(
        datagram, [codec](auto bytes) { return codec->DecodeSender(bytes); },
        [codec](const auto& packet, auto out) { return codec->EncodeSender(packet, out); });
    CheckRoundTrip(
        datagram, [codec](auto bytes) { return codec->DecodeReflector(bytes); },
        [codec](const auto& packet, auto out) { return codec->EncodeReflector(packet, out); });
  }
  return 0;
}
