#include "probe/passive/passive_command.h"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "common/units.h"
#include "probe/net/ip_prefix.h"
#include "probe/passive/passive_monitor.h"

namespace linkmon::passive {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

Result<std::vector<SitePrefix>> ParseSites(const std::vector<std::string> &specs) {
  std::vector<SitePrefix> prefixes;
  for (const std::string &spec : specs) {
    const auto equals = spec.find('=');
    if (equals == std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "--site '" + spec + "': expected NAME=PREFIX");
    }
    auto name = TargetName::Make(spec.substr(0, equals));
    if (!name) return MakeError(ErrorCode::kInvalidArgument, "--site: " + name.error().message);
    auto prefix = net::IpPrefix::Parse(spec.substr(equals + 1));
    if (!prefix) return MakeError(ErrorCode::kInvalidArgument, "--site: " + prefix.error().message);
    prefixes.push_back(SitePrefix{*name, prefix->network(), prefix->length()});
  }
  return prefixes;
}

// All intervals of the run merged: one total per site.
struct RunTotals {
  TrafficCounts frames;
  std::optional<SystemTime> start;
  std::optional<SystemTime> end;
  std::map<std::string, SiteInterval> sites;

  void Add(const PassiveInterval &interval) {
    frames.packets += interval.frames.packets;
    frames.bytes += interval.frames.bytes;
    for (const SiteInterval &site : interval.sites) {
      auto [it, fresh] = sites.try_emplace(site.site.str(), site);
      if (fresh) continue;
      SiteInterval &total = it->second;
      (void)total.summary.rtt.Merge(site.summary.rtt);
      total.timestamp_samples += site.timestamp_samples;
      total.handshake_samples += site.handshake_samples;
      total.to_site.packets += site.to_site.packets;
      total.to_site.bytes += site.to_site.bytes;
      total.from_site.packets += site.from_site.packets;
      total.from_site.bytes += site.from_site.bytes;
    }
  }
};

double Seconds(std::chrono::nanoseconds value) { return static_cast<double>(value.count()) / 1e9; }

nlohmann::json RttJson(const histogram::LogHistogram &rtt) {
  nlohmann::json json = {{"count", rtt.Count()}};
  if (rtt.Empty()) return json;
  json["min"] = Seconds(*rtt.Min());
  json["max"] = Seconds(*rtt.Max());
  for (auto [name, q] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}}) {
    if (auto estimate = rtt.Quantile(q)) json[name] = Seconds(estimate->value);
  }
  return json;
}

nlohmann::json CountsJson(const TrafficCounts &counts) {
  return {{"packets", counts.packets}, {"bytes", counts.bytes}};
}

nlohmann::json Report(const RunTotals &totals, std::chrono::nanoseconds elapsed,
                      const PassiveCounters &counters,
                      const std::optional<CaptureStatistics> &capture) {
  nlohmann::json json;
  json["frames"] = CountsJson(totals.frames);
  json["elapsed_seconds"] = Seconds(elapsed);
  json["bits_per_second"] = AverageRate(totals.frames, elapsed).bits_per_second;
  json["packets_per_second"] = PacketsPerSecond(totals.frames, elapsed);
  json["sites"] = nlohmann::json::array();
  for (const auto &[name, site] : totals.sites) {
    json["sites"].push_back({{"site", name},
                             {"rtt_seconds", RttJson(site.summary.rtt)},
                             {"timestamp_samples", site.timestamp_samples},
                             {"handshake_samples", site.handshake_samples},
                             {"to_site", CountsJson(site.to_site)},
                             {"from_site", CountsJson(site.from_site)}});
  }
  json["counters"] = {{"frames", counters.frames},
                      {"non_ip_frames", counters.non_ip_frames},
                      {"malformed_frames", counters.malformed_frames},
                      {"unattributed_samples", counters.unattributed_samples},
                      {"flow_evictions", counters.tcp.flow_evictions},
                      {"pending_evictions", counters.tcp.pending_evictions},
                      {"pending_expired", counters.tcp.pending_expired}};
  if (capture) {
    json["capture"] = {{"received", capture->received},
                       {"dropped", capture->dropped},
                       {"interface_dropped", capture->interface_dropped}};
  }
  return json;
}

void PrintText(const nlohmann::json &json, std::ostream &out) {
  out << "frames " << json["frames"]["packets"] << " bytes " << json["frames"]["bytes"] << " over "
      << json["elapsed_seconds"] << " s: " << json["bits_per_second"] << " bit/s, "
      << json["packets_per_second"] << " packets/s\n";
  for (const auto &site : json["sites"]) {
    out << site["site"].get<std::string>() << ": rtt " << site["rtt_seconds"].dump() << " to "
        << site["to_site"].dump() << " from " << site["from_site"].dump() << "\n";
  }
  out << "counters " << json["counters"].dump() << "\n";
}

}  // namespace

int RunPassiveCommand(int argc, const char *const *argv, std::ostream &out, std::ostream &err) {
  CLI::App app{
      "Watch an interface (or read a capture file) and print what the "
      "passive analyser "
      "sees: traffic and the RTT of TCP flows per site.",
      "linkmon-probe passive"};
  PcapCaptureOptions capture;
  std::string read;
  std::string duration = "10s";
  std::string interval = "10s";
  std::vector<std::string> sites;
  bool json = false;
  app.add_option("--interface", capture.interface, "Capture interface");
  app.add_option("--read", read, "Read this pcap file instead of capturing");
  app.add_option("--duration", duration, "How long to capture")->capture_default_str();
  app.add_option("--site", sites, "NAME=PREFIX: traffic to and from PREFIX belongs to NAME")
      ->required();
  app.add_option("--filter", capture.filter, "BPF filter (pcap-filter(7))")->capture_default_str();
  app.add_option("--snap-length", capture.snap_length, "Bytes kept of each frame")
      ->capture_default_str();
  app.add_option("--interval", interval, "Summary interval")->capture_default_str();
  app.add_flag("--json", json, "Print one JSON object (times in seconds)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e, out, err) == 0 ? 0 : kExitUsage;
  }
  auto prefixes = ParseSites(sites);
  auto run_for = ParseDuration(duration);
  auto every = ParseDuration(interval);
  if (!prefixes || !run_for || !every || capture.interface.empty() == read.empty()) {
    err << "linkmon-probe passive: "
        << (!prefixes  ? prefixes.error().message
            : !run_for ? "--duration: " + run_for.error().message
            : !every   ? "--interval: " + every.error().message
                       : std::string("give exactly one of --interface and --read"))
        << "\n";
    return kExitUsage;
  }
  auto map = SitePrefixMap::Create(*prefixes);
  if (!map) {
    err << "linkmon-probe passive: " << map.error().message << "\n";
    return kExitUsage;
  }
  const PassiveAnalyserOptions options{.interval = *every};
  RunTotals totals;
  PassiveCounters counters;
  std::optional<CaptureStatistics> statistics;
  std::chrono::nanoseconds elapsed{0};
  if (!read.empty()) {
    auto analysis = AnalysePcapFile(read, options, std::move(*map));
    if (!analysis) {
      err << "linkmon-probe passive: " << analysis.error().message << "\n";
      return kExitFailed;
    }
    for (const PassiveInterval &interval_result : analysis->intervals) totals.Add(interval_result);
    if (!analysis->intervals.empty()) {
      elapsed = analysis->intervals.size() * *every;
    }
    counters = analysis->counters;
  } else {
    boost::asio::io_context io;
    RealClock clock;
    const MonotonicTime started = clock.MonotonicNow();
    auto monitor = PassiveMonitor::Start(io, clock, capture, options, std::move(*map),
                                         [&](const PassiveInterval &done) { totals.Add(done); });
    if (!monitor) {
      err << "linkmon-probe passive: " << monitor.error().message << "\n";
      return kExitFailed;
    }
    // libpcap hands over a ring block when it fills or when the buffer timeout
    // retires it: wait a few timeouts after the duration so that every frame
    // captured in it is counted.
    boost::asio::steady_timer stop(io, *run_for + 3 * capture.buffer_timeout);
    stop.async_wait([&](boost::system::error_code) { (*monitor)->Stop(); });
    io.run();
    elapsed = clock.MonotonicNow() - started;
    counters = (*monitor)->counters();
    if (auto stats = (*monitor)->CaptureStats()) statistics = *stats;
  }
  nlohmann::json report = Report(totals, elapsed, counters, statistics);
  if (json) {
    out << report.dump() << "\n";
  } else {
    PrintText(report, out);
  }
  return 0;
}

}  // namespace linkmon::passive
