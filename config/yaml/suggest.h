#pragma once

// "Did you mean ...?" for misspelt keys, enum values and references to names.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace linkmon::config::yaml {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// adjacent characters each cost 1 ("intervall" -> "interval" and "dcsp" -> "dscp" are both 1).
std::size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word` when it is near enough to be a typo of it: at most 1 edit for
// words of up to 3 characters, 2 up to 7, 3 beyond. Ties go to the earlier candidate.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        std::span<const std::string> candidates);

// "; did you mean 'interval'?" when there is a close match, else "".
std::string DidYouMean(std::string_view word, std::span<const std::string> candidates);

// "a, b, c" (for "expected one of: ...").
std::string JoinNames(std::span<const std::string> names);

}  // namespace linkmon::config::yaml
