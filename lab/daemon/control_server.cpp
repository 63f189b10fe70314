#include "lab/daemon/control_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "lab/daemon/control_client.h"

namespace linkmon::lab {

namespace {

constexpr std::size_t kMaxClients = 16;

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Listen(const std::filesystem::path& path,
                                                             Handler handler, Watcher watcher) {
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) {
    return MakeError(ErrorCode::kIo, std::string("control socket: ") + strerror(errno));
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path.string();
  if (text.size() >= sizeof address.sun_path) {
    return MakeError(ErrorCode::kInvalidArgument, "control socket path too long: " + text);
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  unlink(text.c_str());
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return MakeError(ErrorCode::kIo, "bind " + text + ": " + strerror(errno));
  }
  chmod(text.c_str(), 0600);  // changing a lab is for the user who runs it (root)
  if (listen(fd.get(), 8) != 0) {
    return MakeError(ErrorCode::kIo, "listen " + text + ": " + strerror(errno));
  }
  std::unique_ptr<ControlServer> server(
      new ControlServer(std::move(fd), std::move(handler), std::move(watcher)));
  if (!server->watcher_.add(server->listener_.get())) {
    return MakeError(ErrorCode::kIo, "cannot watch the control socket");
  }
  return server;
}

ControlServer::ControlServer(UniqueFd listener, Handler handler, Watcher watcher)
    : listener_(std::move(listener)), handler_(std::move(handler)), watcher_(std::move(watcher)) {}

void ControlServer::OnReadable(int fd) {
  if (fd == listener_.get()) {
    AcceptClients();
  } else {
    ServeClient(fd);
  }
}

void ControlServer::AcceptClients() {
  while (true) {
    const int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (clients_.size() >= kMaxClients || !watcher_.add(fd)) {
      close(fd);
      continue;
    }
    clients_[fd] = std::string();
  }
}

void ControlServer::ServeClient(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  char buffer[4096];
  const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n > 0) it->second.append(buffer, static_cast<std::size_t>(n));
  const auto newline = it->second.find('\n');
  if (n > 0 && newline == std::string::npos && it->second.size() < kMaxControlRequestBytes) {
    return;  // more to come
  }
  if (newline != std::string::npos) {
    const auto request =
        nlohmann::json::parse(it->second.substr(0, newline), nullptr, /*allow_exceptions=*/false);
    const nlohmann::json reply = request.is_discarded() || !request.is_object() ||
                                         !request.contains("command") ||
                                         !request["command"].is_string()
                                     ? nlohmann::json{{"ok", false}, {"error", "malformed request"}}
                                     : handler_(request);
    const std::string text = reply.dump() + "\n";
    // The reply is written blocking, bounded: a client that does not read within 100 ms loses it
    // rather than stall the packets.
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    timeval timeout{.tv_sec = 0, .tv_usec = 100'000};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::size_t sent = 0;
    while (sent < text.size()) {
      const ssize_t w = send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
      if (w <= 0) break;
      sent += static_cast<std::size_t>(w);
    }
  }
  Close(fd);
}

void ControlServer::Close(int fd) {
  watcher_.remove(fd);
  close(fd);
  clients_.erase(fd);
}

}  // namespace linkmon::lab
