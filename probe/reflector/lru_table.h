#pragma once

// A map with a fixed capacity that forgets its least recently used entry to make room, for the
// reflector's per-source and per-session state: outside senders decide how many keys exist, so
// the state they can make the reflector hold must be bounded. Not thread-safe.

#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace linkmon::reflector {

template <typename Key, typename Value, typename Hash>
class LruTable {
 public:
  explicit LruTable(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // The entry for `key`, now the most recently used; nullptr when absent.
  Value* Find(const Key& key) {
    auto found = index_.find(key);
    if (found == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, found->second);
    return &found->second->second;
  }

  struct Inserted {
    Value* value;
    bool evicted;  // the table was full and its least recently used entry was dropped
  };

  // Adds an entry for a key that is not present (Find first).
  Inserted Insert(const Key& key, Value value) {
    bool evicted = false;
    if (index_.size() >= capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
      evicted = true;
    }
    order_.emplace_front(key, std::move(value));
    index_.emplace(key, order_.begin());
    return {&order_.front().second, evicted};
  }

  // Drops least recently used entries while `stale(value)` holds; returns how many.
  template <typename Predicate>
  std::size_t DropStale(Predicate stale) {
    std::size_t dropped = 0;
    while (!order_.empty() && stale(order_.back().second)) {
      index_.erase(order_.back().first);
      order_.pop_back();
      ++dropped;
    }
    return dropped;
  }

  std::size_t size() const { return index_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  using Entry = std::pair<Key, Value>;

  std::size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<Key, typename std::list<Entry>::iterator, Hash> index_;
};

}  // namespace linkmon::reflector
