#pragma once

// The emulator's random numbers: xoshiro256** seeded through splitmix64. The standard library's
// distributions are implementation-defined (libstdc++ and libc++ draw differently), so a seeded lab
// would not replay the same losses everywhere; these few lines do.

#include <array>
#include <cstdint>
#include <optional>

namespace linkmon::lab {

class Random {
 public:
  explicit Random(std::uint64_t seed);

  std::uint64_t Next();
  // Uniform in [0, 1), 53 bits.
  double Uniform();
  // True with `probability` (0 never draws: a disabled feature consumes no randomness).
  bool Chance(double probability);
  // Standard normal (Box–Muller; the second value of each pair is kept for the next call).
  double StandardNormal();

 private:
  std::array<std::uint64_t, 4> state_{};
  std::optional<double> spare_normal_;
};

// A direction's own seed, so that adding a link does not change what another link does.
std::uint64_t DirectionSeed(std::uint64_t topology_seed, int from_site, int to_site);

}  // namespace linkmon::lab
