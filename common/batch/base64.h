#pragma once

// Base64 (RFC 4648 section 4, standard alphabet, '=' padding) for binary fields in JSON batches:
// the histograms travel as base64 of their binary codec (common/histogram/histogram_codec.h).
//
// Decoding is strict, because the input is outside input and every value should have one
// spelling: only the standard alphabet, length a multiple of 4, padding only at the end, and the
// unused bits of the last symbol zero (RFC 4648 section 3.5). Anything else is kParse.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace linkmon::batch {

std::string EncodeBase64(std::span<const std::uint8_t> bytes);
// The same, appended to `out` (encoders that write a document in place).
void AppendBase64(std::string& out, std::span<const std::uint8_t> bytes);

Result<std::vector<std::uint8_t>> DecodeBase64(std::string_view text);
// As DecodeBase64, into `out` (cleared first), so that a caller decoding many values reuses one
// buffer.
Status DecodeBase64Into(std::string_view text, std::vector<std::uint8_t>& out);

}  // namespace linkmon::batch
