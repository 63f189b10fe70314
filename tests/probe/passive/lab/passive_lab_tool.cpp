// `passive_lab_tool ARGS...` is `linkmon-probe passive ARGS...`
// (probe/passive/passive_command.h) until the probe's main wires that
// subcommand.

#include <iostream>

#include "probe/passive/passive_command.h"

int main(int argc, char **argv) {
  return linkmon::passive::RunPassiveCommand(argc, argv, std::cout, std::cerr);
}
