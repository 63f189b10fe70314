#pragma once

// Per-site files from a config that every probe shares. `probe.token_file` and `probe.spool.path`
// may contain "{site}", replaced by the probe's own site, so that one file serves a fleet
// ("/etc/linkmon/{site}.token") and several probes on one host (the lab, the demo) keep separate
// spools.

#include <string>
#include <string_view>

#include "common/ids.h"
#include "common/result.h"

namespace linkmon::probe {

// Every "{site}" in `pattern` replaced by the site's name.
std::string ExpandSitePath(std::string_view pattern, const SiteName& site);

// The bearer token in `path`: the file's content less surrounding white space;
// refused when the file cannot be read, is readable or writable by group or
// others, or holds fewer than 16 characters. Messages name the file.
Result<std::string> ReadTokenFile(const std::string& path);

}  // namespace linkmon::probe
