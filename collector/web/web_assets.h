#pragma once

// The collector's web page (collector/web/assets/), compiled into the binary by
// embed_assets.cmake so that the page needs no files at run time and works offline.

#include <span>
#include <string_view>

namespace linkmon::web {

struct WebAsset {
  std::string_view path;          // URL path: "/", "/web/app.js"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view body;          // the file's bytes
};

// Every asset; paths are distinct.
std::span<const WebAsset> WebAssets();

}  // namespace linkmon::web
