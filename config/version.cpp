#include "config/version.h"

namespace linkmon::config {

// LINKMON_VERSION is defined for this file only (config/CMakeLists.txt), so that a version bump
// recompiles one file.
std::string_view LinkmonVersion() { return LINKMON_VERSION; }

}  // namespace linkmon::config
