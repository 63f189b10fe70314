#pragma once

// Where something starts in a config file, counted from 1 as editors and compilers do. yaml-cpp
// counts lines and columns from 0; the conversion happens once, in the parser (parse.cpp), so no
// other code ever sees a 0-based mark.

#include <string>

namespace linkmon::config::yaml {

struct Position {
  // The file's name, held once per tree by the tree (node.h): a Node's position() points at it,
  // and the name lives as long as any Node of that tree does. nullptr: no file ("<input>").
  const std::string* file = nullptr;
  int line = 0;    // 1-based; 0 when the problem concerns the whole file (cannot read it)
  int column = 0;  // 1-based; 0 together with line == 0
};

}  // namespace linkmon::config::yaml
