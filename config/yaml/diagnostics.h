#pragma once

// Problems found in a config file, each tied to a position, so that one run reports every mistake
// instead of the first one. Readers add to a Diagnostics and carry on; the caller decides at the
// end whether anything was wrong.

#include <cstddef>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "config/yaml/position.h"

namespace linkmon::config::yaml {

class Node;

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 for whole-file problems
  int column = 0;  // 1-based
  std::string message;

  // "file:line:column: message", or "file: message" for whole-file problems.
  std::string ToString() const;
  bool operator==(const Diagnostic&) const = default;
};

// Collects diagnostics. Not thread-safe; one per load.
class Diagnostics {
 public:
  // A broken file (or an alias bomb) can hold millions of mistakes; nobody reads past the first
  // thousand, and keeping them all would let a hostile file exhaust memory.
  static constexpr std::size_t kMaxDiagnostics = 1000;

  void Error(const Position& position, std::string message);
  void Error(const Node& node, std::string message);
  // A problem with the file as a whole ("cannot open").
  void FileError(std::string file, std::string message);

  bool empty() const { return diagnostics_.empty(); }
  std::size_t size() const { return diagnostics_.size(); }

  // In file order (by line, then column; files in the order first seen), problems at the same
  // position in the order found. A problem found twice (a bad value reached through two YAML
  // aliases) is listed once. Past kMaxDiagnostics, a last line says how many more were found.
  std::vector<Diagnostic> Sorted() const;
  // Sorted(), each as ToString().
  std::vector<std::string> SortedStrings() const;

 private:
  void Add(Diagnostic diagnostic);

  std::vector<Diagnostic> diagnostics_;
  std::set<std::tuple<std::string, int, int, std::string>> seen_;
  std::size_t dropped_ = 0;
};

}  // namespace linkmon::config::yaml
