#include "probe/probers/transmit_stamps.h"

#include "probe/net/datagram_io.h"

namespace linkmon::probers {

std::size_t TransmitStamps::Collect(int fd, SentProbes& sent, std::size_t limit) {
  std::size_t attached = 0;
  for (std::size_t i = 0; i < limit && outstanding_ > 0; ++i) {
    Result<net::TransmitTimestamp> stamp = net::ReadTransmitTimestamp(fd);
    if (!stamp) {
      if (stamp.error().code == ErrorCode::kUnavailable) break;
      continue;  // an error-queue entry that is not a timestamp; it was consumed
    }
    --outstanding_;
    if (sent.SetKernelTime(stamp->id, stamp->time)) ++attached;
  }
  return attached;
}

}  // namespace linkmon::probers
