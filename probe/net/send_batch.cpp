#include "probe/net/send_batch.h"

#include <cerrno>

#include <fmt/format.h>

namespace linkmon::net {

void SendBatch::Add(std::span<const std::uint8_t> data, const SocketAddress& to) {
  if (offsets_.empty()) offsets_.push_back(0);
  bytes_.insert(bytes_.end(), data.begin(), data.end());
  offsets_.push_back(bytes_.size());
  addresses_.push_back(to);
}

std::span<const Status> SendBatch::Send(int fd) {
  const std::size_t count = addresses_.size();
  results_.assign(count, Status{});
  // Pointers into bytes_ only now: it may have grown while datagrams were added.
  iovecs_.resize(count);
  headers_.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    iovecs_[i] = {.iov_base = bytes_.data() + offsets_[i],
                  .iov_len = offsets_[i + 1] - offsets_[i]};
    msghdr& message = headers_[i].msg_hdr;
    message = {};
    message.msg_name = const_cast<sockaddr*>(addresses_[i].get());
    message.msg_namelen = addresses_[i].length();
    message.msg_iov = &iovecs_[i];
    message.msg_iovlen = 1;
    headers_[i].msg_len = 0;
  }
  std::size_t next = 0;
  while (next < count) {
    int sent = ::sendmmsg(fd, headers_.data() + next, static_cast<unsigned int>(count - next),
                          MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      // The first datagram of this call was refused; the kernel says why.
      results_[next] = tl::unexpected(ErrnoError("sendmmsg"));
      ++next;
      continue;
    }
    if (sent == 0) {  // not expected with datagrams left; never spin on it
      for (; next < count; ++next)
        results_[next] = MakeError(ErrorCode::kIo, "sendmmsg: sent none");
      break;
    }
    for (int i = 0; i < sent; ++i, ++next) {
      if (headers_[next].msg_len != iovecs_[next].iov_len) {
        results_[next] =
            MakeError(ErrorCode::kIo, fmt::format("sendmmsg: sent {} of {} bytes",
                                                  headers_[next].msg_len, iovecs_[next].iov_len));
      }
    }
  }
  bytes_.clear();
  offsets_.clear();
  addresses_.clear();
  return results_;
}

}  // namespace linkmon::net
