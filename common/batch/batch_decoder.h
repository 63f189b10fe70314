#pragma once

// The two parses behind DecodeBatch (batch_codec.h, batch_decoder.cpp), for tests that hold them
// to one result: DecodeBatch takes simdjson for plain input, and this is nlohmann-json's SAX
// parse alone, the reference for every message. Internal to common/batch and its tests.

#include <string_view>

#include "common/batch/batch_codec.h"

namespace linkmon::batch::internal {

Result<Batch> DecodeWithReferenceParser(std::string_view json, const DecodeLimits& limits);

}  // namespace linkmon::batch::internal
