#pragma once

// GET /api/v1/rank?from=SITE&sla=CLASS[&method=icmp]: the targets that meet an SLA class from a
// site now, best first, with the margin to each threshold; and those that do not, with why.
//
// "Meets the class now" (docs/api.md says the same):
// - the path is measured from SITE (every target and method the site's probe measures; `method`
//   narrows it);
// - its data is fresh (state neither `stale` nor `unknown` for lack of data);
// - every threshold of CLASS that applies to the path's method (see threshold_judgement.h) holds
//   on its own window as of the newest closed minute, values at the limit included;
// - at least one threshold applies, and every one that applies has data.
// The class asked for need not be the path's configured class: a scheduler may ask which hubs
// would meet "metro" from Xining. Open breaches (of the path's own class) are reported, not
// judged.
//
// Best first: by headroom, the smallest relative margin over the class's thresholds
// (margin / limit; 0 for a met limit of 0), largest first; ties by target, then method.
//
// Answers are cached per (site, class, method) until a minute closes or the second changes.
// Not thread-safe, as PathStates.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "collector/sla/path_states.h"
#include "exporters/http/http_types.h"

namespace linkmon::api {

class RankEndpoint {
 public:
  explicit RankEndpoint(const sla::PathStates& states);

  exporters::HttpResponse Handle(const exporters::HttpRequest& request);

 private:
  const sla::PathStates& states_;
  std::uint64_t cache_version_ = 0;
  std::int64_t cache_second_ = -1;
  std::map<std::string, std::string> cache_;  // "site/class/method" -> body
};

}  // namespace linkmon::api
