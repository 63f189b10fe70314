#include "collector/api/breach_lookup.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "collector/api/query_params.h"

namespace linkmon::api {

namespace {

bool IsAfter(const sla::BreachEvent& event, const sla::BreachArchive::Position& position) {
  return event.start > position.start || (event.start == position.start && event.id > position.id);
}

bool Ordered(const sla::BreachEvent& a, const sla::BreachEvent& b) {
  return a.start < b.start || (a.start == b.start && a.id < b.id);
}

}  // namespace

Result<BreachPage> LookUpBreaches(const sla::PathStates& states, sla::BreachArchive* archive,
                                  const sla::BreachQuery& query,
                                  const std::optional<sla::BreachArchive::Position>& after,
                                  std::size_t limit) {
  std::vector<sla::BreachEvent> events = states.BreachesBetween(query);
  if (after) {
    std::erase_if(events, [&](const sla::BreachEvent& event) { return !IsAfter(event, *after); });
  }
  if (archive != nullptr) {
    // One more than a page: with memory's events merged in, the first limit + 1 are then exact.
    auto stored = archive->ClosedBreaches(query, after, limit + 1);
    if (!stored) return tl::unexpected(stored.error());
    std::set<std::string_view> in_memory;
    for (const auto& event : events) in_memory.insert(event.id);
    std::vector<sla::BreachEvent> only_stored;
    for (auto& event : *stored) {
      if (!in_memory.contains(event.id)) only_stored.push_back(std::move(event));
    }
    events.insert(events.end(), std::make_move_iterator(only_stored.begin()),
                  std::make_move_iterator(only_stored.end()));
  }
  std::sort(events.begin(), events.end(), Ordered);
  BreachPage page;
  if (events.size() > limit) {
    events.erase(events.begin() + static_cast<std::ptrdiff_t>(limit), events.end());
    page.next = sla::BreachArchive::Position{events.back().start, events.back().id};
  }
  page.events = std::move(events);
  return page;
}

std::string CursorText(const sla::BreachArchive::Position& position) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(position.start.time_since_epoch()).count();
  return std::to_string(seconds) + "_" + position.id;
}

Result<sla::BreachArchive::Position> ParseCursor(std::string_view name, std::string_view text) {
  const std::size_t split = text.find('_');
  std::int64_t seconds = 0;
  if (split != std::string_view::npos && split > 0 && split + 1 < text.size()) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + split, seconds);
    const auto start = FromUnixSeconds(seconds);
    if (error == std::errc() && end == text.data() + split && start) {
      return sla::BreachArchive::Position{*start, std::string(text.substr(split + 1))};
    }
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(name) + ": expected the next_cursor of an earlier answer, got '" +
                       std::string(text) + "'");
}

}  // namespace linkmon::api
