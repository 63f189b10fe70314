#pragma once

// MatrixRows: the rows of /api/v1/matrix (one JSON object per path) on one window, kept between
// answers so that an answer does not render 10,000 paths again every second.
//
// A row's figures, class, breach flag and last_data_time change only when a minute closes or the
// config is reloaded (PathStates::version) or the path's data arrives (its last_data_end); only
// its `sla_state` (stale or not) and `data_age_seconds` move with the clock. So each row is kept
// as text with those two values cut out, rendered again only when the version or the path's
// last_data_end changed, and an answer splices the values at `now` into it: the same bytes as a
// full render at `now` (tests/collector/api/matrix_rows_test.cpp compares them), for a copy and a
// number per path.
//
// Not thread-safe, as PathStates.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "collector/sla/path_states.h"

namespace linkmon::api {

class MatrixRows {
 public:
  MatrixRows(const sla::PathStates& states, std::size_t window_index);

  // Appends the rows of `paths` (a sub-range of states.paths()) at `now`, comma-separated, only
  // those of `method` when set.
  void Append(std::string& out, std::span<const sla::TrackedPath> paths,
              std::optional<Method> method, SystemTime now);

 private:
  struct Row {
    std::uint64_t version = 0;
    std::optional<SystemTime> data_end;
    bool rendered = false;
    // The row without its two clock-dependent values: they go at state_at and age_at.
    std::string text;
    std::uint32_t state_at = 0;
    std::uint32_t age_at = 0;
  };

  void RenderRow(const sla::TrackedPath& path, Row& row) const;

  const sla::PathStates& states_;
  std::size_t window_index_;
  std::vector<Row> rows_;  // by index in states.paths()
};

}  // namespace linkmon::api
