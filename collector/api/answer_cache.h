#pragma once

// AnswerCache: the rendered answers of one API endpoint (/matrix or /rank), by request ("window/
// from/method"), each valid for one PathStates version (minutes closed, config reloaded) and one
// wall-clock second (data ages and staleness move with the clock).
//
// Why it renders ahead. A scheduler asks many times a second; rendered by the first request of
// each second, that request paid the render (the p99 of the API at 100 requests/s). Refresh,
// called right after each second begins and after minutes closed (the collector's MinuteTicker),
// renders again every answer asked for in the last kHotSeconds, so the requests of the new second
// find it ready. Get still renders an answer that is not current (asked for the first time, cold,
// or asked before Refresh ran), so an answer is always the state of its version at a time within
// its second, as when requests rendered every answer.
//
// Bounded: an answer not asked for in kIdleSeconds is dropped at the next Refresh; keys are
// validated names (windows, configured sites, classes, methods), so at most their product is held.
//
// Not thread-safe: runs on the collector's io_context thread, as PathStates does.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"

namespace linkmon::api {

class AnswerCache {
 public:
  // The body of a key at `now`, or nullopt when the request can no longer be answered (its SLA
  // class was removed by a reload): Refresh then drops the key.
  using Render = std::function<std::optional<std::string>(SystemTime now)>;

  struct Answer {
    std::string etag;  // quoted, names the endpoint, version, second and key
    // Shared with the responses that send it (exporters/http/response_body.h): no copy per request.
    std::shared_ptr<const std::string> body;
  };

  // Answers asked for within this many seconds before a Refresh are rendered again by it.
  static constexpr std::int64_t kHotSeconds = 2;
  // Answers not asked for within this many seconds are dropped.
  static constexpr std::int64_t kIdleSeconds = 10;

  // `etag_prefix` tells the endpoints' tags apart ('m' matrix, 'r' rank).
  explicit AnswerCache(char etag_prefix) : etag_prefix_(etag_prefix) {}

  // The answer of `key` at `now` for PathStates `version`: the cached one when it is of this
  // version and second, else rendered now. Null when `render` refuses.
  const Answer* Get(const std::string& key, std::uint64_t version, SystemTime now,
                    const Render& render);

  // Renders every hot answer that is not of `version` and `now`'s second; drops idle ones.
  // Returns how many it rendered.
  std::size_t Refresh(std::uint64_t version, SystemTime now);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Render render;
    std::uint64_t version = 0;
    std::int64_t second = -1;  // of the answer; -1: none yet
    std::int64_t asked_second = 0;
    Answer answer;
  };

  // False when the render refused.
  bool RenderEntry(const std::string& key, Entry& entry, std::uint64_t version, SystemTime now);

  char etag_prefix_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace linkmon::api
