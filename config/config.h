#pragma once

// linkmon's configuration, as loaded and validated from one YAML file shared by every probe and the
// collector (config/README.md documents each key; config/examples/qinghai.yaml shows them all).
// These structs hold only values that passed validation: names exist, references resolve, units
// are parsed, ranges hold. Durations are std::chrono types, never bare numbers.
//
// A Config is plain data: copy it, compare it, hand it to other threads read-only.

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/units.h"
#include "config/http_url.h"
#include "config/shared_setting.h"
#include "config/yaml/values.h"

namespace linkmon::config {

using yaml::IpPrefix;
using yaml::SocketAddress;

struct HubGroupTag {
  static constexpr const char* kWhat = "hub group";
};
// A named set of sites probed together ("gansu_ningxia", "national_hubs").
using HubGroupName = Name<HubGroupTag>;

// A data center or hub: something that runs a probe, is probed, or both.
struct Site {
  SiteName name;
  std::string region;       // free grouping label ("qinghai", "yangtze-delta"); a label value
  std::string description;  // for people; may be empty
  // Probed in this order of preference: targets use the first one (list the preferred first).
  std::vector<boost::asio::ip::address> addresses;
  // The site runs a linkmon reflector (STAMP and throughput targets need one).
  bool reflector = false;
};

struct HubGroup {
  HubGroupName name;
  std::vector<SiteName> sites;  // in file order, no repeats
};

// One SLA threshold and the sliding window it is judged on (one of the collector's windows).
template <typename T>
struct Threshold {
  T limit;
  std::chrono::nanoseconds window;
};

// "99.9 % of minutes good over 30 days": the error budget behind burn-rate alerts.
struct Slo {
  Ratio objective{0.999};
  std::chrono::nanoseconds period = std::chrono::hours(24 * 30);
};

// Breach events open after N consecutive bad minutes and close after M consecutive good ones, so
// that one noisy minute neither opens nor closes a breach.
struct BreachHysteresis {
  int open_after_bad_minutes = 3;
  int close_after_good_minutes = 5;
};

// Thresholds a path must hold to be "good" in a minute. Absent thresholds are not judged; at
// least one is present. RTT percentiles and jitter are upper bounds, as is loss; bandwidth a lower.
struct SlaClass {
  SlaClassName name;
  std::string description;
  std::optional<Threshold<std::chrono::nanoseconds>> rtt_p50;
  std::optional<Threshold<std::chrono::nanoseconds>> rtt_p95;
  std::optional<Threshold<std::chrono::nanoseconds>> rtt_p99;
  std::optional<Threshold<std::chrono::nanoseconds>> jitter;  // RFC 3550 interarrival jitter
  std::optional<Threshold<Ratio>> loss;
  std::optional<Threshold<Bandwidth>> min_bandwidth;
  Slo slo;
  BreachHysteresis breach;
};

// Per-method settings of a target; present exactly when the method is in Target::methods.
struct StampSettings {
  std::uint16_t port = 862;  // the reflector's UDP port (RFC 8762 well-known port)
};
struct TcpSettings {
  std::uint16_t port = 0;  // required: no default port is right for every path
};
struct DnsSettings {
  std::string query;  // name asked for (type A); required
  std::uint16_t port = 53;
};
// Scheduled, rate-capped, time-boxed: never saturates a production link by default.
enum class ThroughputMode {
  kTcp,  // bulk transfer: the goodput TCP gets, as an application would
  kUdp,  // datagrams at `rate`: achieved rate, loss and delay under load
};
struct ThroughputSettings {
  ThroughputMode mode = ThroughputMode::kTcp;
  Bandwidth rate{10'000'000};  // 10Mbps
  std::chrono::nanoseconds duration = std::chrono::seconds(5);
  std::chrono::nanoseconds every = std::chrono::hours(1);
  std::uint16_t port = 862;  // the reflector's port
};
struct PassiveSettings {
  std::string interface;  // capture interface; required
  // Remote prefixes whose TCP flows measure this target; empty: the target's address only.
  std::vector<IpPrefix> prefixes;
  std::string filter = "ip or ip6";  // BPF (pcap-filter(7)), compiled when the capture starts
};

// One thing a probe measures towards, with the methods and schedule for it. A hub group in the
// file becomes one Target per member site.
struct Target {
  TargetName name;                            // the site's name, or the host target's `name`
  std::optional<SiteName> site;               // set when the target is a site
  std::optional<HubGroupName> via_hub_group;  // set when listed through a hub group
  boost::asio::ip::address address;           // the site's first address, or the host's
  std::vector<Method> methods;                // no repeats, file order
  std::chrono::nanoseconds interval = std::chrono::seconds(1);  // between probes of one method
  std::chrono::nanoseconds timeout = std::chrono::seconds(1);   // <= interval
  int packet_size = 100;  // bytes of the whole IP packet, headers included
  int dscp = 0;           // 0-63; 0 so that carriers treat probes as traffic
  SlaClassName sla_class;
  std::optional<StampSettings> stamp;
  std::optional<TcpSettings> tcp;
  SharedSetting<DnsSettings> dns;  // the rarely used settings by pointer (shared_setting.h)
  SharedSetting<ThroughputSettings> throughput;
  SharedSetting<PassiveSettings> passive;
};

// What the probe at one site measures.
struct ProbeSite {
  SiteName site;
  std::vector<Target> targets;  // at least one
};

struct ReflectorSettings {
  SocketAddress listen{boost::asio::ip::address_v4::any(), 862};  // UDP
  std::vector<IpPrefix> allowed_sources;  // packets from elsewhere are dropped and counted
  std::string key_file;                   // HMAC key (authenticated STAMP); empty: unauthenticated
  std::uint32_t max_packets_per_second = 1000;  // per source address
  std::uint32_t max_sessions = 1024;
  Bandwidth max_throughput{100'000'000};  // cap on throughput tests served; 100Mbps
};

// How a probe verifies the collector, and proves itself, over https (collector_url https://).
struct ProbeTls {
  std::string ca_file = {};  // PEM CAs the collector's chain must reach; empty: the system store
  // Mutual TLS: this probe's certificate (chain) and key, both or neither; may contain "{site}".
  std::string certificate_file = {};
  std::string private_key_file = {};
  bool operator==(const ProbeTls&) const = default;
};

// Settings shared by every probe process.
struct ProbeSettings {
  std::optional<HttpUrl> collector_url;  // required when any probe is configured
  // Only with an https:// collector_url; absent there: the system store, no client certificate.
  std::optional<ProbeTls> tls;
  std::string token_file = "/etc/linkmon/probe.token";
  std::string spool_path = "/var/lib/linkmon/probe-spool.db";
  std::uint64_t spool_max_bytes = 256ull * 1024 * 1024;
  std::chrono::nanoseconds summary_interval = std::chrono::seconds(10);
  std::chrono::nanoseconds upload_interval = std::chrono::seconds(10);
  SocketAddress metrics_listen{boost::asio::ip::address_v4::any(), 9101};  // HTTP /metrics
  // /metrics with a series per target (label dst) for the probers' counters and the probes'
  // outcomes; false: one series per method (and DSCP), summed over the targets. Per-path figures
  // are the collector's job; per-target series cost memory and scrape time at thousands of
  // targets.
  bool metrics_per_target = false;
  std::optional<ReflectorSettings> reflector;  // absent: no site runs a reflector
};

struct CollectorLimits {
  std::uint64_t max_body_bytes = 1024 * 1024;              // one upload, as received
  std::uint64_t max_decompressed_bytes = 8 * 1024 * 1024;  // one upload, decompressed
  std::uint32_t max_paths = 100'000;
  std::uint32_t max_connections = 1024;
};

// The collector's HTTPS: when set, `listen` speaks TLS only.
struct CollectorTls {
  std::string certificate_file = {};  // PEM: the server certificate first, then intermediates
  std::string private_key_file = {};  // PEM, unencrypted
  // Set: mutual TLS. Every client must present a certificate chaining to these CAs, and an
  // upload's certificate must name the batch's probe (403 otherwise). Empty: no client
  // certificates.
  std::string client_ca_file = {};
  std::chrono::nanoseconds handshake_timeout = std::chrono::seconds(10);
  bool operator==(const CollectorTls&) const = default;
};

struct CollectorSettings {
  // HTTP on one port: ingest, API, web page, /metrics.
  SocketAddress listen{boost::asio::ip::address_v4::any(), 9100};
  std::optional<CollectorTls> tls;  // absent: plain HTTP
  std::string store_path = "/var/lib/linkmon/collector.db";
  std::chrono::nanoseconds retention = std::chrono::hours(24 * 35);
  std::vector<std::chrono::nanoseconds> windows = {std::chrono::minutes(1), std::chrono::minutes(5),
                                                   std::chrono::hours(1)};
  std::map<SiteName, std::string> token_files;  // probe site -> file holding its bearer token
  CollectorLimits limits;
};

struct Config {
  int version = 1;
  std::vector<Site> sites;
  std::vector<HubGroup> hub_groups;
  std::vector<SlaClass> sla_classes;
  ProbeSettings probe;
  std::vector<ProbeSite> probes;
  CollectorSettings collector;

  const Site* FindSite(const SiteName& name) const;
  const HubGroup* FindHubGroup(const HubGroupName& name) const;
  const SlaClass* FindSlaClass(const SlaClassName& name) const;
  const ProbeSite* FindProbe(const SiteName& site) const;
};

}  // namespace linkmon::config
