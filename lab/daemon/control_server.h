#pragma once

// The emulator's side of the control socket (control_client.h has the protocol): a Unix stream
// socket in the lab's state directory, readable only by its owner (root). The daemon's epoll loop
// owns the waiting; this class owns the sockets and the framing: one newline-terminated JSON
// request per connection, at most kMaxControlRequestBytes, one reply, then the connection closes.
//
// Not thread-safe; used by the emulator's single thread.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "lab/daemon/unique_fd.h"

namespace linkmon::lab {

class ControlServer {
 public:
  // Answers one parsed request (a JSON object with a "command").
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;
  // Adds a descriptor to the owner's epoll set for reading (false if it cannot), or removes it.
  struct Watcher {
    std::function<bool(int fd)> add;
    std::function<void(int fd)> remove;
  };

  static Result<std::unique_ptr<ControlServer>> Listen(const std::filesystem::path& path,
                                                       Handler handler, Watcher watcher);

  // Whether `fd` is this server's (the listening socket or a client); then OnReadable handles it.
  bool Owns(int fd) const { return fd == listener_.get() || clients_.contains(fd); }
  void OnReadable(int fd);

 private:
  ControlServer(UniqueFd listener, Handler handler, Watcher watcher);
  void AcceptClients();
  void ServeClient(int fd);
  void Close(int fd);

  UniqueFd listener_;
  Handler handler_;
  Watcher watcher_;
  std::map<int, std::string> clients_;  // fd -> request bytes so far
};

}  // namespace linkmon::lab
