#include "probe/reflector/replay_window.h"

#include <algorithm>
#include <bit>

namespace linkmon::reflector {

namespace {

constexpr std::uint32_t kMinSize = 64;
constexpr std::uint32_t kMaxSize = 65536;

}  // namespace

ReplayWindow::ReplayWindow(std::uint32_t size)
    : size_(std::bit_ceil(std::clamp(size, kMinSize, kMaxSize))), bits_(size_ / 64, 0) {}

bool ReplayWindow::Test(std::uint32_t sequence) const {
  std::uint32_t index = sequence & (size_ - 1);
  return (bits_[index / 64] >> (index % 64)) & 1U;
}

void ReplayWindow::Set(std::uint32_t sequence) {
  std::uint32_t index = sequence & (size_ - 1);
  bits_[index / 64] |= std::uint64_t{1} << (index % 64);
}

void ReplayWindow::Clear(std::uint32_t sequence) {
  std::uint32_t index = sequence & (size_ - 1);
  bits_[index / 64] &= ~(std::uint64_t{1} << (index % 64));
}

ReplayWindow::Verdict ReplayWindow::Accept(std::uint32_t sequence) {
  if (!started_) {
    started_ = true;
    highest_ = sequence;
    Set(sequence);
    return Verdict::kNew;
  }
  // Distance ahead of the highest number seen, modulo 2^32: in (0, 2^31) is ahead.
  std::uint32_t ahead = sequence - highest_;
  if (ahead != 0 && ahead < 0x8000'0000U) {
    if (ahead >= size_) {
      std::fill(bits_.begin(), bits_.end(), 0);
    } else {
      // Forget the numbers that slide out of the window: their slots now stand for new ones.
      for (std::uint32_t n = highest_ + 1; n != sequence; ++n) Clear(n);
    }
    highest_ = sequence;
    Set(sequence);
    return Verdict::kNew;
  }
  std::uint32_t behind = highest_ - sequence;
  if (behind >= size_) return Verdict::kTooOld;
  if (Test(sequence)) return Verdict::kRepeat;
  Set(sequence);
  return Verdict::kNew;
}

}  // namespace linkmon::reflector
