#include "probe/probers/icmp_prober.h"

#include <algorithm>

#include <fmt/format.h>

#include "probe/probers/kernel_time.h"

namespace linkmon::probers {

std::size_t IcmpSizeForPacketSize(int ip_packet_size, icmp::IpVersion version) {
  std::size_t header = version == icmp::IpVersion::kV4 ? 20 : 40;
  std::size_t size = ip_packet_size > 0 ? static_cast<std::size_t>(ip_packet_size) : 0;
  return size > header + icmp::kMinEchoSize ? size - header : icmp::kMinEchoSize;
}

Result<std::unique_ptr<IcmpProber>> IcmpProber::Make(IcmpEchoService& service,
                                                     const IcmpProberOptions& options,
                                                     ProbeListener& listener) {
  bool v4_target =
      options.target.is_v4() || (options.target.is_v6() && options.target.to_v6().is_v4_mapped());
  if (v4_target != (service.version() == icmp::IpVersion::kV4)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("icmp prober: target {} needs the other IP version's socket",
                                 options.target.to_string()));
  }
  if (options.icmp_size < icmp::kMinEchoSize) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("icmp prober: echo of {} bytes is below the {}-byte minimum",
                                 options.icmp_size, icmp::kMinEchoSize));
  }
  if (options.icmp_size > 65'535) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("icmp prober: echo of {} bytes does not fit an IP packet", options.icmp_size));
  }
  return std::unique_ptr<IcmpProber>(new IcmpProber(service, options, listener));
}

IcmpProber::IcmpProber(IcmpEchoService& service, const IcmpProberOptions& options,
                       ProbeListener& listener)
    : service_(&service),
      target_(options.target),
      icmp_size_(static_cast<std::uint32_t>(options.icmp_size)),
      flow_(service_->Register(*this)),
      listener_(&listener) {}

IcmpProber::~IcmpProber() { service_->Unregister(flow_); }

Status IcmpProber::Send(std::uint32_t sequence) {
  Status queued = service_->Send(flow_, sequence, target_, icmp_size_);
  if (!queued) ++counters_.send_errors;
  return queued;
}

void IcmpProber::OnProbeSent(std::uint32_t sequence, MonotonicTime monotonic) {
  ++counters_.probes_sent;
  listener_->OnSent({.sequence = sequence, .sent = monotonic});
}

void IcmpProber::OnSendFailed(std::uint32_t /*sequence*/, const Error& /*error*/) {
  ++counters_.send_errors;
}

void IcmpProber::OnTransmitTimestamp(std::uint32_t sequence, SystemTime time) {
  // The service routes transmit stamps by sequence.
  if (listener_->AttachTransmitStamp(sequence, time)) ++counters_.kernel_transmit_stamps;
}

void IcmpProber::OnEchoReply(const icmp::EchoReply& reply, const net::ReceivedDatagram& received) {
  std::optional<stats::TrackedProbe> probe = listener_->Tracked(reply.sequence);
  if (!probe) {
    ++counters_.foreign_replies;
    return;
  }
  const Clock& clock = service_->clock();
  stats::ProbeReply event;
  event.sequence = reply.sequence;
  if (received.kernel_receive_time) {
    // No reply arrives before its probe left: a conversion error must not make the recorder
    // refuse it (and count the probe lost).
    event.arrival =
        std::max(KernelTimeToMonotonic(*received.kernel_receive_time, clock), probe->sent);
  } else {
    event.arrival = clock.MonotonicNow();
  }
  if (probe->kernel_sent && received.kernel_receive_time) {
    event.rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(*received.kernel_receive_time -
                                                                     *probe->kernel_sent);
    event.timestamp_source = stats::TimestampSource::kKernel;
  } else {
    event.rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(event.arrival - probe->sent);
    event.timestamp_source = stats::TimestampSource::kUserspace;
  }
  ++counters_.replies;
  listener_->OnReply(event);
}

}  // namespace linkmon::probers
