#pragma once

// The `reflector:` section of the config (config::ReflectorSettings) as ReflectorOptions. The
// config's per-source rate becomes the per-source limit with a burst of one second's worth (at
// least 10 packets); the other limits keep ReflectorOptions' defaults. Validate still runs at
// Start, so the config's default listen address (0.0.0.0:862) without allowed_sources or key_file
// is refused there, by design.

#include "common/result.h"
#include "config/config.h"
#include "probe/reflector/reflector_options.h"

namespace linkmon::reflector {

Result<ReflectorOptions> ReflectorOptionsFromConfig(const config::ReflectorSettings& settings);

}  // namespace linkmon::reflector
