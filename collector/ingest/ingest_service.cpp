#include "collector/ingest/ingest_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>

#include "collector/ingest/gzip_decoder.h"
#include "common/batch/batch_codec.h"
#include "common/logging.h"

namespace linkmon::ingest {
namespace {

namespace http = boost::beast::http;
using std::chrono::nanoseconds;

std::string_view HeaderValue(const exporters::HttpMessage& message, http::field field) {
  auto it = message.find(field);
  if (it == message.end()) return {};
  return std::string_view(it->value().data(), it->value().size());
}

// Case-insensitive ASCII comparison (header values).
bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return boost::beast::iequals(boost::beast::string_view(a.data(), a.size()),
                               boost::beast::string_view(b.data(), b.size()));
}

std::string FormatTime(SystemTime time) {
  return std::to_string(std::chrono::duration_cast<nanoseconds>(time.time_since_epoch()).count());
}

// Maps a decoding error to its answer (batch_codec.h lists the codes).
std::pair<RejectReason, http::status> DecodeRefusal(ErrorCode code) {
  switch (code) {
    case ErrorCode::kParse:
      return {RejectReason::kMalformed, http::status::bad_request};
    case ErrorCode::kUnsupported:
      return {RejectReason::kUnsupportedVersion, http::status::bad_request};
    case ErrorCode::kOutOfRange:
      return {RejectReason::kTooManySummaries, http::status::payload_too_large};
    case ErrorCode::kCorrupt:
      return {RejectReason::kInconsistent, http::status::unprocessable_entity};
    default:
      return {RejectReason::kSchema, http::status::bad_request};
  }
}

http::status StatusOf(RejectReason reason) {
  switch (reason) {
    case RejectReason::kUnauthenticated:
      return http::status::unauthorized;
    case RejectReason::kTokenMismatch:
    case RejectReason::kCertificateMismatch:
      return http::status::forbidden;
    case RejectReason::kUnsupportedMedia:
      return http::status::unsupported_media_type;
    case RejectReason::kBodyTooLarge:
    case RejectReason::kDecompressedTooLarge:
    case RejectReason::kTooManySummaries:
      return http::status::payload_too_large;
    case RejectReason::kBadGzip:
    case RejectReason::kMalformed:
    case RejectReason::kSchema:
    case RejectReason::kUnsupportedVersion:
      return http::status::bad_request;
    case RejectReason::kStaleSequence:
      return http::status::conflict;
    case RejectReason::kStoreFailed:
    case RejectReason::kQueueFull:
    case RejectReason::kShuttingDown:
      return http::status::service_unavailable;
    default:
      return http::status::unprocessable_entity;
  }
}

}  // namespace

namespace {

// "'a', 'b'", or "nothing" for a certificate without names (or no certificate).
std::string NamesForLog(std::span<const std::string> names) {
  if (names.empty()) return "nothing";
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "'" : ", '") + name + "'";
  return out;
}

}  // namespace

bool BindsClientCertificates(const config::Config& config) {
  return config.collector.tls && !config.collector.tls->client_ca_file.empty();
}

struct IngestService::Refusal {
  RejectReason reason;
  std::string message;
};

IngestOptions IngestOptionsFromConfig(const config::Config& config) {
  IngestOptions options;
  options.max_body_bytes = config.collector.limits.max_body_bytes;
  options.max_decompressed_bytes = config.collector.limits.max_decompressed_bytes;
  options.retention = config.collector.retention;
  options.bind_client_certificate = BindsClientCertificates(config);
  return options;
}

Result<std::unique_ptr<IngestService>> IngestService::Create(const config::Config& config,
                                                             StoreWriter& writer,
                                                             const Clock& clock,
                                                             prometheus::Registry& registry,
                                                             IngestOptions options) {
  auto tokens = ProbeTokens::Load(config.collector.token_files);
  if (!tokens) return tl::unexpected(tokens.error());
  return std::make_unique<IngestService>(config, std::move(*tokens), writer, clock, registry,
                                         options);
}

IngestService::IngestService(const config::Config& config, ProbeTokens tokens, StoreWriter& writer,
                             const Clock& clock, prometheus::Registry& registry,
                             IngestOptions options)
    : tokens_(std::move(tokens)),
      writer_(writer),
      clock_(clock),
      options_(options),
      metrics_(registry) {
  SetPaths(config);
  metrics_.StoreSize(store::StoreDiskBytes(writer_.store_path()));
}

void IngestService::SetPaths(const config::Config& config) {
  probes_.clear();
  paths_.clear();
  for (const config::ProbeSite& probe : config.probes) {
    probes_.insert(probe.site);
    for (const config::Target& target : probe.targets) {
      for (Method method : target.methods) {
        paths_.insert(PathKey{.source = probe.site, .target = target.name, .method = method});
      }
    }
  }
}

Status IngestService::Reconfigure(const config::Config& config) {
  auto tokens = ProbeTokens::Load(config.collector.token_files);
  if (!tokens) return tl::unexpected(tokens.error());
  tokens_ = std::move(*tokens);
  SetPaths(config);
  options_.bind_client_certificate = BindsClientCertificates(config);
  return {};
}

void IngestService::OnApplied(std::function<void(const batch::Batch&)> listener) {
  listeners_.push_back(std::move(listener));
}

exporters::HttpResponse IngestService::Refuse(const boost::asio::ip::address& client,
                                              RejectReason reason, std::string_view probe,
                                              std::string message) {
  metrics_.Rejected(reason);
  const std::string_view reason_name = RejectReasonName(reason);
  spdlog::warn("event=batch_rejected reason={} client={} probe={} detail={}", reason_name,
               client.to_string(), KvQuote(probe.empty() ? "-" : probe), KvQuote(message));
  nlohmann::json body = {{"error", message}, {"reason", reason_name}};
  // replace: messages may quote hostile input that is not valid UTF-8.
  return exporters::MakeResponse(
      StatusOf(reason), "application/json",
      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

std::optional<IngestService::Refusal> IngestService::Validate(const batch::Batch& batch,
                                                              const SiteName& token_site) const {
  if (!probes_.contains(batch.probe)) {
    return Refusal{RejectReason::kUnknownProbe,
                   "probe '" + batch.probe.str() + "' is not configured"};
  }
  if (batch.probe != token_site) {
    return Refusal{RejectReason::kTokenMismatch, "the token is not probe '" + batch.probe.str() +
                                                     "''s; it belongs to another probe site"};
  }
  const SystemTime now = clock_.SystemNow();
  const SystemTime latest =
      now + std::chrono::duration_cast<SystemTime::duration>(options_.max_clock_skew);
  const SystemTime oldest =
      now - std::chrono::duration_cast<SystemTime::duration>(options_.retention);
  if (batch.created > latest || batch.probe_start > latest) {
    return Refusal{RejectReason::kFutureTimestamp,
                   "created_unix_ns " + FormatTime(batch.created) + " or probe_start_unix_ns " +
                       FormatTime(batch.probe_start) + " is after the collector's clock " +
                       FormatTime(now) + " plus the allowed skew"};
  }
  for (std::size_t i = 0; i < batch.summaries.size(); ++i) {
    const batch::PathSummary& entry = batch.summaries[i];
    // Built only for a message: this loop runs for every summary of every batch.
    auto field = [i] { return "summaries[" + std::to_string(i) + "]"; };
    if (!paths_.contains(entry.path)) {
      return Refusal{RejectReason::kUnknownPath,
                     field() + ": path " + entry.path.ToString() + " is not configured"};
    }
    const SystemTime end = entry.summary.start +
                           std::chrono::duration_cast<SystemTime::duration>(entry.summary.duration);
    if (end > latest) {
      return Refusal{RejectReason::kFutureTimestamp,
                     field() + ": interval ends at " + FormatTime(end) +
                         ", after the collector's clock " + FormatTime(now) +
                         " plus the allowed skew"};
    }
    if (entry.summary.start < oldest) {
      return Refusal{RejectReason::kTooOld,
                     field() + ": interval starts at " + FormatTime(entry.summary.start) +
                         ", before the retention horizon " + FormatTime(oldest)};
    }
  }
  return std::nullopt;
}

void IngestService::Handle(const exporters::HttpRequest& request,
                           exporters::HttpResponder respond) {
  const MonotonicTime started = clock_.MonotonicNow();
  auto checked = Check(request);
  if (auto* refusal = std::get_if<exporters::HttpResponse>(&checked)) {
    return respond(std::move(*refusal));
  }
  Commit(std::move(std::get<batch::Batch>(checked)), request.remote, started, std::move(respond));
}

std::variant<batch::Batch, exporters::HttpResponse> IngestService::Check(
    const exporters::HttpRequest& request) {
  const exporters::HttpMessage& message = request.message;

  const std::optional<SiteName> token_site =
      tokens_.Authenticate(HeaderValue(message, http::field::authorization));
  if (!token_site) {
    auto response = Refuse(request.remote, RejectReason::kUnauthenticated, "",
                           "missing or unknown bearer token");
    response.set(http::field::www_authenticate, "Bearer");
    return response;
  }
  const std::string& site = token_site->str();
  // Two credentials, one identity: with mutual TLS the certificate must name the token's site
  // (the batch must then be that site's, step 7), so a stolen token is worthless without the
  // probe's key, and one probe's certificate cannot carry another probe's token.
  if (options_.bind_client_certificate &&
      std::find(request.client_certificate_names.begin(), request.client_certificate_names.end(),
                site) == request.client_certificate_names.end()) {
    return Refuse(request.remote, RejectReason::kCertificateMismatch, site,
                  "the client certificate does not name probe '" + site + "' (it names " +
                      NamesForLog(request.client_certificate_names) + ")");
  }

  const std::string_view content_type = HeaderValue(message, http::field::content_type);
  const std::string_view media_type = content_type.substr(0, content_type.find(';'));
  if (!EqualsIgnoringCase(media_type, "application/json")) {
    return Refuse(request.remote, RejectReason::kUnsupportedMedia, site,
                  "Content-Type must be application/json");
  }
  const std::string_view encoding = HeaderValue(message, http::field::content_encoding);
  const bool gzipped = EqualsIgnoringCase(encoding, "gzip");
  if (!gzipped && !encoding.empty() && !EqualsIgnoringCase(encoding, "identity")) {
    return Refuse(request.remote, RejectReason::kUnsupportedMedia, site,
                  "Content-Encoding must be gzip or identity");
  }
  const std::string& body = message.body();
  if (body.size() > options_.max_body_bytes) {
    return Refuse(request.remote, RejectReason::kBodyTooLarge, site,
                  "body of " + std::to_string(body.size()) + " bytes is larger than " +
                      std::to_string(options_.max_body_bytes));
  }
  std::string inflated;
  if (gzipped) {
    auto plain = Gunzip(body, options_.max_decompressed_bytes);
    if (!plain) {
      return Refuse(request.remote,
                    plain.error().code == ErrorCode::kOutOfRange
                        ? RejectReason::kDecompressedTooLarge
                        : RejectReason::kBadGzip,
                    site, plain.error().message);
    }
    inflated = std::move(*plain);
  }
  const std::string_view json = gzipped ? std::string_view(inflated) : std::string_view(body);

  auto decoded = batch::DecodeBatch(
      json, batch::DecodeLimits{.max_summaries = options_.max_summaries_per_batch});
  if (!decoded) {
    return Refuse(request.remote, DecodeRefusal(decoded.error().code).first, site,
                  decoded.error().message);
  }
  if (auto refusal = Validate(*decoded, *token_site)) {
    return Refuse(request.remote, refusal->reason, site, std::move(refusal->message));
  }

  return std::move(*decoded);
}

void IngestService::Commit(batch::Batch batch, const boost::asio::ip::address& client,
                           MonotonicTime started, exporters::HttpResponder respond) {
  const std::string site = batch.probe.str();
  auto done = [this, client, started, respond](const batch::Batch& committed,
                                               Result<store::ApplyResult> applied) {
    respond(Answer(committed, client, started, std::move(applied)));
  };
  switch (writer_.Submit(std::move(batch), clock_.SystemNow(), std::move(done))) {
    case StoreWriter::Submitted::kQueued:
      return;
    case StoreWriter::Submitted::kFull: {
      auto response =
          Refuse(client, RejectReason::kQueueFull, site, "the store's queue is full; retry later");
      response.set(http::field::retry_after, "1");
      return respond(std::move(response));
    }
    case StoreWriter::Submitted::kStopping: {
      auto response = Refuse(client, RejectReason::kShuttingDown, site,
                             "the collector is shutting down; retry later");
      response.set(http::field::retry_after, "5");
      return respond(std::move(response));
    }
  }
}

exporters::HttpResponse IngestService::Answer(const batch::Batch& batch,
                                              const boost::asio::ip::address& client,
                                              MonotonicTime started,
                                              Result<store::ApplyResult> applied) {
  const std::string& site = batch.probe.str();
  if (!applied) {
    if (applied.error().code == ErrorCode::kOutOfRange) {
      // Deterministic: a retry would fail the same way, so it is the batch's problem (422).
      metrics_.Rejected(RejectReason::kStoreFailed);
      spdlog::warn("event=batch_rejected reason=store_failed client={} probe={} detail={}",
                   client.to_string(), site, KvQuote(applied.error().message));
      nlohmann::json out = {{"error", applied.error().message}, {"reason", "store_failed"}};
      return exporters::MakeResponse(http::status::unprocessable_entity, "application/json",
                                     out.dump() + "\n");
    }
    spdlog::error("event=store_failed probe={} sequence={} detail={}", site, batch.sequence,
                  KvQuote(applied.error().message));
    return Refuse(client, RejectReason::kStoreFailed, site,
                  "the store could not write the batch; retry later");
  }
  if (applied->outcome == store::ApplyOutcome::kStale) {
    return Refuse(client, RejectReason::kStaleSequence, site,
                  "sequence " + std::to_string(batch.sequence) + " is far below " +
                      std::to_string(applied->highest_sequence) +
                      ", the highest stored for this probe start; not a retry");
  }
  const nanoseconds handling = clock_.MonotonicNow() - started;
  const bool duplicate = applied->outcome == store::ApplyOutcome::kDuplicate;
  if (duplicate) {
    metrics_.Duplicate(handling);
    spdlog::debug("event=batch_duplicate probe={} sequence={}", site, batch.sequence);
  } else {
    metrics_.Applied(batch.summaries.size(), handling);
    metrics_.StoreSize(store::StoreDiskBytes(writer_.store_path()));
    spdlog::debug("event=batch_applied probe={} sequence={} summaries={}", site, batch.sequence,
                  batch.summaries.size());
    for (const auto& listener : listeners_) listener(batch);
  }
  nlohmann::json out = {
      {"status", duplicate ? "duplicate" : "applied"},
      {"probe", site},
      {"probe_start_unix_ns",
       std::chrono::duration_cast<nanoseconds>(batch.probe_start.time_since_epoch()).count()},
      {"sequence", batch.sequence},
      {"summaries", batch.summaries.size()}};
  return exporters::MakeResponse(http::status::ok, "application/json", out.dump() + "\n");
}

}  // namespace linkmon::ingest
