#pragma once

// Maps (method, path) to a handler. Exact paths ("/metrics") and prefixes ("/api/v1/paths/") are
// supported; the longest matching prefix wins. Each route has a short name used as the `route`
// label of the request metrics, so label values stay bounded whatever paths clients ask for.
// A route answers at once (HttpHandler) or later (DeferredHttpHandler, http_types.h).

#include <string>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "exporters/http/http_types.h"

namespace linkmon::exporters {

class HttpRouter {
 public:
  struct Match {
    const HttpHandler* handler = nullptr;           // null: no route for this path (or method)
    const DeferredHttpHandler* deferred = nullptr;  // set instead of handler for deferred routes
    std::string_view route_name;                    // "unmatched" when handler is null
    bool path_known = false;  // true when the path exists for another method (405)
  };

  // Routes are added before the server starts; adding is not thread-safe with Find.
  void AddExact(boost::beast::http::verb method, std::string path, std::string route_name,
                HttpHandler handler);
  void AddPrefix(boost::beast::http::verb method, std::string prefix, std::string route_name,
                 HttpHandler handler);
  // An exact path answered later (http_types.h).
  void AddExactDeferred(boost::beast::http::verb method, std::string path, std::string route_name,
                        DeferredHttpHandler handler);

  Match Find(boost::beast::http::verb method, std::string_view path) const;

 private:
  struct Route {
    boost::beast::http::verb method;
    std::string path;
    bool is_prefix;
    std::string name;
    HttpHandler handler;           // empty for a deferred route
    DeferredHttpHandler deferred;  // empty otherwise
  };
  std::vector<Route> routes_;
};

}  // namespace linkmon::exporters
