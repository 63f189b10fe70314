#pragma once

// Batch: what a probe uploads to the collector in one POST /api/v1/ingest, and what the collector
// stores. It carries interval summaries (not per-packet records) of the probe's paths.
//
// Identity: (probe, probe_start, sequence) names a batch for ever. `probe_start` is the wall time
// at which the probe began numbering (its process or spool start), so a probe that loses its
// counter starts a new epoch instead of reusing numbers; the collector writes this key in the same
// transaction as the data, so a retried batch is acknowledged again but applied once.
//
// The wire format is in batch_codec.h.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/stats/interval_summary.h"
#include "common/units.h"

namespace linkmon::batch {

// One path's measurements over one interval.
struct PathSummary {
  // path.source is always the batch's probe: a probe measures from its own site.
  PathKey path;
  stats::IntervalSummary summary;
  // Throughput a bandwidth test achieved in the interval (method throughput); nullopt otherwise.
  std::optional<Bandwidth> throughput;

  bool operator==(const PathSummary&) const = default;
};

struct Batch {
  SiteName probe;              // the probe's site; must match the bearer token's site
  SystemTime probe_start{};    // epoch of the sequence numbers (see above)
  std::uint64_t sequence = 0;  // increases by one per batch within an epoch
  SystemTime created{};        // when the probe sealed the batch (wall clock)
  std::vector<PathSummary> summaries;

  bool operator==(const Batch&) const = default;
};

}  // namespace linkmon::batch
