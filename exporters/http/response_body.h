#pragma once

// ResponseBody: the Beast body type of every response the server sends. Its text is either owned
// by the response (what handlers usually give: `response.body() = std::string(...)`) or shared,
// read-only, with a cache that keeps the same answer for many requests (Share): the scheduler
// API's full matrix is 3.2 MB at 10,000 paths, asked up to 100 times a second, and copying it into
// every response was a quarter of the API server's CPU (bench/results/api-matrix-profile.txt).
// A shared text stays alive until the response is sent, whatever the cache does meanwhile.
//
// Only written (a server sends responses, it does not parse them), so there is no reader.
// Thread-safety: a value is used by one thread; a shared text is immutable.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional/optional.hpp>

namespace linkmon::exporters {

struct ResponseBody {
  class value_type {
   public:
    value_type() = default;
    value_type& operator=(std::string text) {
      owned_ = std::move(text);
      shared_.reset();
      return *this;
    }
    // Sends `text` without copying it; it must not change any more (it is shared).
    void Share(std::shared_ptr<const std::string> text) {
      shared_ = std::move(text);
      owned_.clear();
    }

    std::string_view view() const { return shared_ ? std::string_view(*shared_) : owned_; }
    std::size_t size() const { return view().size(); }
    bool empty() const { return view().empty(); }
    void clear() { *this = std::string(); }
    bool operator==(std::string_view text) const { return view() == text; }

   private:
    std::string owned_;
    std::shared_ptr<const std::string> shared_;
  };

  static std::uint64_t size(const value_type& body) { return body.size(); }

  // Gives the whole text as one buffer.
  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body)
        : body_(body) {}

    void init(boost::beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      const std::string_view text = body_.view();
      return {{boost::asio::const_buffer(text.data(), text.size()), false}};
    }

   private:
    const value_type& body_;
  };
};

}  // namespace linkmon::exporters
