#pragma once

// libpcap (loaded on first use: pcap_library.h), two ways: a live capture on one interface driven
// by the probe's io_context (PcapCapture), and a capture file read to the end (ReadPcapFile), both
// handing each frame to a FrameHandler with its capture time.
//
// Live capture never turns on promiscuous mode (the analyser needs only the
// host's own traffic, and promiscuous mode on a production interface is a
// change operators did not ask for), keeps only the headers (snap length), and
// applies a BPF filter in the kernel. Frames arrive through libpcap's
// memory-mapped ring: the descriptor becomes readable when a block fills or
// `buffer_timeout` passes, and each wake-up hands over at most
// `max_frames_per_turn` frames so that a flood cannot starve the io_context's
// other work.

#include <pcap/pcap.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "common/clock.h"
#include "common/result.h"

namespace linkmon::passive {

struct PcapLibrary;

// captured: the capture timestamp; bytes: what was captured (at most the snap
// length); wire_length: the frame's length on the wire.
using FrameHandler =
    std::function<void(SystemTime captured, int link_type, std::span<const std::uint8_t> bytes,
                       std::uint32_t wire_length)>;

struct PcapCaptureOptions {
  std::string interface;               // required
  std::string filter = "ip or ip6";    // BPF (pcap-filter(7)); empty captures every frame
  int snap_length = 192;               // bytes kept per frame: link, IP and TCP headers
  int buffer_bytes = 4 * 1024 * 1024;  // the kernel ring
  std::chrono::milliseconds buffer_timeout{100};
  int max_frames_per_turn = 4096;
};

// libpcap's counters (pcap_stats): frames seen by the filter, and dropped for
// want of buffer.
struct CaptureStatistics {
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;
  std::uint64_t interface_dropped = 0;
};

class PcapCapture {
 public:
  // Opens and activates the capture. Errors: kUnavailable or kUnsupported when
  // libpcap cannot be loaded (LoadPcapLibraryOnce), kPermission without
  // CAP_NET_RAW, kInvalidArgument for a filter that does not compile (with
  // libpcap's message), kIo otherwise; each names the interface.
  static Result<std::unique_ptr<PcapCapture>> Open(boost::asio::io_context& io,
                                                   const PcapCaptureOptions& options);
  ~PcapCapture();
  PcapCapture(const PcapCapture&) = delete;
  PcapCapture& operator=(const PcapCapture&) = delete;

  // Hands every captured frame to `handler` from the io_context until Stop(),
  // which hands over the frames libpcap has released by then (a block is
  // released when full or after buffer_timeout).
  void Start(FrameHandler handler);
  void Stop();

  int link_type() const;
  Result<CaptureStatistics> Statistics();

 private:
  PcapCapture(boost::asio::io_context& io, const PcapLibrary& pcap, pcap_t* handle,
              bool nanoseconds);
  void Wait();
  void Drain();

  const PcapLibrary& pcap_;
  pcap_t* handle_;
  bool nanoseconds_;
  boost::asio::posix::stream_descriptor descriptor_;
  FrameHandler handler_;
  int max_frames_per_turn_ = 4096;
  bool running_ = false;
};

// Reads the capture file at `path` to its end, handing each frame to `handler`.
// Errors: kIo (the file cannot be opened or is not a pcap file), kUnsupported
// (a link type ParsePacket does not know), kCorrupt (the file ends inside a
// record), and those of LoadPcapLibraryOnce.
Status ReadPcapFile(const std::string& path, const FrameHandler& handler);

}  // namespace linkmon::passive
