#pragma once

// Reading the kernel's transmit timestamps (SOF_TIMESTAMPING_TX_SOFTWARE) with as few system
// calls as possible: on a virtual machine each costs tens of microseconds, more than the rest of
// a probe. The software stamp is usually queued before sendto() returns, so a prober reads it
// right after sending, which spares the extra wake-up its error-queue entry would cause; later it
// reads the error queue only while some stamp is still outstanding. That is also what keeps the
// socket from staying readable (POLLERR) with an unread stamp: `outstanding` counts every sent
// datagram whose stamp has not been read, so a queued stamp always means outstanding > 0.

#include <cstddef>
#include <cstdint>

#include "probe/probers/sent_probes.h"

namespace linkmon::probers {

class TransmitStamps {
 public:
  // Call after each datagram the socket sent (with TX timestamping on).
  void OnSent() { ++outstanding_; }

  // Reads up to `limit` queued stamps of `fd` into `sent` when any can be queued; returns how
  // many were attached to remembered probes.
  std::size_t Collect(int fd, SentProbes& sent, std::size_t limit);

  std::uint32_t outstanding() const { return outstanding_; }

 private:
  std::uint32_t outstanding_ = 0;
};

}  // namespace linkmon::probers
