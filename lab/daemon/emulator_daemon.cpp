#include "lab/daemon/emulator_daemon.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "lab/daemon/control_server.h"
#include "lab/daemon/duplicate_sender.h"
#include "lab/daemon/nfqueue.h"
#include "lab/daemon/unique_fd.h"
#include "lab/emulator/wake_lead.h"
#include "lab/emulator/wan_emulator.h"
#include "lab/netns/lab_builder.h"
#include "lab/netns/netns_scope.h"
#include "lab/topology/naming.h"

namespace linkmon::lab {

namespace {

// The kernel holds at most this many packets per direction (8,192 is 10 ms at 1 Gbit/s of
// 1,500-byte packets, or 400 ms at 20,000 packets/s); beyond it, the kernel drops.
constexpr std::uint32_t kMaxHeldPerDirection = 8192;
// Datagrams read per loop turn, so that a flood cannot starve releases.
constexpr std::size_t kMaxReadsPerTurn = 64;
// Lazy reading's bounds (Impl::UpdateReadInterval).
constexpr std::chrono::nanoseconds kMaxReadInterval = std::chrono::milliseconds(1);
constexpr std::chrono::nanoseconds kMinReadInterval = std::chrono::microseconds(200);

Error SystemError(const std::string& step) {
  return Error{ErrorCode::kIo, step + ": " + std::strerror(errno)};
}

timespec ToTimespec(std::chrono::nanoseconds duration) {
  const auto ns = duration.count();
  return timespec{.tv_sec = ns / 1'000'000'000, .tv_nsec = ns % 1'000'000'000};
}

// NFQUEUE verdicts, and copies through the raw sockets.
class LabVerdictSink final : public VerdictSink {
 public:
  LabVerdictSink(NfQueue& nfqueue, DuplicateSender& duplicates)
      : nfqueue_(nfqueue), duplicates_(duplicates) {}
  Status Accept(std::uint16_t queue, std::uint32_t id) override {
    return nfqueue_.Accept(queue, id);
  }
  Status AcceptThrough(std::uint16_t queue, std::uint32_t id) override {
    return nfqueue_.AcceptThrough(queue, id);
  }
  Status Drop(std::uint16_t queue, std::uint32_t id) override { return nfqueue_.Drop(queue, id); }
  Status SendCopy(std::span<const std::uint8_t> packet) override {
    return duplicates_.Send(packet);
  }

 private:
  NfQueue& nfqueue_;
  DuplicateSender& duplicates_;
};

}  // namespace

class EmulatorDaemon::Impl {
 public:
  Impl(const Topology& topology, const Clock& clock) : topology_(topology), clock_(clock) {}

  Status Open() {
    const LabPaths paths = LabPaths::For(topology_.name);
    {
      auto scope = NetnsScope::Enter(WanNamespace(topology_.name));
      if (!scope) return tl::unexpected(scope.error());
      auto nfqueue = NfQueue::Open(static_cast<std::uint16_t>(topology_.directions.size()),
                                   kMaxHeldPerDirection,
                                   [this](const QueuedPacket& packet) { OnPacket(packet); });
      if (!nfqueue) return tl::unexpected(nfqueue.error());
      nfqueue_ = std::move(*nfqueue);
      auto duplicates = DuplicateSender::Open();
      if (!duplicates) return tl::unexpected(duplicates.error());
      duplicates_.emplace(std::move(*duplicates));
      // Any socket asking for receive timestamps turns on the kernel's stamping of incoming
      // packets; NFQUEUE then passes each packet's stamp on.
      timestamps_ = UniqueFd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      const int on = 1;
      if (timestamps_.get() < 0 ||
          setsockopt(timestamps_.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
        spdlog::warn("event=no_kernel_timestamps error={}", KvQuote(std::strerror(errno)));
      }
    }
    sink_.emplace(*nfqueue_, *duplicates_);
    emulator_.emplace(topology_, *sink_);
    for (std::uint16_t q = 0; q < emulator_->direction_count(); ++q) SyncCopyMode(q);

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    signals_ = UniqueFd(signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
    if (signals_.get() < 0) return tl::unexpected(SystemError("signalfd"));

    epoll_ = UniqueFd(epoll_create1(EPOLL_CLOEXEC));
    if (epoll_.get() < 0) return tl::unexpected(SystemError("epoll_create1"));
    if (auto added = Watch(signals_.get(), EPOLLIN); !added) return added;
    auto control = ControlServer::Listen(
        paths.control_socket, [this](const nlohmann::json& request) { return Handle(request); },
        {.add = [this](int fd) { return Watch(fd, EPOLLIN).has_value(); },
         .remove = [this](int fd) { epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }});
    if (!control) return tl::unexpected(control.error());
    control_ = std::move(*control);
    if (auto added = Watch(nfqueue_->fd(), EPOLLIN | EPOLLONESHOT); !added) return added;
    UpdateReadInterval();

    std::ofstream pid_file(paths.pid_file);
    pid_file << getpid() << "\n";
    if (!pid_file) return MakeError(ErrorCode::kIo, "cannot write " + paths.pid_file.string());
    return {};
  }

  Status Run() {
    epoll_event events[16];
    while (running_) {
      const MonotonicTime before = clock_.MonotonicNow();
      const std::optional<MonotonicTime> wake_at = NextWake();
      timespec timeout{};
      if (wake_at) timeout = ToTimespec(std::max(*wake_at - before, std::chrono::nanoseconds(0)));
      // epoll_pwait2 sleeps on an hrtimer with this thread's 1 ns slack: as precise as a timerfd,
      // without the two system calls to arm and read one on every turn.
      const int n = epoll_pwait2(epoll_.get(), events, 16, wake_at ? &timeout : nullptr, nullptr);
      if (n < 0) {
        if (errno == EINTR) continue;
        return tl::unexpected(SystemError("epoll_pwait2"));
      }
      ++loop_stats_.turns;
      if (n == 0) ++loop_stats_.timeouts;
      bool packets_waiting = false;
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == nfqueue_->fd()) {
          packets_waiting = true;
          nfqueue_armed_ = false;  // one-shot: re-armed when the socket runs dry
        } else if (fd == signals_.get()) {
          signalfd_siginfo info{};
          if (read(fd, &info, sizeof info) > 0) {
            spdlog::info("event=signal signal={}", info.ssi_signo);
            running_ = false;
          }
        } else if (control_->Owns(fd)) {
          control_->OnReadable(fd);
        }
      }
      MonotonicTime now = clock_.MonotonicNow();
      // While packets flow and every link holds them a while, the socket is read on each wake and
      // at least every read_interval_, not on each arrival: the kernel's arrival stamp keeps the
      // delay exact, and a virtual machine's sleep and wake-up is the emulator's largest cost.
      if (packets_waiting || (!nfqueue_armed_ && read_interval_)) ReadPackets(now);
      MonotonicTime due_by = now + lead_.lead();
      if (n == 0 && release_target_) {
        lead_.Observe(now - *release_target_);
        due_by = std::max(due_by, group_end_);
      }
      now = clock_.MonotonicNow();
      emulator_->ReleaseDue(due_by, now);
    }
    return {};
  }

 private:
  // When to wake next: for the next group of releases (the middle of the releases due within the
  // release window of the first), early by the learned lead; or for the next read.
  std::optional<MonotonicTime> NextWake() {
    release_target_ = emulator_->NextRelease();
    std::optional<MonotonicTime> wake;
    if (release_target_) {
      group_end_ = emulator_->GroupEnd(*release_target_, topology_.emulator.release_window);
      *release_target_ += (group_end_ - *release_target_) / 2;
      wake = *release_target_ - lead_.lead();
    }
    if (!nfqueue_armed_ && read_deadline_ && (!wake || *read_deadline_ < *wake)) {
      wake = read_deadline_;
      release_target_.reset();  // this wake is for reading: not a lateness sample
    }
    return wake;
  }

  // Reads the queued packets. In lazy mode (read_interval_ set) an empty socket hands the wake-ups
  // back to epoll; a busy one is read again within read_interval_.
  void ReadPackets(MonotonicTime now) {
    const std::size_t packets = ReadAvailable();
    if (read_interval_ && packets > 0) {
      read_deadline_ = now + *read_interval_;
      return;
    }
    read_deadline_.reset();
    if (!nfqueue_armed_) {
      epoll_event event{};
      event.events = EPOLLIN | EPOLLONESHOT;
      event.data.fd = nfqueue_->fd();
      epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, nfqueue_->fd(), &event);
      nfqueue_armed_ = true;
    }
  }

  // Lazy reading is safe while every direction holds a packet at least four read intervals: the
  // shortest hold is its delay less the jitter (uniform) or less 3 standard deviations (normal).
  void UpdateReadInterval() {
    std::chrono::nanoseconds shortest_hold = std::chrono::nanoseconds::max();
    for (std::size_t q = 0; q < emulator_->direction_count(); ++q) {
      const LinkProperties& p = emulator_->properties(q);
      const auto spread =
          p.jitter_distribution == JitterDistribution::kNormal ? 3 * p.jitter : p.jitter;
      shortest_hold =
          std::min(shortest_hold, std::max(p.delay - spread, std::chrono::nanoseconds(0)));
    }
    const auto interval = std::min<std::chrono::nanoseconds>(shortest_hold / 4, kMaxReadInterval);
    if (interval >= kMinReadInterval) {
      read_interval_ = interval;
    } else {
      read_interval_.reset();
    }
  }

  Status Watch(int fd, std::uint32_t events) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      return tl::unexpected(SystemError("epoll_ctl"));
    }
    return {};
  }

  std::size_t ReadAvailable() {
    ++loop_stats_.reads;
    // Kernel stamps are wall-clock time; one offset per read turns them into monotonic time.
    const MonotonicTime mono = clock_.MonotonicNow();
    system_minus_mono_ = clock_.SystemNow().time_since_epoch() - mono.time_since_epoch();
    read_started_ = mono;
    auto read = nfqueue_->ReadAvailable(kMaxReadsPerTurn);
    if (!read) {
      spdlog::warn("event=nfqueue_read_failed error={}", KvQuote(read.error().message));
      return 0;
    }
    return *read;
  }

  void OnPacket(const QueuedPacket& packet) {
    MonotonicTime arrival = read_started_;
    if (packet.kernel_time) {
      const MonotonicTime stamped(std::chrono::duration_cast<MonotonicTime::duration>(
          packet.kernel_time->time_since_epoch() - system_minus_mono_));
      // A stamp from the future or from long ago means the wall clock stepped: use the read time.
      if (stamped <= read_started_ + std::chrono::milliseconds(1) &&
          stamped >= read_started_ - std::chrono::seconds(1)) {
        arrival = stamped;
      }
    }
    emulator_->OnPacket(packet.queue, packet.id, arrival, packet.payload);
  }

  void SyncCopyMode(std::uint16_t queue) {
    if (auto set = nfqueue_->SetCopyPayload(queue, emulator_->WantsPayload(queue)); !set) {
      spdlog::warn("event=nfqueue_mode_failed queue={} error={}", queue,
                   KvQuote(set.error().message));
    }
  }

  // Answers a control request (control_client.h describes them).
  nlohmann::json Handle(const nlohmann::json& request) {
    const std::string command = request["command"];
    if (command == "show") {
      nlohmann::json reply = emulator_->Snapshot();
      reply["ok"] = true;
      reply["lab"] = topology_.name;
      reply["pid"] = getpid();
      reply["wake_lead_ns"] = lead_.lead().count();
      reply["overruns"] = nfqueue_->overruns();
      reply["loop"] = {{"turns", loop_stats_.turns},
                       {"timeouts", loop_stats_.timeouts},
                       {"reads", loop_stats_.reads},
                       {"read_interval_ns", read_interval_ ? read_interval_->count() : 0}};
      return reply;
    }
    if (command == "set") {
      const std::string from = request.value("from", std::string());
      const std::string to = request.value("to", std::string());
      std::vector<Setting> settings;
      if (request.contains("settings") && request["settings"].is_object()) {
        for (const auto& [key, value] : request["settings"].items()) {
          if (!value.is_string()) return {{"ok", false}, {"error", key + ": expected a string"}};
          settings.emplace_back(key, value.get<std::string>());
        }
      }
      if (auto set = emulator_->Set(from, to, settings); !set) {
        return {{"ok", false}, {"error", set.error().message}};
      }
      const auto queue = topology_.FindDirection(from, to);
      SyncCopyMode(static_cast<std::uint16_t>(*queue));
      UpdateReadInterval();
      const LinkProperties& properties = emulator_->properties(*queue);
      spdlog::info("event=link_set from={} to={} properties={}", KvQuote(from), KvQuote(to),
                   KvQuote(Describe(properties)));
      const bool reshape = std::any_of(settings.begin(), settings.end(), [](const Setting& s) {
        return s.first == "rate" || s.first == "queue";
      });
      if (reshape) {
        // A few milliseconds of tc; packets wait meanwhile, which only a rate change causes.
        const int to_site = emulator_->topology().directions[*queue].to;
        if (auto shaped = ReshapeSite(emulator_->topology(), to_site); !shaped) {
          return {{"ok", false}, {"error", "changing the rate: " + shaped.error().message}};
        }
      }
      return {
          {"ok", true}, {"properties", ToJson(properties)}, {"description", Describe(properties)}};
    }
    return {{"ok", false}, {"error", "unknown command '" + command + "'"}};
  }

  Topology topology_;
  const Clock& clock_;
  std::unique_ptr<NfQueue> nfqueue_;
  std::optional<DuplicateSender> duplicates_;
  std::optional<LabVerdictSink> sink_;
  std::optional<WanEmulator> emulator_;
  WakeLead lead_;
  UniqueFd timestamps_, signals_, epoll_;
  std::unique_ptr<ControlServer> control_;
  // The release the current sleep is for (its lateness teaches the lead).
  std::optional<MonotonicTime> release_target_;
  MonotonicTime group_end_{};  // the last release of the group the sleep is for
  // Lazy reading (see Run): the interval, and when the socket must be read next.
  std::optional<std::chrono::nanoseconds> read_interval_;
  std::optional<MonotonicTime> read_deadline_;
  bool nfqueue_armed_ = true;
  // How the loop spends its turns, for `status` (and for tuning on a new kind of machine).
  struct {
    std::uint64_t turns = 0;     // epoll waits
    std::uint64_t timeouts = 0;  // of which woke for a release or a read, not an event
    std::uint64_t reads = 0;     // NFQUEUE socket reads
  } loop_stats_;
  std::chrono::nanoseconds system_minus_mono_{0};
  MonotonicTime read_started_{};
  bool running_ = true;
};

EmulatorDaemon::EmulatorDaemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EmulatorDaemon::~EmulatorDaemon() = default;

Result<std::unique_ptr<EmulatorDaemon>> EmulatorDaemon::Start(const Topology& topology,
                                                              const Clock& clock) {
  auto impl = std::make_unique<Impl>(topology, clock);
  if (auto opened = impl->Open(); !opened) return tl::unexpected(opened.error());
  return std::unique_ptr<EmulatorDaemon>(new EmulatorDaemon(std::move(impl)));
}

Status EmulatorDaemon::Run() { return impl_->Run(); }

}  // namespace linkmon::lab
