#include "exporters/http/http_router.h"

namespace linkmon::exporters {

void HttpRouter::AddExact(boost::beast::http::verb method, std::string path, std::string route_name,
                          HttpHandler handler) {
  routes_.push_back(
      {method, std::move(path), false, std::move(route_name), std::move(handler), nullptr});
}

void HttpRouter::AddExactDeferred(boost::beast::http::verb method, std::string path,
                                  std::string route_name, DeferredHttpHandler handler) {
  routes_.push_back(
      {method, std::move(path), false, std::move(route_name), nullptr, std::move(handler)});
}

void HttpRouter::AddPrefix(boost::beast::http::verb method, std::string prefix,
                           std::string route_name, HttpHandler handler) {
  routes_.push_back(
      {method, std::move(prefix), true, std::move(route_name), std::move(handler), nullptr});
}

HttpRouter::Match HttpRouter::Find(boost::beast::http::verb method, std::string_view path) const {
  Match match;
  match.route_name = "unmatched";
  std::size_t best_length = 0;
  for (const Route& route : routes_) {
    const bool path_matches = route.is_prefix ? path.starts_with(route.path) : path == route.path;
    if (!path_matches) continue;
    if (route.method != method) {
      match.path_known = true;
      continue;
    }
    // An exact route always beats a prefix; among prefixes the longest wins.
    const std::size_t length = route.is_prefix ? route.path.size() : path.size() + 1;
    if ((match.handler == nullptr && match.deferred == nullptr) || length > best_length) {
      match.handler = route.handler ? &route.handler : nullptr;
      match.deferred = route.deferred ? &route.deferred : nullptr;
      match.route_name = route.name;
      best_length = length;
    }
  }
  return match;
}

}  // namespace linkmon::exporters
