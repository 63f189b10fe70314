// libFuzzer target: any bytes as a topology file. The loader must answer with a topology or
// diagnostics, never crash, hang or exhaust memory (config/yaml bounds size, nesting and aliases).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lab/topology/topology_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  linkmon::config::yaml::Diagnostics diagnostics;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto topology = linkmon::lab::ParseTopology(text, "fuzz.yaml", diagnostics);
  // Either a topology or at least one reason why not.
  if (!topology && diagnostics.empty()) __builtin_trap();
  return 0;
}
