#pragma once

// The request and response types handlers see. Responses are plain Beast messages; handlers build
// them with MakeResponse / MakeJsonError so that every answer carries the same headers.

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "exporters/http/response_body.h"

namespace linkmon::exporters {

using HttpMessage = boost::beast::http::request<boost::beast::http::string_body>;
// Its body is owned or shared with a cache (response_body.h).
using HttpResponse = boost::beast::http::response<ResponseBody>;

// One parsed request. `path` and `query` point into `message`'s target and live as long as it.
struct HttpRequest {
  const HttpMessage& message;
  boost::asio::ip::address remote;
  std::string_view path;   // "/api/v1/matrix"
  std::string_view query;  // "from=xining&sla=nationwide" (still percent-encoded), or empty
  // With mutual TLS: the names of the client certificate the handshake verified
  // (certificate_names.h). Empty over plain HTTP and TLS without client certificates.
  std::span<const std::string> client_certificate_names = {};
};

// Handlers run on the server's io_context thread and must not block for long.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// The answer to a deferred request (below): call it once, from any thread; the server sends the
// response on its io_context thread. When the connection was closed meanwhile (the server
// stopped), the response is dropped.
using HttpResponder = std::function<void(HttpResponse)>;
// A handler that answers later, for work that must not hold the io_context thread (ingest waits
// for a commit's fsync on the store's writer thread). The request is valid during the call
// only: copy what the answer needs. Until it answers, the connection reads nothing more (HTTP/1.1
// answers in order); a client that disconnects meanwhile is noticed when the answer is written.
// A responder never called keeps its connection until the server stops.
using DeferredHttpHandler = std::function<void(const HttpRequest&, HttpResponder)>;

// A response with Content-Type, Content-Length and Server set. `version` and keep-alive are copied
// from the request by the server before sending.
HttpResponse MakeResponse(boost::beast::http::status status, std::string_view content_type,
                          std::string body);

// {"error":"<message>"} with the given status: every refusal says why, in a form a scheduler's
// client can parse as easily as a person can read it.
HttpResponse MakeJsonError(boost::beast::http::status status, std::string_view message);

}  // namespace linkmon::exporters
