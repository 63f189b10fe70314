#include "tests/web/cdp_pipe.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace linkmon::testing {

CdpPipe::CdpPipe(int to_browser, int from_browser)
    : to_browser_(to_browser), from_browser_(from_browser) {}

CdpPipe::~CdpPipe() {
  if (to_browser_ >= 0) ::close(to_browser_);
  if (from_browser_ >= 0) ::close(from_browser_);
}

Result<nlohmann::json> CdpPipe::Call(const std::string& method, nlohmann::json params,
                                     const std::string& session_id,
                                     std::chrono::milliseconds timeout) {
  const int id = next_id_++;
  nlohmann::json message = {{"id", id}, {"method", method}, {"params", std::move(params)}};
  if (!session_id.empty()) message["sessionId"] = session_id;
  std::string text = message.dump();
  text.push_back('\0');
  for (std::size_t written = 0; written < text.size();) {
    const ssize_t n = ::write(to_browser_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return MakeError(ErrorCode::kIo, method + ": write: " + std::strerror(errno));
    written += static_cast<std::size_t>(n);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto answer = Read(deadline);
    if (!answer) return MakeError(answer.error().code, method + ": " + answer.error().message);
    if (!answer->contains("id")) {
      events_.push_back(std::move(*answer));
      continue;
    }
    if ((*answer)["id"] != id) continue;  // an answer to an earlier, abandoned call
    if (answer->contains("error")) {
      return MakeError(ErrorCode::kUnavailable, method + ": " + (*answer)["error"].dump());
    }
    return answer->value("result", nlohmann::json::object());
  }
}

Result<nlohmann::json> CdpPipe::Read(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const std::size_t end = buffer_.find('\0');
    if (end != std::string::npos) {
      nlohmann::json message =
          nlohmann::json::parse(buffer_.substr(0, end), nullptr, /*allow_exceptions=*/false);
      buffer_.erase(0, end + 1);
      if (message.is_discarded()) return MakeError(ErrorCode::kParse, "browser sent invalid JSON");
      return message;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return MakeError(ErrorCode::kUnavailable, "no answer in time");
    pollfd descriptor{.fd = from_browser_, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return MakeError(ErrorCode::kIo, std::string("poll: ") + std::strerror(errno));
    if (ready == 0) continue;
    char chunk[65536];
    const ssize_t n = ::read(from_browser_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return MakeError(ErrorCode::kIo, "the browser closed its pipe");
    buffer_.append(chunk, static_cast<std::size_t>(n));
    if (buffer_.size() > (64u << 20)) return MakeError(ErrorCode::kOutOfRange, "message too large");
  }
}

}  // namespace linkmon::testing
