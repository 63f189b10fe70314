#include "probe/probers/sent_probes.h"

namespace linkmon::probers {

void SentProbes::Add(std::uint32_t sequence, std::uint32_t transmit_id, const SentProbe& probe) {
  while (order_.size() >= capacity_) {
    const Entry& oldest = order_.front();
    auto found = by_sequence_.find(oldest.sequence);
    auto id = sequence_by_transmit_id_.find(oldest.transmit_id);
    if (id != sequence_by_transmit_id_.end() && id->second == oldest.sequence) {
      sequence_by_transmit_id_.erase(id);
    }
    if (found != by_sequence_.end()) by_sequence_.erase(found);
    order_.pop_front();
  }
  order_.push_back({sequence, transmit_id});
  by_sequence_[sequence] = probe;
  sequence_by_transmit_id_[transmit_id] = sequence;
}

SentProbe* SentProbes::Find(std::uint32_t sequence) {
  auto found = by_sequence_.find(sequence);
  return found == by_sequence_.end() ? nullptr : &found->second;
}

bool SentProbes::SetKernelTime(std::uint32_t transmit_id, SystemTime time) {
  auto id = sequence_by_transmit_id_.find(transmit_id);
  if (id == sequence_by_transmit_id_.end()) return false;
  SentProbe* probe = Find(id->second);
  if (probe == nullptr) return false;
  probe->kernel = time;
  sequence_by_transmit_id_.erase(id);
  return true;
}

}  // namespace linkmon::probers
