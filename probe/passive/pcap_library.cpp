#include "probe/passive/pcap_library.h"

#include <dlfcn.h>

namespace linkmon::passive {
namespace {

std::string LastDlError() {
  const char* text = ::dlerror();
  return text != nullptr ? text : "no detail from dlerror";
}

// dlsym returns void*; the member's own type says what the symbol is.
template <typename Function>
bool Resolve(void* handle, const char* symbol, Function& function) {
  void* address = ::dlsym(handle, symbol);
  if (address == nullptr) return false;
  function = reinterpret_cast<Function>(address);
  return true;
}

tl::unexpected<Error> MissingFunction(void* handle, const std::string& name, const char* symbol) {
  auto error = MakeError(ErrorCode::kUnsupported,
                         name + " has no " + symbol + " (not libpcap 1.x?): " + LastDlError());
  ::dlclose(handle);  // nothing points into it
  return error;
}

}  // namespace

Result<PcapLibrary> LoadPcapLibrary(const std::string& name) {
  // RTLD_NOW: a library that cannot bind its own symbols fails here, as an
  // error, rather than aborting the process at its first call. RTLD_LOCAL:
  // nothing else in the process should see libpcap's symbols.
  void* handle = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "cannot load " + name + ": " + LastDlError());
  }
  PcapLibrary library;
#define LINKMON_PCAP_RESOLVE(function)               \
  if (!Resolve(handle, #function, library.function)) \
    return MissingFunction(handle, name, #function);
  LINKMON_PCAP_FUNCTIONS(LINKMON_PCAP_RESOLVE)
#undef LINKMON_PCAP_RESOLVE
  return library;
}

Result<const PcapLibrary*> LoadPcapLibraryOnce() {
  // The dynamic linker's state is the process's, so this is too: one load
  // (a function-local static: thread-safe), however many captures ask.
  static const Result<PcapLibrary> loaded = LoadPcapLibrary(kPcapLibraryName);
  if (!loaded) {
    return MakeError(loaded.error().code, loaded.error().message + " (Debian package libpcap0.8)");
  }
  return &*loaded;
}

}  // namespace linkmon::passive
