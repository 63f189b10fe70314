#pragma once

// Breach events for the API, wherever they are: PathStates' memory (open breaches and the newest
// closed ones) merged with the archive's closed ones (the history store: every closed breach of
// the retention, also from before a restart), deduplicated by id (memory wins: it is the newest
// word), in (start, id) order, one page at a time.
//
// Paging: at most `limit` events; when more match, `next` is the position to continue after
// (given back as `after`). A cursor is "<start unix seconds>_<id>" (CursorText, ParseCursor).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/sla/path_states.h"
#include "collector/sla/sla_history.h"
#include "common/result.h"

namespace linkmon::api {

struct BreachPage {
  std::vector<sla::BreachEvent> events;
  std::optional<sla::BreachArchive::Position> next;  // set when more events match
};

// `archive` may be null (memory only). Errors: the archive's (kIo, kCorrupt).
Result<BreachPage> LookUpBreaches(const sla::PathStates& states, sla::BreachArchive* archive,
                                  const sla::BreachQuery& query,
                                  const std::optional<sla::BreachArchive::Position>& after,
                                  std::size_t limit);

std::string CursorText(const sla::BreachArchive::Position& position);
// kInvalidArgument, naming `name`, for text CursorText did not make.
Result<sla::BreachArchive::Position> ParseCursor(std::string_view name, std::string_view text);

}  // namespace linkmon::api
