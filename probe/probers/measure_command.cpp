#include "probe/probers/measure_command.h"

#include <charconv>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "common/units.h"
#include "probe/probers/measurement.h"

namespace linkmon::probers {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct HostAndPort {
  std::string host;
  std::optional<std::uint16_t> port;
};

// "host", "host:862", "192.0.2.1:862", "2001:db8::1", "[2001:db8::1]:862".
Result<HostAndPort> SplitTarget(const std::string& text) {
  auto port_of = [&](std::string_view digits) -> Result<std::uint16_t> {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) {
      return MakeError(ErrorCode::kParse, "--target: '" + text + "' has no valid port");
    }
    return static_cast<std::uint16_t>(value);
  };
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string::npos) {
      return MakeError(ErrorCode::kParse, "--target: '" + text + "' lacks the closing ']'");
    }
    HostAndPort out{text.substr(1, close - 1), std::nullopt};
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':')
        return MakeError(ErrorCode::kParse, "--target: bad '" + text + "'");
      Result<std::uint16_t> port = port_of(std::string_view(text).substr(close + 2));
      if (!port) return tl::unexpected(port.error());
      out.port = *port;
    }
    return out;
  }
  std::size_t colon = text.find(':');
  if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos) {
    return HostAndPort{text, std::nullopt};  // no port, or a bare IPv6 address
  }
  Result<std::uint16_t> port = port_of(std::string_view(text).substr(colon + 1));
  if (!port) return tl::unexpected(port.error());
  return HostAndPort{text.substr(0, colon), *port};
}

Result<boost::asio::ip::address> Resolve(const std::string& host) {
  boost::system::error_code error;
  boost::asio::ip::address address = boost::asio::ip::make_address(host, error);
  if (!error) return address;
  boost::asio::io_context io;
  boost::asio::ip::udp::resolver resolver(io);
  auto results = resolver.resolve(host, "", error);
  if (error || results.empty()) {
    return MakeError(ErrorCode::kUnavailable,
                     "--target: cannot resolve '" + host + "': " + error.message());
  }
  return results.begin()->endpoint().address();
}

}  // namespace

int RunMeasureCommand(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Measure one target now and print what linkmon sees (RTT, loss, jitter, one-way "
      "delay).",
      "linkmon-probe measure"};
  std::string method = "icmp";
  std::string target;
  std::uint32_t count = 10;
  std::string interval = "1s";
  std::string timeout = "1s";
  int size = 100;
  int dscp = 0;
  std::string key_file;
  std::string icmp_socket = "auto";
  std::string clock_sync = "auto";
  bool json = false;
  app.add_option("--method", method, "icmp or stamp")->capture_default_str();
  app.add_option("--target", target, "HOST[:PORT]; PORT is the STAMP reflector's (default 862)")
      ->required()
      ->type_name("HOST[:PORT]");
  app.add_option("--count", count, "Probes to send")->capture_default_str();
  app.add_option("--interval", interval, "Time between probes (\"10ms\")")->capture_default_str();
  app.add_option("--timeout", timeout, "A reply later than this is late, not received")
      ->capture_default_str();
  app.add_option("--size", size, "Bytes of each probe's IP packet, headers included")
      ->capture_default_str();
  app.add_option("--dscp", dscp, "DSCP of the probes, 0-63")->capture_default_str();
  app.add_option("--key-file", key_file, "STAMP authenticated mode: hex key, mode 600")
      ->type_name("FILE");
  app.add_option("--icmp-socket", icmp_socket, "auto (datagram, else raw), datagram or raw")
      ->capture_default_str();
  app.add_option("--clock", clock_sync,
                 "This host's clock for one-way delays: auto (the kernel's NTP state), "
                 "synchronized (ends sharing one clock) or unsynchronized")
      ->capture_default_str();
  app.add_flag("--json", json, "Print one JSON object (times in seconds)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e, out, err);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    app.exit(e, out, err);
    return kExitUsage;
  }

  auto usage = [&](const std::string& message) {
    err << message << "\nRun with --help for more information.\n";
    return kExitUsage;
  };
  MeasurementOptions options;
  std::optional<Method> parsed_method = ParseMethod(method);
  if (!parsed_method || (*parsed_method != Method::kIcmp && *parsed_method != Method::kStamp)) {
    return usage("--method: '" + method + "' is not icmp or stamp");
  }
  options.method = *parsed_method;
  Result<std::chrono::nanoseconds> parsed_interval = ParseDuration(interval);
  if (!parsed_interval) return usage("--interval: " + parsed_interval.error().message);
  Result<std::chrono::nanoseconds> parsed_timeout = ParseDuration(timeout);
  if (!parsed_timeout) return usage("--timeout: " + parsed_timeout.error().message);
  options.interval = *parsed_interval;
  options.timeout = *parsed_timeout;
  options.count = count;
  options.packet_size = size;
  if (dscp < 0 || dscp > 63) return usage("--dscp: must be from 0 to 63");
  options.dscp = static_cast<std::uint8_t>(dscp);
  if (!key_file.empty()) options.key_file = key_file;
  if (icmp_socket == "datagram") {
    options.icmp_socket = icmp::SocketPreference::kDatagramOnly;
  } else if (icmp_socket == "raw") {
    options.icmp_socket = icmp::SocketPreference::kRawOnly;
  } else if (icmp_socket != "auto") {
    return usage("--icmp-socket: '" + icmp_socket + "' is not auto, datagram or raw");
  }
  if (clock_sync == "synchronized") {
    options.clock_sync = ClockSyncSource::kAssumeSynchronized;
  } else if (clock_sync == "unsynchronized") {
    options.clock_sync = ClockSyncSource::kAssumeUnsynchronized;
  } else if (clock_sync != "auto") {
    return usage("--clock: '" + clock_sync + "' is not auto, synchronized or unsynchronized");
  }
  Result<HostAndPort> host_port = SplitTarget(target);
  if (!host_port) return usage(host_port.error().message);
  if (host_port->port && options.method == Method::kIcmp) {
    return usage("--target: ICMP has no port");
  }
  if (host_port->port) options.port = *host_port->port;
  Result<boost::asio::ip::address> address = Resolve(host_port->host);
  if (!address) {
    err << address.error().message << "\n";
    return kExitFailure;
  }
  options.target = *address;

  RealClock clock;
  Result<MeasurementReport> report = RunMeasurement(options, clock);
  if (!report) {
    err << report.error().message << "\n";
    return report.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  out << (json ? FormatMeasurementJson(*report) + "\n" : FormatMeasurementText(*report));
  return kExitOk;
}

}  // namespace linkmon::probers
