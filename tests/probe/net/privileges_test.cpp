#include "probe/net/privileges.h"

#include <poll.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "probe/icmp/echo_packet.h"
#include "probe/icmp/icmp_socket.h"
#include "probe/net/datagram_io.h"

namespace linkmon::net {
namespace {

constexpr unsigned long long kCapNetRaw = 1ULL << 13;

// In the child: exit codes say which step failed.
enum ChildExit {
  kOk = 0,
  kOpenFailed = 10,
  kDropUserFailed = 11,
  kDropCapsFailed = 12,
  kNewRawSocketOpened = 13,
  kEchoFailed = 14,
};

// Echoes 127.0.0.1 once over `socket`; true when our reply comes back.
bool EchoOnce(icmp::IcmpSocket& socket) {
  icmp::Cookie cookie = icmp::RandomCookie();
  std::array<std::uint8_t, 32> request{};
  if (!icmp::EncodeEchoRequest(icmp::IpVersion::kV4,
                               {.identifier = socket.identifier(), .flow = 1, .sequence = 5},
                               cookie, request)) {
    return false;
  }
  auto to = SocketAddress::Make(boost::asio::ip::make_address("127.0.0.1"), 0, AF_INET);
  if (!to || !SendDatagram(socket.fd(), request, *to)) return false;
  pollfd readable{.fd = socket.fd(), .events = POLLIN, .revents = 0};
  if (::poll(&readable, 1, 2000) != 1) return false;
  std::array<std::uint8_t, 256> buffer{};
  auto received = ReceiveDatagram(socket.fd(), buffer);
  if (!received) return false;
  auto reply = icmp::DecodeEchoReply(icmp::IpVersion::kV4, socket.kind(),
                                     std::span<const std::uint8_t>(buffer).first(received->size));
  return reply && reply->cookie == cookie && reply->sequence == 5;
}

std::string StatusLine(int pid, const std::string& key) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(key + ":", 0) == 0) return line;
  }
  return "";
}

TEST(PrivilegesTest, RawSocketOpenedBeforeDroppingKeepsWorkingWithNoCapabilitiesLeft) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to start with CAP_NET_RAW";
  passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user 'nobody'";
  int ready[2];
  int go[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    ::close(go[1]);
    Result<icmp::IcmpSocket> raw =
        icmp::IcmpSocket::Open(icmp::IpVersion::kV4, icmp::SocketPreference::kRawOnly);
    if (!raw) ::_exit(kOpenFailed);
    if (!DropToUser("nobody")) ::_exit(kDropUserFailed);
    if (!DropAllCapabilities()) ::_exit(kDropCapsFailed);
    char byte = 'r';
    (void)::write(ready[1], &byte, 1);
    (void)::read(go[0], &byte, 1);  // the parent reads /proc/PID/status meanwhile
    if (icmp::IcmpSocket::Open(icmp::IpVersion::kV4, icmp::SocketPreference::kRawOnly)) {
      ::_exit(kNewRawSocketOpened);
    }
    ::_exit(EchoOnce(*raw) ? kOk : kEchoFailed);
  }
  ::close(ready[1]);
  ::close(go[0]);
  char byte = 0;
  bool child_ready = ::read(ready[0], &byte, 1) == 1;
  Result<CapabilitySets> caps = ReadCapabilities(child);
  std::string uid_line = StatusLine(child, "Uid");
  (void)::write(go[1], "g", 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(go[1]);

  ASSERT_TRUE(child_ready) << "child exited early with " << WEXITSTATUS(status);
  ASSERT_TRUE(caps.has_value()) << caps.error().message;
  EXPECT_EQ(caps->effective, 0u);
  EXPECT_EQ(caps->permitted, 0u);
  EXPECT_EQ(caps->effective & kCapNetRaw, 0u);
  EXPECT_EQ(caps->ambient, 0u);
  std::string uid = std::to_string(nobody->pw_uid);
  EXPECT_EQ(uid_line, "Uid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kOk);
}

TEST(PrivilegesTest, ReadsTheCapabilitiesOfThisProcess) {
  Result<CapabilitySets> caps = ReadCapabilities(::getpid());
  ASSERT_TRUE(caps.has_value()) << caps.error().message;
  if (::geteuid() == 0) {
    EXPECT_NE(caps->effective & kCapNetRaw, 0u);
  }
  EXPECT_EQ(ReadCapabilities(-5).error().code, ErrorCode::kIo);
}

TEST(PrivilegesTest, DropToUserRefusesUnknownAndRootUsers) {
  if (::geteuid() != 0) {
    EXPECT_EQ(DropToUser("nobody").error().code, ErrorCode::kPermission);
    return;
  }
  EXPECT_EQ(DropToUser("no-such-user-linkmon").error().message,
            "unknown user 'no-such-user-linkmon'");
  EXPECT_EQ(DropToUser("root").error().message, "user 'root' is root: choose an unprivileged user");
}

}  // namespace
}  // namespace linkmon::net
