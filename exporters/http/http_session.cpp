#include "exporters/http/http_session.h"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "exporters/http/http_server.h"

namespace linkmon::exporters {

namespace beast = boost::beast;
namespace http = boost::beast::http;

HttpSession::HttpSession(HttpServer& server, boost::asio::ip::tcp::socket socket,
                         boost::asio::ip::address client)
    : server_(server), stream_(std::move(socket)), client_(std::move(client)) {}

void HttpSession::Run() { ReadHeader(server_.options_.header_timeout); }

void HttpSession::Close() {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

void HttpSession::ReadHeader(std::chrono::milliseconds timeout) {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(server_.options_.max_header_bytes));
  parser_->body_limit(server_.options_.max_body_bytes);
  stream_.expires_after(timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            self->OnHeader(ec);
                          });
}

void HttpSession::OnHeader(beast::error_code ec) {
  // Beast refuses a Content-Length above the body limit here already, before a byte of the body
  // is read.
  if (ec) return OnReadError(ec);
  if (parser_->is_done()) return Dispatch();
  if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    continue_.emplace(http::status::continue_, parser_->get().version());
    stream_.expires_after(server_.options_.write_timeout);
    http::async_write(stream_, *continue_,
                      [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                        if (write_ec) return self->Finish();
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

void HttpSession::ReadBody() {
  stream_.expires_after(server_.options_.body_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     self->OnBody(ec);
                   });
}

void HttpSession::OnBody(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  Dispatch();
}

void HttpSession::OnReadError(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == boost::asio::error::operation_aborted) {
    return Finish();
  }
  if (ec == beast::error::timeout) {
    // A client that started a request and stalled is refused; an idle keep-alive connection
    // simply ends.
    if (parser_->got_some()) server_.CountRefusal(HttpServer::Refusal::kReadTimeout);
    return Finish();
  }
  if (ec == http::error::header_limit) {
    server_.CountRefusal(HttpServer::Refusal::kHeaderTooLarge);
    return Refuse(http::status::request_header_fields_too_large,
                  "request header larger than " +
                      std::to_string(server_.options_.max_header_bytes) + " bytes");
  }
  if (ec == http::error::body_limit) {
    server_.CountRefusal(HttpServer::Refusal::kBodyTooLarge);
    return Refuse(http::status::payload_too_large,
                  "request body larger than " + std::to_string(server_.options_.max_body_bytes) +
                      " bytes");
  }
  server_.CountRefusal(HttpServer::Refusal::kBadRequest);
  Refuse(http::status::bad_request, "malformed HTTP request: " + ec.message());
}

void HttpSession::Dispatch() {
  const HttpMessage& message = parser_->get();
  const std::string_view target(message.target().data(), message.target().size());
  const std::size_t question = target.find('?');
  HttpRequest request{message, client_, target.substr(0, question),
                      question == std::string_view::npos ? std::string_view()
                                                         : target.substr(question + 1)};

  const auto match = server_.router_.Find(message.method(), request.path);
  const auto started = std::chrono::steady_clock::now();
  HttpResponse response =
      match.handler != nullptr ? (*match.handler)(request)
      : match.path_known       ? MakeJsonError(http::status::method_not_allowed,
                                               "method not allowed for this path")
                               : MakeJsonError(http::status::not_found, "no such path");
  server_.ObserveRequest(match.route_name, response.result_int(),
                         std::chrono::steady_clock::now() - started);
  if (message.method() == http::verb::head) {
    response.body().clear();  // keep the Content-Length the GET would carry
  }
  response.version(message.version());
  response.keep_alive(message.keep_alive());
  Send(std::move(response), !message.keep_alive());
}

void HttpSession::Refuse(http::status status, std::string_view message) {
  // After a refused request the stream's position is unknown: answer and close.
  HttpResponse response = MakeJsonError(status, message);
  response.keep_alive(false);
  server_.ObserveRequest("refused", response.result_int(), std::chrono::nanoseconds(0));
  Send(std::move(response), /*close_after=*/true);
}

void HttpSession::Send(HttpResponse response, bool close_after) {
  response_.emplace(std::move(response));
  stream_.expires_after(server_.options_.write_timeout);
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                      self->OnSent(ec, close_after);
                    });
}

void HttpSession::OnSent(beast::error_code ec, bool close_after) {
  response_.reset();
  if (ec || close_after) {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    return Finish();
  }
  ReadHeader(server_.options_.idle_timeout);
}

void HttpSession::Finish() {
  if (finished_) return;
  finished_ = true;
  beast::error_code ignored;
  stream_.socket().close(ignored);
  server_.SessionClosed(this, client_);
}

}  // namespace linkmon::exporters
