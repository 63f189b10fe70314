#include "probe/probers/tcp_connect_prober.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <unordered_map>

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>

#include "probe/net/socket_options.h"

namespace linkmon::probers {

namespace {

using boost::asio::ip::tcp;

}  // namespace

class TcpConnectProber::Attempts : public std::enable_shared_from_this<TcpConnectProber::Attempts> {
 public:
  Attempts(boost::asio::io_context& io, const Clock& clock, const TcpConnectProberOptions& options,
           ProbeListener& listener)
      : io_(io), clock_(clock), options_(options), listener_(&listener) {}

  Status Send(std::uint32_t sequence) {
    if (closed_) return MakeError(ErrorCode::kUnavailable, "tcp prober: closed");
    if (in_flight_.size() >= options_.max_in_flight || in_flight_.contains(sequence)) {
      ++counters_.send_errors;
      return MakeError(
          ErrorCode::kUnavailable,
          fmt::format("tcp prober: {} connection attempts already open", in_flight_.size()));
    }
    auto attempt = std::make_unique<Attempt>(io_);
    boost::system::error_code error;
    attempt->socket.open(options_.target.protocol(), error);
    if (!error) {
      Status dscp = net::SetDscp(attempt->socket.native_handle(),
                                 options_.target.protocol().family(), options_.dscp);
      if (!dscp) {
        ++counters_.send_errors;
        return MakeError(ErrorCode::kIo, "tcp prober: " + dscp.error().message);
      }
    }
    if (error) {
      ++counters_.send_errors;
      return MakeError(ErrorCode::kIo, "tcp prober: cannot open a socket: " + error.message());
    }
    attempt->started = clock_.MonotonicNow();
    Attempt& started = *attempt;
    in_flight_.emplace(sequence, std::move(attempt));
    ++counters_.probes_sent;
    listener_->OnSent({.sequence = sequence, .sent = started.started});

    std::weak_ptr<Attempts> weak = weak_from_this();
    started.socket.async_connect(options_.target,
                                 [weak, sequence](const boost::system::error_code& result) {
                                   if (auto self = weak.lock()) self->Finish(sequence, result);
                                 });
    started.deadline.expires_after(options_.timeout);
    started.deadline.async_wait([weak, sequence](const boost::system::error_code& result) {
      if (result) return;  // cancelled: the connect finished first
      if (auto self = weak.lock()) self->TimeOut(sequence);
    });
    return {};
  }

  void Close() {
    closed_ = true;
    in_flight_.clear();  // closing the sockets cancels their handlers
  }

  const ProberCounters& counters() const { return counters_; }
  const TcpConnectOutcomes& outcomes() const { return outcomes_; }

 private:
  struct Attempt {
    explicit Attempt(boost::asio::io_context& io) : socket(io), deadline(io) {}
    tcp::socket socket;
    boost::asio::steady_timer deadline;
    MonotonicTime started{};
    bool timed_out = false;
  };

  void TimeOut(std::uint32_t sequence) {
    auto found = in_flight_.find(sequence);
    if (found == in_flight_.end()) return;
    found->second->timed_out = true;
    ++outcomes_.timed_out;
    in_flight_.erase(found);  // closes the socket: the pending connect completes as aborted
  }

  void Finish(std::uint32_t sequence, const boost::system::error_code& result) {
    if (result == boost::asio::error::operation_aborted) return;  // timed out or closed
    auto found = in_flight_.find(sequence);
    if (found == in_flight_.end()) return;
    std::unique_ptr<Attempt> attempt = std::move(found->second);
    in_flight_.erase(found);
    attempt->deadline.cancel();
    MonotonicTime done = clock_.MonotonicNow();
    if (result) {
      Classify(result);
      return;
    }
    ++outcomes_.established;
    stats::ProbeReply reply;
    reply.sequence = sequence;
    reply.arrival = done;
    reply.rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(done - attempt->started);
    reply.timestamp_source = stats::TimestampSource::kUserspace;
    tcp_info info{};
    socklen_t length = sizeof info;
    if (::getsockopt(attempt->socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &length) == 0 &&
        info.tcpi_total_retrans == 0 && info.tcpi_rtt > 0) {
      reply.rtt = std::chrono::microseconds(info.tcpi_rtt);
      reply.timestamp_source = stats::TimestampSource::kKernel;
    }
    boost::system::error_code ignored;
    attempt->socket.close(ignored);
    ++counters_.replies;
    listener_->OnReply(reply);
  }

  void Classify(const boost::system::error_code& result) {
    if (result == boost::asio::error::connection_refused) {
      ++outcomes_.refused;
    } else if (result == boost::asio::error::connection_reset) {
      ++outcomes_.reset;
    } else if (result == boost::asio::error::timed_out) {
      ++outcomes_.timed_out;
    } else if (result == boost::asio::error::host_unreachable ||
               result == boost::asio::error::network_unreachable) {
      ++outcomes_.unreachable;
    } else {
      ++outcomes_.other_errors;
    }
  }

  boost::asio::io_context& io_;
  const Clock& clock_;
  TcpConnectProberOptions options_;
  ProbeListener* listener_;
  std::unordered_map<std::uint32_t, std::unique_ptr<Attempt>> in_flight_;
  ProberCounters counters_;
  TcpConnectOutcomes outcomes_;
  bool closed_ = false;
};

Result<std::unique_ptr<TcpConnectProber>> TcpConnectProber::Make(
    boost::asio::io_context& io, const Clock& clock, const TcpConnectProberOptions& options,
    ProbeListener& listener) {
  if (options.timeout <= std::chrono::nanoseconds(0) || options.max_in_flight == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "tcp prober: timeout and max_in_flight must be positive");
  }
  if (options.target.port() == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "tcp prober: the target needs a port");
  }
  return std::unique_ptr<TcpConnectProber>(
      new TcpConnectProber(std::make_shared<Attempts>(io, clock, options, listener)));
}

TcpConnectProber::TcpConnectProber(std::shared_ptr<Attempts> attempts)
    : attempts_(std::move(attempts)) {}

TcpConnectProber::~TcpConnectProber() { attempts_->Close(); }

Status TcpConnectProber::Send(std::uint32_t sequence) { return attempts_->Send(sequence); }

const ProberCounters& TcpConnectProber::counters() const { return attempts_->counters(); }

const TcpConnectOutcomes& TcpConnectProber::outcomes() const { return attempts_->outcomes(); }

}  // namespace linkmon::probers
