#pragma once

// The emulator process of a running lab (`linkmon-lab up` starts it as `linkmon-lab emulate
// STATE_DIR`): one thread, one epoll loop over
//   - the NFQUEUE socket: packets entering the WAN, each decided by WanEmulator;
//   - a timerfd armed for the next release, WakeLead earlier than it;
//   - the control socket (`set`, `status`);
//   - a signalfd: SIGINT or SIGTERM ends the loop and removes the whole lab.
//
// Precision: the process asks for SCHED_FIFO (Topology::emulator.realtime_priority) so that a busy
// machine does not delay it, locks its memory, and sets its timer slack to 1 ns (the default
// 50 us slack would be added to every release). Delays are counted from the kernel's timestamp of
// the packet's arrival in the WAN namespace, so a late read costs no precision.

#include <memory>

#include "common/clock.h"
#include "common/result.h"
#include "lab/netns/lab_paths.h"
#include "lab/topology/topology.h"

namespace linkmon::lab {

class EmulatorDaemon {
 public:
  // Opens the NFQUEUE and raw sockets in the lab's WAN namespace, the control socket, and writes
  // the PID file.
  static Result<std::unique_ptr<EmulatorDaemon>> Start(const Topology& topology,
                                                       const Clock& clock);
  ~EmulatorDaemon();

  // Serves until SIGINT or SIGTERM (which must be blocked by the caller, so that the signalfd
  // receives them).
  Status Run();

 private:
  class Impl;
  explicit EmulatorDaemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace linkmon::lab
