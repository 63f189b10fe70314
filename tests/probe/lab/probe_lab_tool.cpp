// A stand-in for the probe binary in lab tests, until linkmon-probe's main wires `measure` and
// `--reflector-only`: the same library code behind a minimal command line.
//
//   probe_lab_tool measure ARGS...     (probe/probers/measure_command.h)
//   probe_lab_tool reflector --listen ADDR --port N [--allow PREFIX]... [--clock synchronized]
//
// The reflector runs until SIGTERM or SIGINT and prints "ready" once listening.

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "probe/probers/host_clock.h"
#include "probe/probers/measure_command.h"
#include "probe/reflector/stamp_reflector.h"

namespace {

int RunReflector(int argc, char** argv) {
  using namespace linkmon;
  reflector::ReflectorOptions options;
  std::string listen = "::";
  unsigned port = 862;
  bool synchronized = false;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    std::string value = argv[i + 1];
    if (key == "--listen") {
      listen = value;
    } else if (key == "--port") {
      port = static_cast<unsigned>(std::stoul(value));
    } else if (key == "--allow") {
      auto prefix = net::IpPrefix::Parse(value);
      if (!prefix) {
        std::cerr << prefix.error().message << "\n";
        return 2;
      }
      options.allowed_sources.push_back(*prefix);
    } else if (key == "--clock") {
      synchronized = value == "synchronized";
    } else {
      std::cerr << "unknown option " << key << "\n";
      return 2;
    }
  }
  options.listen = {boost::asio::ip::make_address(listen), static_cast<std::uint16_t>(port)};
  options.per_source = {.packets_per_second = 5'000, .burst = 1'000};
  boost::asio::io_context io;
  RealClock clock;
  auto reflector = reflector::StampReflector::Start(io, clock, options);
  if (!reflector) {
    std::cerr << reflector.error().message << "\n";
    return 1;
  }
  (*reflector)
      ->SetClockErrorEstimate(
          probers::ClockErrorEstimate(synchronized ? probers::ClockSyncSource::kAssumeSynchronized
                                                   : probers::ClockSyncSource::kKernel));
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  std::cout << "ready" << std::endl;
  io.run();
  const auto& counters = (*reflector)->counters();
  std::cout << "received " << counters.received_packets << " reflected "
            << counters.reflected_packets << " refused " << counters.refused_total() << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "measure") == 0) {
    return linkmon::probers::RunMeasureCommand(argc - 1, argv + 1, std::cout, std::cerr);
  }
  if (argc >= 2 && std::strcmp(argv[1], "reflector") == 0) return RunReflector(argc, argv);
  std::cerr << "usage: probe_lab_tool measure ... | reflector ...\n";
  return 2;
}
