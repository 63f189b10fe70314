#include "probe/probers/host_clock.h"

#include <sys/timex.h>

namespace linkmon::probers {

stamp::ErrorEstimate HostClockErrorEstimate(std::chrono::microseconds max_error) {
  timex status{};  // modes 0: read only
  int state = ::adjtimex(&status);
  bool synchronized = state != -1 && state != TIME_ERROR && (status.status & STA_UNSYNC) == 0 &&
                      status.maxerror <= max_error.count();
  // esterror is the kernel's estimate (microseconds); report at least 1 us.
  auto estimate =
      std::chrono::microseconds(state == -1 || status.esterror < 1 ? 1 : status.esterror);
  return stamp::ErrorEstimate::ForError(synchronized ? estimate : std::chrono::seconds(1),
                                        synchronized);
}

stamp::ErrorEstimate ClockErrorEstimate(ClockSyncSource source) {
  switch (source) {
    case ClockSyncSource::kAssumeSynchronized:
      return stamp::ErrorEstimate::ForError(std::chrono::microseconds(1), true);
    case ClockSyncSource::kAssumeUnsynchronized:
      return stamp::ErrorEstimate::ForError(std::chrono::seconds(1), false);
    case ClockSyncSource::kKernel:
      break;
  }
  return HostClockErrorEstimate();
}

}  // namespace linkmon::probers
