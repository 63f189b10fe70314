#include "probe/passive/pcap_capture.h"

#include <utility>

#include "probe/passive/packet_parser.h"
#include "probe/passive/pcap_library.h"

namespace linkmon::passive {
namespace {

SystemTime CaptureTime(const pcap_pkthdr& header, bool nanoseconds) {
  // With nanosecond precision libpcap puts nanoseconds in tv_usec.
  const auto fraction =
      nanoseconds ? std::chrono::nanoseconds(header.ts.tv_usec)
                  : std::chrono::nanoseconds(std::chrono::microseconds(header.ts.tv_usec));
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::seconds(header.ts.tv_sec) + fraction));
}

struct DispatchContext {
  const FrameHandler* handler;
  int link_type;
  bool nanoseconds;
};

void OnPcapFrame(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
  auto* context = reinterpret_cast<DispatchContext*>(user);
  (*context->handler)(CaptureTime(*header, context->nanoseconds), context->link_type,
                      std::span<const std::uint8_t>(bytes, header->caplen), header->len);
}

struct PcapCloser {
  const PcapLibrary* pcap;
  void operator()(pcap_t* handle) const { pcap->pcap_close(handle); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

Status ApplyFilter(const PcapLibrary& pcap, pcap_t* handle, const std::string& filter,
                   const std::string& where) {
  if (filter.empty()) return {};
  bpf_program program{};
  if (pcap.pcap_compile(handle, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        where + ": filter '" + filter + "' does not compile: " + pcap.pcap_geterr(handle));
  }
  const int set = pcap.pcap_setfilter(handle, &program);
  pcap.pcap_freecode(&program);
  if (set != 0) {
    return MakeError(ErrorCode::kIo, where + ": cannot set filter: " + pcap.pcap_geterr(handle));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<PcapCapture>> PcapCapture::Open(boost::asio::io_context& io,
                                                       const PcapCaptureOptions& options) {
  const std::string where = "passive capture on '" + options.interface + "'";
  if (options.interface.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "passive capture: no interface");
  }
  auto loaded = LoadPcapLibraryOnce();
  if (!loaded) return MakeError(loaded.error().code, where + ": " + loaded.error().message);
  const PcapLibrary& pcap = **loaded;
  char error[PCAP_ERRBUF_SIZE] = {};
  PcapHandle handle(pcap.pcap_create(options.interface.c_str(), error), PcapCloser{&pcap});
  if (!handle) return MakeError(ErrorCode::kIo, where + ": " + error);
  pcap.pcap_set_snaplen(handle.get(), options.snap_length);
  pcap.pcap_set_promisc(handle.get(), 0);
  pcap.pcap_set_timeout(handle.get(), static_cast<int>(options.buffer_timeout.count()));
  pcap.pcap_set_buffer_size(handle.get(), options.buffer_bytes);
  const bool nanoseconds =
      pcap.pcap_set_tstamp_precision(handle.get(), PCAP_TSTAMP_PRECISION_NANO) == 0;
  const int activated = pcap.pcap_activate(handle.get());
  if (activated < 0) {
    const ErrorCode code =
        activated == PCAP_ERROR_PERM_DENIED ? ErrorCode::kPermission : ErrorCode::kIo;
    return MakeError(code, where + ": " + pcap.pcap_geterr(handle.get()));
  }
  if (const int link_type = pcap.pcap_datalink(handle.get()); !IsSupportedLinkType(link_type)) {
    return MakeError(ErrorCode::kUnsupported,
                     where + ": link type " + std::to_string(link_type) + " not supported");
  }
  if (auto filtered = ApplyFilter(pcap, handle.get(), options.filter, where); !filtered) {
    return tl::unexpected(filtered.error());
  }
  if (pcap.pcap_setnonblock(handle.get(), 1, error) != 0) {
    return MakeError(ErrorCode::kIo, where + ": " + error);
  }
  if (pcap.pcap_get_selectable_fd(handle.get()) < 0) {
    return MakeError(ErrorCode::kUnsupported, where + ": no selectable descriptor");
  }
  std::unique_ptr<PcapCapture> capture(new PcapCapture(io, pcap, handle.release(), nanoseconds));
  capture->max_frames_per_turn_ = options.max_frames_per_turn;
  return capture;
}

PcapCapture::PcapCapture(boost::asio::io_context& io, const PcapLibrary& pcap, pcap_t* handle,
                         bool nanoseconds)
    : pcap_(pcap),
      handle_(handle),
      nanoseconds_(nanoseconds),
      descriptor_(io, pcap.pcap_get_selectable_fd(handle)) {}

PcapCapture::~PcapCapture() {
  boost::system::error_code ignored;
  descriptor_.cancel(ignored);
  descriptor_.release();  // pcap_close closes the descriptor
  pcap_.pcap_close(handle_);
}

void PcapCapture::Start(FrameHandler handler) {
  handler_ = std::move(handler);
  running_ = true;
  // libpcap may already hold frames from before the first wait.
  Drain();
  Wait();
}

void PcapCapture::Stop() {
  if (running_) Drain();  // what the ring holds now was captured before the stop
  running_ = false;
  boost::system::error_code ignored;
  descriptor_.cancel(ignored);
}

int PcapCapture::link_type() const { return pcap_.pcap_datalink(handle_); }

void PcapCapture::Wait() {
  descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this](const boost::system::error_code& error) {
                           if (error || !running_) return;
                           Drain();
                           Wait();
                         });
}

void PcapCapture::Drain() {
  DispatchContext context{&handler_, pcap_.pcap_datalink(handle_), nanoseconds_};
  pcap_.pcap_dispatch(handle_, max_frames_per_turn_, OnPcapFrame,
                      reinterpret_cast<u_char*>(&context));
}

Result<CaptureStatistics> PcapCapture::Statistics() {
  pcap_stat stat{};
  if (pcap_.pcap_stats(handle_, &stat) != 0) {
    return MakeError(ErrorCode::kIo, std::string("passive capture: ") + pcap_.pcap_geterr(handle_));
  }
  return CaptureStatistics{stat.ps_recv, stat.ps_drop, stat.ps_ifdrop};
}

Status ReadPcapFile(const std::string& path, const FrameHandler& handler) {
  const std::string where = "pcap file '" + path + "'";
  auto loaded = LoadPcapLibraryOnce();
  if (!loaded) return MakeError(loaded.error().code, where + ": " + loaded.error().message);
  const PcapLibrary& pcap = **loaded;
  char error[PCAP_ERRBUF_SIZE] = {};
  PcapHandle handle(
      pcap.pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error),
      PcapCloser{&pcap});
  if (!handle) return MakeError(ErrorCode::kIo, where + ": " + error);
  const int link_type = pcap.pcap_datalink(handle.get());
  if (!IsSupportedLinkType(link_type)) {
    return MakeError(ErrorCode::kUnsupported,
                     where + ": link type " + std::to_string(link_type) + " not supported");
  }
  pcap_pkthdr* header = nullptr;
  const u_char* bytes = nullptr;
  for (;;) {
    const int next = pcap.pcap_next_ex(handle.get(), &header, &bytes);
    if (next == PCAP_ERROR_BREAK) return {};
    if (next != 1) {
      return MakeError(ErrorCode::kCorrupt, where + ": " + pcap.pcap_geterr(handle.get()));
    }
    handler(CaptureTime(*header, true), link_type,
            std::span<const std::uint8_t>(bytes, header->caplen), header->len);
  }
}

}  // namespace linkmon::passive
