#include "config/yaml/diagnostics.h"

#include <algorithm>

#include "config/yaml/node.h"

namespace linkmon::config::yaml {

std::string Diagnostic::ToString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

void Diagnostics::Error(const Position& position, std::string message) {
  Add(Diagnostic{.file = position.file ? *position.file : std::string("<input>"),
                 .line = position.line,
                 .column = position.column,
                 .message = std::move(message)});
}

void Diagnostics::Error(const Node& node, std::string message) {
  Error(node.position(), std::move(message));
}

void Diagnostics::FileError(std::string file, std::string message) {
  Add(Diagnostic{.file = std::move(file), .line = 0, .column = 0, .message = std::move(message)});
}

void Diagnostics::Add(Diagnostic diagnostic) {
  auto key =
      std::make_tuple(diagnostic.file, diagnostic.line, diagnostic.column, diagnostic.message);
  if (seen_.contains(key)) return;
  if (diagnostics_.size() >= kMaxDiagnostics) {
    ++dropped_;
    return;
  }
  seen_.insert(std::move(key));
  diagnostics_.push_back(std::move(diagnostic));
}

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<std::string> files;
  std::vector<std::size_t> ranks;
  ranks.reserve(diagnostics_.size());
  for (const auto& d : diagnostics_) {
    auto it = std::find(files.begin(), files.end(), d.file);
    if (it == files.end()) it = files.insert(files.end(), d.file);
    ranks.push_back(static_cast<std::size_t>(it - files.begin()));
  }

  std::vector<std::size_t> order(diagnostics_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& da = diagnostics_[a];
    const auto& db = diagnostics_[b];
    return std::tie(ranks[a], da.line, da.column) < std::tie(ranks[b], db.line, db.column);
  });

  std::vector<Diagnostic> sorted;
  sorted.reserve(order.size() + 1);
  for (std::size_t index : order) sorted.push_back(diagnostics_[index]);
  if (dropped_ > 0) {
    sorted.push_back(Diagnostic{.file = files.front(),
                                .line = 0,
                                .column = 0,
                                .message = std::to_string(dropped_) + " more problems not shown"});
  }
  return sorted;
}

std::vector<std::string> Diagnostics::SortedStrings() const {
  std::vector<std::string> out;
  for (const auto& d : Sorted()) out.push_back(d.ToString());
  return out;
}

}  // namespace linkmon::config::yaml
