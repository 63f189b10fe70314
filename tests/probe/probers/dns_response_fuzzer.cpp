// libFuzzer target for the DNS response parser: any datagram from the network must parse or be
// refused with an error, never crash or read out of bounds; a parsed question name must be one
// the query encoder could have written (so a match can only come from a real echo).

#include <cstdint>
#include <cstdlib>
#include <span>

#include "probe/probers/dns_message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto response = linkmon::probers::ParseDnsResponse(std::span<const std::uint8_t>(data, size));
  if (response && response->question.name.size() > 253) std::abort();
  return 0;
}
