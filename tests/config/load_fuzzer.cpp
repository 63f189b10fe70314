// libFuzzer target: LoadConfigString over arbitrary bytes must return a Config or diagnostics,
// never crash, hang or leak (ASan and UBSan watch in the sanitizer build).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/load.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = linkmon::config::LoadConfigString(text, "fuzz/linkmon.yaml");
  if (!result) {
    std::size_t total = 0;
    for (const auto& diagnostic : result.error()) total += diagnostic.ToString().size();
    if (total == 0) __builtin_trap();  // every refusal says why
  }
  return 0;
}
