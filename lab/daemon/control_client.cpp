#include "lab/daemon/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace linkmon::lab {

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<nlohmann::json> ControlRequest(const std::filesystem::path& socket_path,
                                      const nlohmann::json& request,
                                      std::chrono::milliseconds timeout) {
  const std::string where = "emulator control socket " + socket_path.string();
  Fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return MakeError(ErrorCode::kIo, where + ": " + strerror(errno));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = socket_path.string();
  if (path.size() >= sizeof address.sun_path) {
    return MakeError(ErrorCode::kInvalidArgument, where + ": path too long");
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return MakeError(ErrorCode::kUnavailable, where + ": " + strerror(errno) + " (is the lab up?)");
  }
  const std::string message = request.dump() + "\n";
  if (send(fd.get(), message.data(), message.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(message.size())) {
    return MakeError(ErrorCode::kIo, where + ": send: " + strerror(errno));
  }
  std::string reply;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[8192];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return MakeError(ErrorCode::kUnavailable, where + ": no reply");
    pollfd poll_fd{fd.get(), POLLIN, 0};
    if (poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = recv(fd.get(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return MakeError(ErrorCode::kIo, where + ": recv: " + strerror(errno));
    if (n == 0) break;
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  auto parsed = nlohmann::json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return MakeError(ErrorCode::kParse, where + ": malformed reply");
  }
  if (!parsed.value("ok", false)) {
    return MakeError(ErrorCode::kInvalidArgument, parsed.value("error", std::string("failed")));
  }
  return parsed;
}

}  // namespace linkmon::lab
