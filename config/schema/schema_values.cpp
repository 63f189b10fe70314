#include "config/schema/schema.h"

namespace linkmon::config::schema {

std::optional<std::string> PathValue::operator()(const yaml::Node& node,
                                                 yaml::Diagnostics& diagnostics,
                                                 std::string_view what) const {
  auto text = yaml::StringValue{}(node, diagnostics, what);
  if (!text) return std::nullopt;
  if (text->find('\0') != std::string::npos) {
    diagnostics.Error(node, std::string(what) + ": a path cannot contain a NUL character");
    return std::nullopt;
  }
  std::filesystem::path path(*text);
  if (path.is_relative() && base_dir != nullptr && !base_dir->empty()) path = *base_dir / path;
  return path.lexically_normal().string();
}

std::optional<std::string> LabelValue::operator()(const yaml::Node& node,
                                                  yaml::Diagnostics& diagnostics,
                                                  std::string_view what) const {
  if (!yaml::ExpectScalar(node, diagnostics, what, "a name")) return std::nullopt;
  if (!IsValidName(node.scalar())) {
    diagnostics.Error(node, std::string(what) + ": '" + node.scalar() +
                                "' must be 1-63 characters of a-z, 0-9, '_' or '-', starting "
                                "with a letter or digit");
    return std::nullopt;
  }
  return node.scalar();
}

std::string FormatDurations(const std::vector<std::chrono::nanoseconds>& values) {
  std::string out;
  for (auto value : values) {
    if (!out.empty()) out += ", ";
    out += yaml::FormatConfigDuration(value);
  }
  return out;
}

}  // namespace linkmon::config::schema
