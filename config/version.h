#pragma once

#include <string_view>

namespace linkmon::config {

// The project's version, from CMake's PROJECT_VERSION ("0.1.0").
std::string_view LinkmonVersion();

}  // namespace linkmon::config
