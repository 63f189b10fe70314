// Stands in for linkmon-probe in the throughput lab tests until its main wires these:
//
//   throughput_lab_tool measure ARGS...   (probe/bandwidth/throughput_command.h)
//   throughput_lab_tool responder --port N --key-file FILE --allow PREFIX [--max-rate 1Gbps]
//
// The responder listens on [::] (IPv4 too) until SIGTERM or SIGINT and prints "ready".

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>
#include <string>

#include "common/clock.h"
#include "common/units.h"
#include "probe/bandwidth/throughput_command.h"
#include "probe/bandwidth/throughput_responder.h"

namespace {

int RunResponder(int argc, char** argv) {
  using namespace linkmon;
  bandwidth::ThroughputResponderOptions options;
  options.max_rate = Bandwidth{1'000'000'000};
  options.max_duty_cycle = 1;
  std::string key_file;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--port") {
      options.listen.port(static_cast<std::uint16_t>(std::stoul(value)));
    } else if (key == "--key-file") {
      key_file = value;
    } else if (key == "--allow") {
      auto prefix = net::IpPrefix::Parse(value);
      if (!prefix) {
        std::cerr << prefix.error().message << "\n";
        return 2;
      }
      options.allowed_sources.push_back(*prefix);
    } else if (key == "--max-rate") {
      auto rate = ParseBandwidth(value);
      if (!rate) {
        std::cerr << rate.error().message << "\n";
        return 2;
      }
      options.max_rate = *rate;
    } else {
      std::cerr << "unknown option " << key << "\n";
      return 2;
    }
  }
  auto key = stamp::HmacKey::LoadFile(key_file);
  if (!key) {
    std::cerr << key.error().message << "\n";
    return 1;
  }
  boost::asio::io_context io;
  RealClock clock;
  auto responder = bandwidth::ThroughputResponder::Start(io, clock, options, *key);
  if (!responder) {
    std::cerr << responder.error().message << "\n";
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { io.stop(); });
  std::cout << "ready" << std::endl;
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "measure") {
    return linkmon::bandwidth::RunThroughputCommand(argc - 1, argv + 1, std::cout, std::cerr);
  }
  if (command == "responder") return RunResponder(argc, argv);
  std::cerr << "usage: throughput_lab_tool measure ARGS... | responder OPTIONS...\n";
  return 2;
}
