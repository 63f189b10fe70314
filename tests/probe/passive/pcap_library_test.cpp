// The libpcap loader: Debian's libpcap resolves in full; a library that is not
// there, or is not libpcap, is a specific error naming it, never a crash.

#include "probe/passive/pcap_library.h"

#include <gtest/gtest.h>

#include <string>

namespace linkmon::passive {
namespace {

TEST(PcapLibraryTest, ResolvesEveryFunctionOfDebiansLibpcap) {
  auto library = LoadPcapLibraryOnce();
  ASSERT_TRUE(library) << library.error().message;
#define LINKMON_EXPECT_RESOLVED(function) EXPECT_NE((*library)->function, nullptr) << #function;
  LINKMON_PCAP_FUNCTIONS(LINKMON_EXPECT_RESOLVED)
#undef LINKMON_EXPECT_RESOLVED
  // Loaded once: the second call hands out the same table.
  EXPECT_EQ(*LoadPcapLibraryOnce(), *library);
}

TEST(PcapLibraryTest, NamesALibraryThatIsNotThere) {
  auto library = LoadPcapLibrary("liblinkmon-no-such-library.so.0");
  ASSERT_FALSE(library);
  EXPECT_EQ(library.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(library.error().message,
            "cannot load liblinkmon-no-such-library.so.0: liblinkmon-no-such-library.so.0: "
            "cannot open shared object file: No such file or directory");
}

TEST(PcapLibraryTest, NamesTheFunctionALibraryLacks) {
  // libc loads (it is loaded already) but has no pcap_create.
  auto library = LoadPcapLibrary("libc.so.6");
  ASSERT_FALSE(library);
  EXPECT_EQ(library.error().code, ErrorCode::kUnsupported);
  const std::string& message = library.error().message;
  EXPECT_EQ(message.rfind("libc.so.6 has no pcap_create (not libpcap 1.x?): ", 0), 0u) << message;
  EXPECT_NE(message.find("undefined symbol: pcap_create"), std::string::npos) << message;
}

}  // namespace
}  // namespace linkmon::passive
