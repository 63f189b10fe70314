#include "exporters/prometheus/text_exposition.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

namespace linkmon::exporters {

std::string RenderTextExposition(
    const std::vector<std::weak_ptr<prometheus::Collectable>>& sources) {
  std::vector<prometheus::MetricFamily> families;
  for (const auto& weak : sources) {
    auto source = weak.lock();
    if (!source) continue;
    auto collected = source->Collect();
    families.insert(families.end(), std::make_move_iterator(collected.begin()),
                    std::make_move_iterator(collected.end()));
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace linkmon::exporters
