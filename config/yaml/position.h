#pragma once

// Where something starts in a config file, counted from 1 as editors and compilers do. yaml-cpp
// counts lines and columns from 0; the conversion happens once, in the parser (parse.cpp), so no
// other code ever sees a 0-based mark.

#include <memory>
#include <string>

namespace linkmon::config::yaml {

struct Position {
  // Shared by every node of one file, so a node stays valid after the loader returns.
  std::shared_ptr<const std::string> file;
  int line = 0;    // 1-based; 0 when the problem concerns the whole file (cannot read it)
  int column = 0;  // 1-based; 0 together with line == 0
};

}  // namespace linkmon::config::yaml
