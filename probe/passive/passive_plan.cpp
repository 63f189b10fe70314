#include "probe/passive/passive_plan.h"

#include <algorithm>

namespace linkmon::passive {

std::vector<PassiveCapturePlan> PlanPassiveCaptures(const config::ProbeSite& probe) {
  std::vector<PassiveCapturePlan> plans;
  for (const config::Target& target : probe.targets) {
    if (!target.passive) continue;
    auto plan = std::find_if(plans.begin(), plans.end(), [&](const PassiveCapturePlan& p) {
      return p.capture.interface == target.passive->interface;
    });
    if (plan == plans.end()) {
      plans.push_back(PassiveCapturePlan{
          .capture = {.interface = target.passive->interface, .filter = target.passive->filter},
          .prefixes = {}});
      plan = plans.end() - 1;
    } else if (plan->capture.filter != target.passive->filter) {
      // An empty filter captures everything, so the union is everything too.
      plan->capture.filter =
          plan->capture.filter.empty() || target.passive->filter.empty()
              ? ""
              : "(" + plan->capture.filter + ") or (" + target.passive->filter + ")";
    }
    if (target.passive->prefixes.empty()) {
      plan->prefixes.push_back(
          SitePrefix{target.name, target.address, target.address.is_v4() ? 32 : 128});
    }
    for (const config::IpPrefix& prefix : target.passive->prefixes) {
      plan->prefixes.push_back(SitePrefix{target.name, prefix.address, prefix.length});
    }
  }
  return plans;
}

}  // namespace linkmon::passive
