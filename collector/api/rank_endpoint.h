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
// Answers are cached per (site, class, method) until a minute closes or the second changes, and
// rendered again by Refresh right after the second begins while clients ask for them
// (answer_cache.h), so that no request waits for the render.
// Not thread-safe, as PathStates.

#include <cstddef>
#include <optional>
#include <string>

#include "collector/api/answer_cache.h"
#include "collector/sla/path_states.h"
#include "exporters/http/http_types.h"

namespace linkmon::api {

class RankEndpoint {
 public:
  explicit RankEndpoint(const sla::PathStates& states);

  exporters::HttpResponse Handle(const exporters::HttpRequest& request);

  // Renders the answers asked for in the last seconds again for the clock's present second and
  // PathStates' version (AnswerCache::Refresh). Returns how many it rendered.
  std::size_t Refresh();

 private:
  const sla::PathStates& states_;
  AnswerCache cache_{'r'};  // by "site/class/method"
};

// The body of /rank for `site` and `sla_class` at `now`, uncached: for the cache, tests and the
// benchmark.
std::string RenderRank(const sla::PathStates& states, const SiteName& site,
                       const config::SlaClass& sla_class, std::optional<Method> method,
                       SystemTime now);

}  // namespace linkmon::api
