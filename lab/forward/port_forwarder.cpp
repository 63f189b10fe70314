#include "lab/forward/port_forwarder.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "lab/netns/netns_scope.h"

namespace linkmon::lab {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// One accepted client and its upstream connection inside the namespace.
class Pair : public std::enable_shared_from_this<Pair> {
 public:
  Pair(tcp::socket client, tcp::socket upstream, std::shared_ptr<std::size_t> open)
      : client_(std::move(client)), upstream_(std::move(upstream)), open_(std::move(open)) {
    ++*open_;
  }
  ~Pair() { --*open_; }

  void Start(const tcp::endpoint& remote) {
    upstream_.async_connect(remote, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return self->Close();
      self->Pump(self->client_, self->upstream_, self->to_upstream_);
      self->Pump(self->upstream_, self->client_, self->to_client_);
    });
  }

 private:
  using Buffer = std::array<char, 64 * 1024>;

  void Pump(tcp::socket& from, tcp::socket& to, Buffer& buffer) {
    from.async_read_some(asio::buffer(buffer), [self = shared_from_this(), &from, &to, &buffer](
                                                   boost::system::error_code ec, std::size_t n) {
      if (ec) return self->Close();
      asio::async_write(
          to, asio::buffer(buffer.data(), n),
          [self, &from, &to, &buffer](boost::system::error_code write_ec, std::size_t) {
            if (write_ec) return self->Close();
            self->Pump(from, to, buffer);
          });
    });
  }

  void Close() {
    boost::system::error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
  }

  tcp::socket client_;
  tcp::socket upstream_;
  std::shared_ptr<std::size_t> open_;  // shared with the listener, which may go first
  Buffer to_upstream_{};
  Buffer to_client_{};
};

}  // namespace

Result<ForwardRule> ParseForwardRule(const std::string& text,
                                     const asio::ip::address& default_remote) {
  auto refuse = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "forward '" + text + "': expected LOCAL_PORT[:ADDRESS]:REMOTE_PORT or PORT");
  };
  auto port = [](const std::string& digits) -> std::optional<std::uint16_t> {
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    const unsigned long value = std::stoul(digits);
    if (value == 0 || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
  };
  const auto first = text.find(':');
  const auto last = text.rfind(':');
  if (first == std::string::npos) {
    const auto both = port(text);
    if (!both) return refuse();
    return ForwardRule{*both, tcp::endpoint(default_remote, *both)};
  }
  const auto local = port(text.substr(0, first));
  const auto remote = port(text.substr(last + 1));
  if (!local || !remote) return refuse();
  asio::ip::address address = default_remote;
  if (first != last) {
    boost::system::error_code ec;
    address = asio::ip::make_address(text.substr(first + 1, last - first - 1), ec);
    if (ec) return refuse();
  }
  return ForwardRule{*local, tcp::endpoint(address, *remote)};
}

class PortForwarder::Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, std::string netns, ForwardRule rule)
      : io_(io), acceptor_(io), netns_(std::move(netns)), rule_(rule) {}

  Status Open() {
    boost::system::error_code ec;
    const tcp::endpoint local(asio::ip::address_v4::loopback(), rule_.local_port);
    acceptor_.open(local.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(local, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return MakeError(ErrorCode::kIo, "cannot listen on 127.0.0.1:" +
                                           std::to_string(rule_.local_port) + ": " + ec.message());
    }
    return {};
  }

  void Accept() {
    acceptor_.async_accept(
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket client) {
          if (ec == asio::error::operation_aborted) return;
          if (!ec) self->Forward(std::move(client));
          self->Accept();
        });
  }

  void Stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  void Forward(tcp::socket client) {
    if (*open_ >= kMaxConnections) return;  // closed as it goes out of scope
    tcp::socket upstream(io_);
    {
      // The upstream socket is created inside the site's namespace and stays there.
      auto scope = NetnsScope::Enter(netns_);
      if (!scope) {
        spdlog::warn("event=forward_failed netns={} detail=\"{}\"", netns_, scope.error().message);
        return;
      }
      boost::system::error_code ec;
      upstream.open(rule_.remote.protocol(), ec);
      if (ec) return;
    }
    std::make_shared<Pair>(std::move(client), std::move(upstream), open_)->Start(rule_.remote);
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::string netns_;
  ForwardRule rule_;
  std::shared_ptr<std::size_t> open_ = std::make_shared<std::size_t>(0);
};

Result<std::unique_ptr<PortForwarder>> PortForwarder::Start(asio::io_context& io, std::string netns,
                                                            const std::vector<ForwardRule>& rules) {
  std::unique_ptr<PortForwarder> forwarder(new PortForwarder());
  for (const ForwardRule& rule : rules) {
    auto listener = std::make_shared<Listener>(io, netns, rule);
    if (auto opened = listener->Open(); !opened) return tl::unexpected(opened.error());
    listener->Accept();
    forwarder->listeners_.push_back(std::move(listener));
  }
  return forwarder;
}

PortForwarder::~PortForwarder() { Stop(); }

void PortForwarder::Stop() {
  for (const auto& listener : listeners_) listener->Stop();
}

}  // namespace linkmon::lab
