#pragma once

// libpcap, loaded at run time (dlopen) when a capture starts or a capture
// file is read, instead of linked.
//
// Why: libpcap.so.0.8 pulls in libdbus, libsystemd, libgcrypt, libgpg-error,
// libcap, liblzma, libzstd and liblz4. Linked, they are mapped into every
// linkmon-probe, and a C program that merely links libpcap is 1.15 MiB more
// resident than one that does not (2.6 vs 1.47 MiB); issue 10 wants a probe
// with 10,000 ICMP targets under 20 MB. Only passive targets and capture files
// use libpcap, so only those probes pay for it.
//
// <pcap/pcap.h> still declares the types and constants, and gives every member
// of the table its type (decltype of the declared function), so that a
// signature that does not match the header fails to compile. libpcap-dev is a
// build dependency, libpcap0.8 (the SONAME below) an install one.

#include <pcap/pcap.h>

#include <string>

#include "common/result.h"

namespace linkmon::passive {

// Debian's SONAME of libpcap 1.x (package libpcap0.8).
inline constexpr char kPcapLibraryName[] = "libpcap.so.0.8";

// Every libpcap function linkmon calls, in one list: the table's member, the
// symbol dlsym looks up and the member's type all come from the same name, so
// they cannot disagree. pcap_open_dead and pcap_dump* write capture files (the
// tests' pcap writer).
#define LINKMON_PCAP_FUNCTIONS(X)            \
  X(pcap_create)                             \
  X(pcap_set_snaplen)                        \
  X(pcap_set_promisc)                        \
  X(pcap_set_timeout)                        \
  X(pcap_set_buffer_size)                    \
  X(pcap_set_tstamp_precision)               \
  X(pcap_activate)                           \
  X(pcap_compile)                            \
  X(pcap_setfilter)                          \
  X(pcap_freecode)                           \
  X(pcap_setnonblock)                        \
  X(pcap_get_selectable_fd)                  \
  X(pcap_dispatch)                           \
  X(pcap_next_ex)                            \
  X(pcap_datalink)                           \
  X(pcap_geterr)                             \
  X(pcap_stats)                              \
  X(pcap_close)                              \
  X(pcap_open_offline_with_tstamp_precision) \
  X(pcap_open_dead_with_tstamp_precision)    \
  X(pcap_dump_open)                          \
  X(pcap_dump)                               \
  X(pcap_dump_close)

// libpcap's functions, resolved: call `library.pcap_create(...)` where code
// that links libpcap calls `pcap_create(...)`. Immutable once loaded; safe to
// use from any thread (as far as libpcap itself is).
struct PcapLibrary {
#define LINKMON_PCAP_MEMBER(name) decltype(&::name) name = nullptr;
  LINKMON_PCAP_FUNCTIONS(LINKMON_PCAP_MEMBER)
#undef LINKMON_PCAP_MEMBER
};

// Loads the shared library `name` and resolves every function of the table.
// Errors: kUnavailable when the library cannot be loaded, kUnsupported when it
// lacks a function (not libpcap, or too old); each message names the library
// and carries dlerror()'s text. A library whose functions all resolved is never
// unloaded (the table points into it); one lacking a function is closed again.
Result<PcapLibrary> LoadPcapLibrary(const std::string& name);

// libpcap.so.0.8's table, loaded by the first call in the process (thread-safe)
// and kept for its life; a failure is kept too, and returned again.
Result<const PcapLibrary*> LoadPcapLibraryOnce();

}  // namespace linkmon::passive
