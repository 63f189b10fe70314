#pragma once

// Feeds an applied batch (one the store just committed) into PathStates: every interval summary
// through Apply, every bandwidth-test result through ApplyThroughput, filed under the minute its
// interval starts in, as the store files it (store/minute_record.h), so that a live run and a
// rebuild from the store see the same minutes.
//
// A summary PathStates refuses (a path the config dropped between the store's check and now, data
// older than the longest window) is already stored: it is evidence in the history, it just does
// not move the live windows. Such refusals are counted in the result, not treated as failures.

#include <cstddef>
#include <string>

#include "collector/sla/path_states.h"
#include "common/batch/batch.h"

namespace linkmon::collector {

struct FeedResult {
  std::size_t on_time = 0;    // entered a minute that had not closed yet
  std::size_t late = 0;       // entered the windows of a minute already judged (verdict stands)
  std::size_t refused = 0;    // PathStates refused it (see above)
  std::string first_refusal;  // PathStates' message for the first refused summary
};

FeedResult FeedBatch(sla::PathStates& states, const batch::Batch& batch);

}  // namespace linkmon::collector
