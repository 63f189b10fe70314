#include "probe/bandwidth/throughput_responder.h"

#include <openssl/rand.h>

#include <algorithm>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <optional>
#include <utility>

namespace linkmon::bandwidth {

using boost::asio::ip::tcp;
using boost::asio::ip::udp;

namespace {

constexpr std::size_t kMaxNonces = 4096;
constexpr std::uint32_t kEchoEvery = 16;
constexpr std::size_t kMaxDatagramsPerTurn = 256;
constexpr std::size_t kMaxTrackedSequences = 1u << 24;

std::uint32_t RandomSession() {
  std::uint32_t value = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value) != 1) value = 1;
  return value == 0 ? 1 : value;
}

}  // namespace

// What the running test has received so far.
struct RunningTest {
  TestRequest request;
  std::uint32_t session = 0;
  boost::asio::ip::address source;
  TestReport report;
  std::optional<MonotonicTime> first_arrival;
  MonotonicTime last_arrival{};
  std::vector<bool> seen;  // UDP sequence numbers received (duplicate detection)
  std::uint32_t highest = 0;
  bool any = false;
  // Byte token bucket at the granted rate (UDP) / pacing reference (TCP).
  double tokens = 0;
  MonotonicTime refilled{};
  MonotonicTime started{};
};

class ThroughputResponder::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, const Clock& clock, ThroughputResponderOptions options,
       stamp::HmacKey key)
      : io_(io),
        clock_(clock),
        options_(std::move(options)),
        key_(std::move(key)),
        acceptor_(io),
        datagrams_(io) {}

  Status Open() {
    boost::system::error_code error;
    acceptor_.open(options_.listen.protocol(), error);
    if (!error && options_.listen.address().is_v6()) {
      acceptor_.set_option(boost::asio::ip::v6_only(false), error);
    }
    if (!error) acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor_.bind(options_.listen, error);
    if (!error) acceptor_.listen(8, error);
    if (error) {
      return MakeError(ErrorCode::kIo, "throughput responder: cannot listen on TCP " +
                                           options_.listen.address().to_string() + " port " +
                                           std::to_string(options_.listen.port()) + ": " +
                                           error.message());
    }
    const udp::endpoint udp_endpoint(options_.listen.address(), options_.data_port);
    datagrams_.open(udp_endpoint.protocol(), error);
    if (!error && udp_endpoint.address().is_v6()) {
      datagrams_.set_option(boost::asio::ip::v6_only(false), error);
    }
    if (!error) datagrams_.bind(udp_endpoint, error);
    if (!error) datagrams_.set_option(udp::socket::receive_buffer_size(4 * 1024 * 1024), error);
    if (!error) datagrams_.non_blocking(true, error);
    if (error) {
      return MakeError(ErrorCode::kIo, "throughput responder: cannot bind UDP port " +
                                           std::to_string(udp_endpoint.port()) + ": " +
                                           error.message());
    }
    return {};
  }

  void Begin() {
    Accept();
    WaitDatagrams();
  }

  void Close() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    datagrams_.close(ignored);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  const ThroughputResponderCounters& counters() const { return counters_; }

 private:
  struct Connection {
    explicit Connection(boost::asio::io_context& io) : socket(io), deadline(io) {}
    tcp::socket socket;
    boost::asio::steady_timer deadline;
    RequestBytes request{};
    ResponseBytes response{};
    ReportBytes report{};
    Nonce nonce{};
    std::array<std::uint8_t, 64 * 1024> buffer{};
  };

  void Accept() {
    auto connection = std::make_shared<Connection>(io_);
    acceptor_.async_accept(connection->socket, [self = shared_from_this(),
                                                connection](boost::system::error_code error) {
      if (error == boost::asio::error::operation_aborted) return;
      if (!error) {
        ++self->counters_.connections;
        self->ReadRequest(connection);
      }
      self->Accept();
    });
  }

  // Closes the connection if `what` is not done within `limit`.
  void Arm(const std::shared_ptr<Connection>& connection, std::chrono::nanoseconds limit) {
    connection->deadline.expires_after(limit);
    connection->deadline.async_wait(
        [self = shared_from_this(), connection](boost::system::error_code error) {
          if (error) return;
          ++self->counters_.timed_out;
          boost::system::error_code ignored;
          connection->socket.close(ignored);
        });
  }

  void ReadRequest(const std::shared_ptr<Connection>& connection) {
    Arm(connection, options_.control_timeout);
    boost::asio::async_read(
        connection->socket, boost::asio::buffer(connection->request),
        [self = shared_from_this(), connection](boost::system::error_code error, std::size_t) {
          connection->deadline.cancel();
          if (error) return;
          self->Decide(connection);
        });
  }

  void Refuse(const std::shared_ptr<Connection>& connection, TestVerdict verdict) {
    ++counters_.refused[static_cast<std::size_t>(verdict)];
    TestResponse response{.verdict = verdict,
                          .udp_port = 0,
                          .rate = options_.max_rate,
                          .duration = options_.max_duration,
                          .session = 0};
    Respond(connection, response, [](const std::shared_ptr<Connection>&) {});
  }

  template <typename Then>
  void Respond(const std::shared_ptr<Connection>& connection, const TestResponse& response,
               Then then) {
    auto bytes = EncodeResponse(response, connection->nonce, key_);
    if (!bytes) return;
    connection->response = *bytes;
    Arm(connection, options_.control_timeout);
    boost::asio::async_write(connection->socket, boost::asio::buffer(connection->response),
                             [self = shared_from_this(), connection, then](
                                 boost::system::error_code error, std::size_t) {
                               connection->deadline.cancel();
                               if (!error) then(connection);
                             });
  }

  bool SourceAllowed(const boost::asio::ip::address& address) const {
    return net::AnyContains(options_.allowed_sources, net::Unmapped(address));
  }

  std::chrono::nanoseconds GrantedWithinWindow(MonotonicTime now) {
    while (!grants_.empty() && now - grants_.front().first > options_.duty_window) {
      grants_.pop_front();
    }
    std::chrono::nanoseconds total{0};
    for (const auto& grant : grants_) total += grant.second;
    return total;
  }

  void Decide(const std::shared_ptr<Connection>& connection) {
    std::copy_n(connection->request.begin() + 24, 16, connection->nonce.begin());
    boost::system::error_code error;
    const auto peer = connection->socket.remote_endpoint(error);
    if (error) return;
    auto request = DecodeRequest(connection->request, key_);
    if (!request) {
      if (request.error().code == ErrorCode::kPermission) {
        Refuse(connection, TestVerdict::kBadAuthentication);
      } else {
        ++counters_.refused[static_cast<std::size_t>(TestVerdict::kMalformed)];
      }
      return;
    }
    const MonotonicTime now = clock_.MonotonicNow();
    const auto wall =
        std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.SystemNow().time_since_epoch());
    const auto skew = wall - request->sent_unix;
    const bool replayed =
        std::find(nonces_.begin(), nonces_.end(), request->nonce) != nonces_.end() ||
        skew > kMaxClockSkew || skew < -kMaxClockSkew;
    if (!replayed) {
      nonces_.push_back(request->nonce);
      if (nonces_.size() > kMaxNonces) nonces_.pop_front();
    }
    const auto duty_budget = std::chrono::duration_cast<std::chrono::nanoseconds>(
        options_.duty_window * options_.max_duty_cycle);
    TestVerdict verdict = TestVerdict::kAccepted;
    if (!SourceAllowed(peer.address())) {
      verdict = TestVerdict::kSourceNotAllowed;
    } else if (replayed) {
      verdict = TestVerdict::kReplayed;
    } else if (request->rate.bits_per_second == 0 ||
               request->duration <= std::chrono::milliseconds(0) ||
               (request->mode == TestMode::kUdp &&
                (request->datagram_bytes < kDatagramHeaderBytes ||
                 request->datagram_bytes > 65000))) {
      verdict = TestVerdict::kMalformed;
    } else if (request->rate > options_.max_rate) {
      verdict = TestVerdict::kRateAboveCap;
    } else if (request->duration > options_.max_duration) {
      verdict = TestVerdict::kDurationAboveCap;
    } else if (running_) {
      verdict = TestVerdict::kBusy;
    } else if (GrantedWithinWindow(now) + request->duration > duty_budget) {
      verdict = TestVerdict::kDutyCycle;
    }
    if (verdict != TestVerdict::kAccepted) {
      Refuse(connection, verdict);
      return;
    }
    ++counters_.accepted;
    grants_.emplace_back(now, request->duration);
    running_.emplace();
    running_->request = *request;
    running_->session = RandomSession();
    running_->source = net::Unmapped(peer.address());
    running_->report.mode = request->mode;
    running_->started = now;
    running_->refilled = now;
    running_->tokens = BurstBytes();
    if (request->mode == TestMode::kUdp) {
      const double expected = static_cast<double>(request->rate.bits_per_second) / 8 /
                              request->datagram_bytes *
                              std::chrono::duration<double>(request->duration).count();
      running_->seen.assign(
          std::min<std::size_t>(kMaxTrackedSequences, static_cast<std::size_t>(expected * 2) + 16),
          false);
    }
    const TestResponse response{.verdict = TestVerdict::kAccepted,
                                .udp_port = datagrams_.local_endpoint().port(),
                                .rate = request->rate,
                                .duration = request->duration,
                                .session = running_->session};
    Respond(connection, response, [self = shared_from_this()](const auto& accepted) {
      // The test may run for its duration plus a grace, no longer.
      self->Arm(accepted, self->running_->request.duration + self->options_.control_timeout);
      if (self->running_->request.mode == TestMode::kTcp) {
        self->ReadBulk(accepted);
      } else {
        self->AwaitEndMark(accepted);
      }
    });
  }

  double BurstBytes() const {
    return static_cast<double>(running_->request.rate.bits_per_second) / 8 * 0.1;
  }

  // Takes `bytes` from the token bucket; false when they are above the granted rate.
  bool TakeTokens(std::size_t bytes, MonotonicTime now) {
    const double elapsed = std::chrono::duration<double>(now - running_->refilled).count();
    running_->refilled = now;
    running_->tokens =
        std::min(BurstBytes(),
                 running_->tokens +
                     elapsed * static_cast<double>(running_->request.rate.bits_per_second) / 8);
    if (running_->tokens < static_cast<double>(bytes)) return false;
    running_->tokens -= static_cast<double>(bytes);
    return true;
  }

  void NoteArrival(MonotonicTime now, std::size_t bytes) {
    if (!running_->first_arrival) running_->first_arrival = now;
    running_->last_arrival = now;
    running_->report.bytes += bytes;
  }

  void ReadBulk(const std::shared_ptr<Connection>& connection) {
    connection->socket.async_read_some(
        boost::asio::buffer(connection->buffer),
        [self = shared_from_this(), connection](boost::system::error_code error,
                                                std::size_t bytes) {
          if (!self->running_) return;
          const MonotonicTime now = self->clock_.MonotonicNow();
          if (bytes > 0) self->NoteArrival(now, bytes);
          if (error == boost::asio::error::eof) {
            self->SendReport(connection);
            return;
          }
          if (error) {
            self->running_.reset();
            return;
          }
          // Read no faster than the granted rate: when ahead of it, wait before the next read.
          const double rate = static_cast<double>(self->running_->request.rate.bits_per_second);
          const auto due =
              self->running_->started +
              std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(
                  static_cast<double>(self->running_->report.bytes) * 8 / rate));
          if (due <= now) {
            self->ReadBulk(connection);
            return;
          }
          auto pause = std::make_shared<boost::asio::steady_timer>(self->io_, due - now);
          pause->async_wait([self, connection, pause](boost::system::error_code) {
            if (self->running_) self->ReadBulk(connection);
          });
        });
  }

  void AwaitEndMark(const std::shared_ptr<Connection>& connection) {
    boost::asio::async_read(
        connection->socket, boost::asio::buffer(connection->buffer.data(), 1),
        [self = shared_from_this(), connection](boost::system::error_code error, std::size_t) {
          if (error || connection->buffer[0] != 'E') {
            self->running_.reset();
            return;
          }
          auto drain = std::make_shared<boost::asio::steady_timer>(self->io_, self->options_.drain);
          drain->async_wait([self, connection, drain](boost::system::error_code) {
            self->SendReport(connection);
          });
        });
  }

  void SendReport(const std::shared_ptr<Connection>& connection) {
    if (!running_) return;
    TestReport report = running_->report;
    if (running_->first_arrival)
      report.arrival_span = running_->last_arrival - *running_->first_arrival;
    running_.reset();
    auto bytes = EncodeReport(report, connection->nonce, key_);
    if (!bytes) return;
    connection->report = *bytes;
    boost::asio::async_write(connection->socket, boost::asio::buffer(connection->report),
                             [connection](boost::system::error_code, std::size_t) {
                               connection->deadline.cancel();
                               boost::system::error_code ignored;
                               connection->socket.shutdown(tcp::socket::shutdown_both, ignored);
                             });
  }

  void WaitDatagrams() {
    datagrams_.async_wait(udp::socket::wait_read,
                          [self = shared_from_this()](boost::system::error_code error) {
                            if (error) return;
                            self->ReadDatagrams();
                            self->WaitDatagrams();
                          });
  }

  void ReadDatagrams() {
    std::array<std::uint8_t, 65536> buffer;
    for (std::size_t turn = 0; turn < kMaxDatagramsPerTurn; ++turn) {
      udp::endpoint from;
      boost::system::error_code error;
      const std::size_t size = datagrams_.receive_from(boost::asio::buffer(buffer), from, 0, error);
      if (error) return;
      OnDatagram(std::span<const std::uint8_t>(buffer.data(), size), from);
    }
  }

  void OnDatagram(std::span<const std::uint8_t> datagram, const udp::endpoint& from) {
    auto header = DecodeDatagramHeader(datagram, /*echo=*/false);
    if (!header || !running_ || running_->request.mode != TestMode::kUdp ||
        header->session != running_->session || net::Unmapped(from.address()) != running_->source) {
      ++counters_.foreign_datagrams;
      return;
    }
    const MonotonicTime now = clock_.MonotonicNow();
    if (!TakeTokens(datagram.size(), now)) {
      running_->report.bytes_above_rate += datagram.size();
      counters_.bytes_above_rate += datagram.size();
      return;
    }
    if (header->sequence < running_->seen.size()) {
      if (running_->seen[header->sequence]) {
        ++running_->report.duplicates;
        return;
      }
      running_->seen[header->sequence] = true;
    }
    if (running_->any && header->sequence < running_->highest) ++running_->report.out_of_order;
    running_->highest = std::max(running_->highest, header->sequence);
    running_->any = true;
    ++running_->report.datagrams;
    NoteArrival(now, datagram.size());
    if (header->sequence % kEchoEvery == 0) {
      std::array<std::uint8_t, kEchoBytes> echo{};
      EncodeDatagramHeader(
          *header, /*echo=*/true,
          std::span<std::uint8_t, kDatagramHeaderBytes>(echo.data(), kDatagramHeaderBytes));
      boost::system::error_code ignored;
      datagrams_.send_to(boost::asio::buffer(echo), from, 0, ignored);
    }
  }

  boost::asio::io_context& io_;
  const Clock& clock_;
  ThroughputResponderOptions options_;
  stamp::HmacKey key_;
  tcp::acceptor acceptor_;
  udp::socket datagrams_;
  ThroughputResponderCounters counters_;
  std::deque<Nonce> nonces_;
  std::deque<std::pair<MonotonicTime, std::chrono::nanoseconds>> grants_;
  std::optional<RunningTest> running_;
};

Result<std::unique_ptr<ThroughputResponder>> ThroughputResponder::Start(
    boost::asio::io_context& io, const Clock& clock, ThroughputResponderOptions options,
    stamp::HmacKey key) {
  if (options.max_rate.bits_per_second == 0 || options.max_duration.count() <= 0 ||
      !(options.max_duty_cycle > 0 && options.max_duty_cycle <= 1) ||
      options.duty_window <= std::chrono::nanoseconds::zero()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "throughput responder: max_rate, max_duration and duty_window must be "
                     "positive and max_duty_cycle in (0, 1]");
  }
  auto impl = std::make_shared<Impl>(io, clock, std::move(options), std::move(key));
  if (auto opened = impl->Open(); !opened) return tl::unexpected(opened.error());
  impl->Begin();
  return std::unique_ptr<ThroughputResponder>(new ThroughputResponder(std::move(impl)));
}

ThroughputResponder::~ThroughputResponder() { impl_->Close(); }

std::uint16_t ThroughputResponder::port() const { return impl_->port(); }

const ThroughputResponderCounters& ThroughputResponder::counters() const {
  return impl_->counters();
}

}  // namespace linkmon::bandwidth
