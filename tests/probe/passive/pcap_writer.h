#pragma once

// Writes test frames into a pcap file (nanosecond timestamps, Ethernet) with
// libpcap's own pcap_dump (loaded as the probe loads it), so the file is
// exactly what a capture would have produced.

#include <pcap/pcap.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "probe/passive/pcap_library.h"

namespace linkmon::passive::testing {

struct TimedFrame {
  std::chrono::nanoseconds at;  // since the Unix epoch
  std::vector<std::uint8_t> bytes;
  std::uint32_t wire_length = 0;  // 0: the frame's size
};

inline bool WritePcap(const std::string& path, const std::vector<TimedFrame>& frames,
                      int link_type = 1) {
  auto loaded = LoadPcapLibraryOnce();
  if (!loaded) return false;
  const PcapLibrary& pcap = **loaded;
  pcap_t* dead =
      pcap.pcap_open_dead_with_tstamp_precision(link_type, 65535, PCAP_TSTAMP_PRECISION_NANO);
  if (dead == nullptr) return false;
  pcap_dumper_t* dumper = pcap.pcap_dump_open(dead, path.c_str());
  if (dumper == nullptr) {
    pcap.pcap_close(dead);
    return false;
  }
  for (const TimedFrame& frame : frames) {
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(frame.at.count() / 1'000'000'000);
    header.ts.tv_usec = static_cast<suseconds_t>(frame.at.count() % 1'000'000'000);
    header.caplen = static_cast<bpf_u_int32>(frame.bytes.size());
    header.len = frame.wire_length != 0 ? frame.wire_length : header.caplen;
    pcap.pcap_dump(reinterpret_cast<u_char*>(dumper), &header, frame.bytes.data());
  }
  pcap.pcap_dump_close(dumper);
  pcap.pcap_close(dead);
  return true;
}

}  // namespace linkmon::passive::testing
