#include "collector/ingest/gzip_decoder.h"

#include <zlib.h>

#include <array>
#include <limits>

namespace linkmon::ingest {
namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;
// 16 + MAX_WBITS: expect a gzip header and trailer, not a raw zlib stream (zlib.h, inflateInit2).
constexpr int kGzipWindowBits = 16 + MAX_WBITS;

// Ends the z_stream on every path out of Gunzip.
class InflateStream {
 public:
  InflateStream() = default;
  ~InflateStream() {
    if (initialized_) inflateEnd(&stream_);
  }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;

  bool Init() {
    initialized_ = inflateInit2(&stream_, kGzipWindowBits) == Z_OK;
    return initialized_;
  }
  z_stream& get() { return stream_; }

 private:
  z_stream stream_{};
  bool initialized_ = false;
};

}  // namespace

Result<std::string> Gunzip(std::string_view compressed, std::size_t max_output) {
  if (compressed.size() > std::numeric_limits<uInt>::max()) {
    return MakeError(ErrorCode::kOutOfRange, "gzip: input too large");
  }
  InflateStream inflater;
  if (!inflater.Init()) return MakeError(ErrorCode::kIo, "gzip: inflateInit2 failed");
  z_stream& z = inflater.get();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());

  std::string out;
  std::array<char, kChunkBytes> chunk;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    const int status = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - z.avail_out;
    if (out.size() + produced > max_output) {
      return MakeError(ErrorCode::kOutOfRange,
                       "gzip: decompresses to more than " + std::to_string(max_output) + " bytes");
    }
    out.append(chunk.data(), produced);
    if (status == Z_STREAM_END) break;
    if (status == Z_BUF_ERROR && z.avail_in == 0) {
      return MakeError(ErrorCode::kParse, "gzip: input ends before the end of the stream");
    }
    if (status != Z_OK) {
      return MakeError(ErrorCode::kParse,
                       std::string("gzip: ") + (z.msg != nullptr ? z.msg : "invalid stream"));
    }
  }
  if (z.avail_in != 0) {
    return MakeError(ErrorCode::kParse,
                     "gzip: " + std::to_string(z.avail_in) + " bytes after the end of the stream");
  }
  return out;
}

std::string Gzip(std::string_view plain) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(plain.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace linkmon::ingest
