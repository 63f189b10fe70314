#include "collector/api/answer_cache.h"

#include <fmt/format.h>

namespace linkmon::api {

namespace {

std::int64_t UnixSecond(SystemTime time) {
  return std::chrono::floor<std::chrono::seconds>(time).time_since_epoch().count();
}

}  // namespace

const AnswerCache::Answer* AnswerCache::Get(const std::string& key, std::uint64_t version,
                                            SystemTime now, const Render& render) {
  const std::int64_t second = UnixSecond(now);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    Entry entry;
    entry.render = render;
    it = entries_.emplace(key, std::move(entry)).first;
  }
  Entry& entry = it->second;
  entry.asked_second = second;
  if (entry.version == version && entry.second == second) return &entry.answer;
  if (!RenderEntry(key, entry, version, now)) {
    entries_.erase(it);
    return nullptr;
  }
  return &entry.answer;
}

std::size_t AnswerCache::Refresh(std::uint64_t version, SystemTime now) {
  const std::int64_t second = UnixSecond(now);
  std::size_t rendered = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& entry = it->second;
    if (entry.asked_second < second - kIdleSeconds) {
      it = entries_.erase(it);
      continue;
    }
    const bool current = entry.version == version && entry.second == second;
    if (!current && entry.asked_second >= second - kHotSeconds) {
      if (!RenderEntry(it->first, entry, version, now)) {
        it = entries_.erase(it);
        continue;
      }
      ++rendered;
    }
    ++it;
  }
  return rendered;
}

bool AnswerCache::RenderEntry(const std::string& key, Entry& entry, std::uint64_t version,
                              SystemTime now) {
  std::optional<std::string> body = entry.render(now);
  if (!body) return false;
  const std::int64_t second = UnixSecond(now);
  entry.answer.body = std::make_shared<const std::string>(std::move(*body));
  entry.version = version;
  entry.second = second;
  entry.answer.etag = fmt::format("\"{}{}-{}-{:x}\"", etag_prefix_, version, second,
                                  std::hash<std::string>{}(key)&0xffffffu);
  return true;
}

}  // namespace linkmon::api
