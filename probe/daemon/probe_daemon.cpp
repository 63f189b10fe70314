#include "probe/daemon/probe_daemon.h"

#include <malloc.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "config/version.h"
#include "exporters/http/http_server.h"
#include "exporters/http/standard_routes.h"
#include "exporters/prometheus/build_info_collector.h"
#include "probe/bandwidth/throughput_plan.h"
#include "probe/bandwidth/throughput_responder.h"
#include "probe/bandwidth/throughput_scheduler.h"
#include "probe/daemon/batch_assembler.h"
#include "probe/daemon/site_paths.h"
#include "probe/net/privileges.h"
#include "probe/passive/passive_monitor.h"
#include "probe/passive/passive_plan.h"
#include "probe/probers/builtin_probers.h"
#include "probe/probers/host_clock.h"
#include "probe/probers/probe_scheduler.h"
#include "probe/probers/prober_metrics.h"
#include "probe/probers/prober_registry.h"
#include "probe/reflector/reflector_config.h"
#include "probe/reflector/reflector_metrics.h"
#include "probe/reflector/stamp_reflector.h"
#include "probe/upload/batch_spool.h"
#include "probe/upload/batch_uploader.h"
#include "probe/upload/http_upload_client.h"

namespace linkmon::probe {
namespace {

using config::kExitOk;
using config::kExitRuntimeFailure;

// How long a stopping probe waits for the uploader to send what it just sealed;
// what is not sent by then stays in the spool for the next start.
constexpr std::chrono::seconds kDrainOnStop{3};
constexpr std::chrono::milliseconds kDrainPoll{50};

probers::ClockSyncSource ClockSource(const std::string& option) {
  if (option == "synchronized") return probers::ClockSyncSource::kAssumeSynchronized;
  if (option == "unsynchronized") return probers::ClockSyncSource::kAssumeUnsynchronized;
  return probers::ClockSyncSource::kKernel;
}

// "/" + "api/v1/ingest", "/linkmon" + "/api/v1/ingest": the API lives below the
// URL's path.
std::string IngestTarget(const std::string& base) {
  std::string target = base.empty() ? "/" : base;
  if (target.back() != '/') target += '/';
  return target + "api/v1/ingest";
}

// A failed set-up step, already logged.
struct SetupFailed {};

class ProbeDaemon {
 public:
  ProbeDaemon(const config::DaemonOptions& options, config::Config config)
      : options_(options),
        config_(std::make_unique<const config::Config>(std::move(config))),
        site_(*options.site),
        registry_(std::make_shared<prometheus::Registry>()),
        build_info_(std::make_shared<exporters::BuildInfoCollector>(
            "linkmon-probe", std::string(config::LinkmonVersion()))),
        clock_estimate_(probers::ClockErrorEstimate(ClockSource(options.clock))) {}

  int Run() {
    try {
      const config::Site* site = config_->FindSite(site_);
      if (site != nullptr && site->reflector) StartReflector();
      const config::ProbeSite* probe = config_->FindProbe(site_);
      if (probe != nullptr && !options_.reflector_only) SetUpProbing(*probe);
      StartHttp();
      DropPrivileges();
    } catch (const SetupFailed&) {
      return kExitRuntimeFailure;
    }
    ReleaseConfig();
    if (scheduler_) {
      uploader_->Start();
      assembler_->Start();
      scheduler_->Start();
      // Its worker thread starts only now, without any capability (they are per thread).
      if (!StartThroughputTests()) return kExitRuntimeFailure;
    }
    WaitForSignals();
    spdlog::info("event=probe_started site={} paths={} reflector={} metrics={}", site_.str(),
                 scheduler_ ? scheduler_->path_count() : 0,
                 reflector_ ? reflector_->local_endpoint().port() : 0,
                 server_->local_endpoint().port());
    io_.run();
    spdlog::info("event=probe_stopped site={} batches_sealed={}", site_.str(),
                 assembler_ ? assembler_->batches_sealed() : 0);
    return kExitOk;
  }

 private:
  template <typename T>
  T Require(Result<T> result, std::string_view event) {
    if (!result) {
      spdlog::critical("event={} site={} detail={}", event, site_.str(),
                       KvQuote(result.error().message));
      throw SetupFailed{};
    }
    return std::move(*result);
  }
  void Require(Status status, std::string_view event) {
    if (!status) {
      spdlog::critical("event={} site={} detail={}", event, site_.str(),
                       KvQuote(status.error().message));
      throw SetupFailed{};
    }
  }

  void StartReflector() {
    if (!config_->probe.reflector) {
      spdlog::critical("event=reflector_setup_failed site={} detail={}", site_.str(),
                       KvQuote("the site runs a reflector but 'probe.reflector' is not set"));
      throw SetupFailed{};
    }
    auto options = Require(reflector::ReflectorOptionsFromConfig(*config_->probe.reflector),
                           "reflector_setup_failed");
    reflector_ = Require(reflector::StampReflector::Start(io_, clock_, std::move(options)),
                         "reflector_setup_failed");
    reflector_->SetClockErrorEstimate(clock_estimate_);
    reflector_metrics_ = std::make_shared<reflector::ReflectorCollector>(*reflector_);
    // Throughput tests are served only in authenticated mode: the key proves the sender may use
    // the link's capacity.
    const std::string& key_file = config_->probe.reflector->key_file;
    if (key_file.empty()) return;
    auto responder_options = Require(bandwidth::ResponderOptionsFrom(*config_->probe.reflector),
                                     "throughput_responder_setup_failed");
    throughput_responder_ =
        Require(bandwidth::ThroughputResponder::Start(
                    io_, clock_, responder_options,
                    Require(stamp::HmacKey::LoadFile(key_file), "stamp_key_invalid")),
                "throughput_responder_setup_failed");
  }

  void SetUpProbing(const config::ProbeSite& probe) {
    const config::ProbeSettings& settings = config_->probe;
    if (!settings.collector_url) {
      spdlog::critical("event=probe_setup_failed site={} detail={}", site_.str(),
                       KvQuote("'probe.collector_url' is not set"));
      throw SetupFailed{};
    }
    // Uploads first: a probe that cannot keep what it measures must not start
    // measuring.
    const std::string token_path = ExpandSitePath(settings.token_file, site_);
    const std::string token = Require(ReadTokenFile(token_path), "token_unreadable");
    const std::filesystem::path spool_path = ExpandSitePath(settings.spool_path, site_);
    std::error_code ignored;
    std::filesystem::create_directories(spool_path.parent_path(), ignored);
    spool_ = std::make_unique<upload::BatchSpool>(Require(
        upload::BatchSpool::Open({.path = spool_path, .max_bytes = settings.spool_max_bytes}),
        "spool_open_failed"));
    upload::HttpUploadClientOptions client_options{
        .host = settings.collector_url->host,
        .port = settings.collector_url->port,
        .target = IngestTarget(settings.collector_url->path),
        .bearer_token = token,
        .tls = UploadTls(settings),
    };
    client_ = Require(upload::HttpUploadClient::Create(io_, std::move(client_options)),
                      "uploader_setup_failed");
    upload::UploaderOptions uploader_options;
    uploader_options.backoff_seed = std::random_device{}();
    uploader_ = std::make_unique<upload::BatchUploader>(io_, clock_, *spool_, *client_, *registry_,
                                                        uploader_options);
    assembler_ = std::make_unique<BatchAssembler>(
        io_, clock_,
        BatchAssemblerOptions{.probe = site_, .upload_interval = settings.upload_interval},
        [this](std::uint64_t sequence, std::string_view sealed) {
          return uploader_->Submit(
              sequence,
              std::span(reinterpret_cast<const std::uint8_t*>(sealed.data()), sealed.size()));
        });

    // Probers: built now, while the process may still open raw sockets.
    resources_ = std::make_unique<probers::ProberResources>(io_, clock_, icmp::RandomCookie());
    resources_->set_clock_estimate(clock_estimate_);
    if (settings.reflector && !settings.reflector->key_file.empty()) {
      resources_->set_stamp_key(
          Require(stamp::HmacKey::LoadFile(settings.reflector->key_file), "stamp_key_invalid"));
    }
    probers::ProberRegistry registry;
    probers::AddBuiltinProbers(registry);
    const probers::ProberMetricsOptions metrics_options{.per_target = settings.metrics_per_target};
    prober_metrics_ = std::make_shared<probers::ProberCollector>(*resources_, metrics_options);
    outcome_metrics_ = std::make_shared<probers::PathOutcomeCollector>(metrics_options);
    scheduler_ = std::make_unique<probers::ProbeScheduler>(
        io_, clock_, probers::SchedulerOptions{.summary_interval = settings.summary_interval},
        [this](const PathKey& path, const stats::IntervalSummary& summary) {
          outcome_metrics_->Record(path, summary);
          assembler_->Add(path, summary);
        });
    std::size_t paths = 0;
    for (const config::Target& target : probe.targets) paths += target.methods.size();
    scheduler_->Reserve(paths);
    prober_metrics_->Reserve(paths);
    for (const config::Target& target : probe.targets) {
      for (Method method : target.methods) AddPath(registry, target, method);
    }
    // Passive captures open their pcap handles now, while CAP_NET_RAW is still held.
    for (const passive::PassiveCapturePlan& plan : passive::PlanPassiveCaptures(probe)) {
      auto sites = Require(passive::SitePrefixMap::Create(plan.prefixes), "passive_setup_failed");
      passive_monitors_.push_back(Require(
          passive::PassiveMonitor::Start(
              io_, clock_, plan.capture, {.interval = settings.summary_interval}, std::move(sites),
              [this](const passive::PassiveInterval& interval) {
                for (const batch::PathSummary& summary :
                     passive::ToPathSummaries(interval, site_)) {
                  outcome_metrics_->Record(summary.path, summary.summary);
                  assembler_->Add(summary);
                }
              }),
          "passive_setup_failed"));
    }
    throughput_tests_ = bandwidth::PlanThroughputTests(probe);
  }

  // The config is the whole deployment's (every site's targets: ~300 bytes each, 2.8 MB for
  // 10,000), and this probe has copied what it runs into its probers, plans and options. Freed
  // once set up, with the heap pages it leaves free handed back, so that a probe's resident memory
  // is what it runs, not the size of the file.
  void ReleaseConfig() {
    config_.reset();
    malloc_trim(0);
  }

  // False (logged) when throughput tests are configured but cannot run.
  bool StartThroughputTests() {
    if (throughput_tests_.empty()) return true;
    if (!resources_->stamp_key()) {
      spdlog::critical("event=throughput_setup_failed site={} detail={}", site_.str(),
                       KvQuote("throughput targets need the shared key: set reflector.key_file"));
      return false;
    }
    auto scheduler = bandwidth::ThroughputScheduler::Start(
        io_, clock_, std::move(throughput_tests_), *resources_->stamp_key(),
        [this](const TargetName& target, SystemTime started,
               const Result<bandwidth::ThroughputResult>& result) {
          if (!result) {
            spdlog::warn("event=throughput_test_failed site={} target={} detail={}", site_.str(),
                         target.str(), KvQuote(result.error().message));
            return;
          }
          batch::PathSummary summary = bandwidth::ToPathSummary(*result, site_, target, started);
          outcome_metrics_->Record(summary.path, summary.summary);
          assembler_->Add(summary);
        });
    if (!scheduler) {
      spdlog::critical("event=throughput_setup_failed site={} detail={}", site_.str(),
                       KvQuote(scheduler.error().message));
      return false;
    }
    throughput_scheduler_ = std::move(*scheduler);
    return true;
  }

  void AddPath(const probers::ProberRegistry& registry, const config::Target& target,
               Method method) {
    // Scheduled tests and captures of their own (StartThroughputTests, SetUpProbing).
    if (method == Method::kThroughput || method == Method::kPassive) return;
    const PathKey key{site_, target.name, method};
    Require(scheduler_->AddPath(key, target.interval, target.timeout,
                                [&](probers::ProbeListener& listener) {
                                  return registry.Make(method, target, *resources_, listener);
                                }),
            "prober_setup_failed");
    prober_metrics_->Add(target.name.str(), method, target.dscp,
                         scheduler_->prober(scheduler_->path_count() - 1));
  }

  // The files to verify the collector with (and prove this probe with, under mutual TLS), read
  // now, before privileges are dropped. A probe takes new certificates on restart (it does not
  // reload on SIGHUP).
  std::optional<exporters::TlsClientFiles> UploadTls(const config::ProbeSettings& settings) const {
    if (!settings.collector_url->tls) return std::nullopt;
    const config::ProbeTls tls = settings.tls.value_or(config::ProbeTls{});
    return exporters::TlsClientFiles{
        .ca_file = ExpandSitePath(tls.ca_file, site_),
        .certificate_chain_file = ExpandSitePath(tls.certificate_file, site_),
        .private_key_file = ExpandSitePath(tls.private_key_file, site_),
    };
  }

  void StartHttp() {
    exporters::HttpRouter router;
    std::vector<std::weak_ptr<prometheus::Collectable>> sources{registry_, build_info_};
    if (prober_metrics_) sources.push_back(prober_metrics_);
    if (outcome_metrics_) sources.push_back(outcome_metrics_);
    if (reflector_metrics_) sources.push_back(reflector_metrics_);
    exporters::AddMetricsRoute(router, std::move(sources));
    exporters::AddHealthRoutes(router, [] { return std::string(); });
    exporters::HttpServerOptions options;
    options.listen = boost::asio::ip::tcp::endpoint(config_->probe.metrics_listen.address,
                                                    config_->probe.metrics_listen.port);
    server_ = Require(exporters::HttpServer::Start(io_, options, std::move(router), *registry_),
                      "listen_failed");
  }

  // Every socket is open: nothing below needs a privilege.
  void DropPrivileges() {
    if (!options_.user.empty()) {
      Require(net::DropToUser(options_.user), "privilege_drop_failed");
    }
    Require(net::DropAllCapabilities(), "privilege_drop_failed");
    spdlog::info("event=privileges_dropped uid={} capabilities=none", ::getuid());
  }

  void WaitForSignals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      spdlog::info("event=probe_stopping signal={}", signal);
      if (scheduler_) scheduler_->Stop();
      if (throughput_scheduler_) throughput_scheduler_->Stop();
      passive_monitors_.clear();
      if (assembler_) assembler_->Stop();
      drain_deadline_ = std::chrono::steady_clock::now() + kDrainOnStop;
      FinishWhenDrained();
    });
  }

  void FinishWhenDrained() {
    if (uploader_ && !uploader_->drained() && std::chrono::steady_clock::now() < drain_deadline_) {
      drain_timer_.expires_after(kDrainPoll);
      drain_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) FinishWhenDrained();
      });
      return;
    }
    if (uploader_) uploader_->Stop();
    server_->Stop();
    if (resources_) resources_->Close();
    reflector_metrics_.reset();
    reflector_.reset();
    throughput_responder_.reset();
    io_.stop();
  }

  const config::DaemonOptions& options_;
  // Read only while setting up; everything running holds copies of what it needs (ReleaseConfig).
  std::unique_ptr<const config::Config> config_;
  SiteName site_;
  boost::asio::io_context io_{1};
  RealClock clock_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<exporters::BuildInfoCollector> build_info_;
  stamp::ErrorEstimate clock_estimate_;

  std::unique_ptr<reflector::StampReflector> reflector_;
  std::shared_ptr<reflector::ReflectorCollector> reflector_metrics_;

  std::unique_ptr<upload::BatchSpool> spool_;
  std::unique_ptr<upload::HttpUploadClient> client_;
  std::unique_ptr<upload::BatchUploader> uploader_;
  std::unique_ptr<BatchAssembler> assembler_;
  std::unique_ptr<probers::ProberResources> resources_;
  std::shared_ptr<probers::ProberCollector> prober_metrics_;
  std::shared_ptr<probers::PathOutcomeCollector> outcome_metrics_;
  std::unique_ptr<probers::ProbeScheduler> scheduler_;
  std::vector<std::unique_ptr<passive::PassiveMonitor>> passive_monitors_;
  std::vector<bandwidth::ScheduledThroughputTest> throughput_tests_;
  std::unique_ptr<bandwidth::ThroughputScheduler> throughput_scheduler_;
  std::unique_ptr<bandwidth::ThroughputResponder> throughput_responder_;

  std::unique_ptr<exporters::HttpServer> server_;
  boost::asio::signal_set signals_{io_, SIGINT, SIGTERM};
  boost::asio::steady_timer drain_timer_{io_};
  std::chrono::steady_clock::time_point drain_deadline_{};
};

}  // namespace

int RunProbeDaemon(const config::DaemonOptions& options, config::Config config) {
  // Blocks of 128 KiB and more (a batch being written, read from the spool or sent: ~400 KB at
  // 1,000 paths) are mapped apart and returned to the system when freed. glibc's default starts
  // there too, but raises the threshold to the size of each mapped block freed, so that after the
  // first batch they all came from the heap and left it ~1 MB larger at 10,000 paths. Setting it
  // fixes it.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  ProbeDaemon daemon(options, std::move(config));
  return daemon.Run();
}

}  // namespace linkmon::probe
