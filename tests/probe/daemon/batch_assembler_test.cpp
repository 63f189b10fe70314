#include "probe/daemon/batch_assembler.h"

#include <gtest/gtest.h>

#include "common/batch/batch_codec.h"

namespace linkmon::probe {
namespace {

using namespace std::chrono_literals;

PathKey Path(const char* target, Method method) {
  return PathKey{*SiteName::Make("xining"), *TargetName::Make(target), method};
}

stats::IntervalSummary Summary(SystemTime start, std::uint64_t sent) {
  stats::IntervalSummary summary;
  summary.start = start;
  summary.duration = 10s;
  summary.counts.sent = sent;
  summary.counts.lost = sent;  // a valid summary: every probe has a fate
  return summary;
}

class BatchAssemblerTest : public ::testing::Test {
 protected:
  BatchAssembler Make(std::size_t max_summaries, std::size_t seal_at = 1'000) {
    return BatchAssembler(
        io_, clock_,
        {.probe = *SiteName::Make("xining"), .max_summaries = max_summaries, .seal_at = seal_at},
        [this](std::uint64_t sequence, std::string_view text) -> Status {
          // What the uploader spools is the wire text: decode it as the collector will.
          Result<batch::Batch> sealed = batch::DecodeBatch(text);
          EXPECT_TRUE(sealed) << sealed.error().message;
          if (!sealed) return tl::unexpected(sealed.error());
          EXPECT_EQ(sealed->sequence, sequence);
          sealed_.push_back(std::move(*sealed));
          return {};
        });
  }

  boost::asio::io_context io_;
  FakeClock clock_;
  std::vector<batch::Batch> sealed_;
};

TEST_F(BatchAssemblerTest, SealsWhatIsPendingInOrderWithConsecutiveSequences) {
  BatchAssembler assembler = Make(100);
  const SystemTime start = clock_.SystemNow();
  assembler.Add(Path("haidong", Method::kIcmp), Summary(start, 10));
  assembler.Add(Path("haidong", Method::kStamp), Summary(start, 11));
  assembler.Flush();
  assembler.Flush();  // nothing pending: no empty batch
  clock_.Advance(10s);
  assembler.Add(Path("haidong", Method::kIcmp), Summary(start + 10s, 12));
  assembler.Flush();

  ASSERT_EQ(sealed_.size(), 2u);
  EXPECT_EQ(sealed_[0].sequence, 0u);
  EXPECT_EQ(sealed_[1].sequence, 1u);
  EXPECT_EQ(sealed_[0].probe.str(), "xining");
  EXPECT_EQ(sealed_[0].probe_start, sealed_[1].probe_start);
  EXPECT_EQ(sealed_[1].created, start + 10s);
  ASSERT_EQ(sealed_[0].summaries.size(), 2u);
  EXPECT_EQ(sealed_[0].summaries[1].path, Path("haidong", Method::kStamp));
  EXPECT_EQ(sealed_[0].summaries[1].summary.counts.sent, 11u);
  EXPECT_EQ(sealed_[1].summaries[0].summary.counts.sent, 12u);
  EXPECT_EQ(assembler.batches_sealed(), 2u);
}

TEST_F(BatchAssemblerTest, CutsABacklogIntoBatchesTheCollectorAccepts) {
  BatchAssembler assembler = Make(2);
  for (std::uint64_t i = 0; i < 5; ++i) {
    // Consecutive intervals of one path: a batch never holds one twice.
    assembler.Add(Path("haidong", Method::kIcmp), Summary(clock_.SystemNow() + i * 10s, i));
  }
  assembler.Flush();
  ASSERT_EQ(sealed_.size(), 3u);
  EXPECT_EQ(sealed_[0].summaries.size(), 2u);
  EXPECT_EQ(sealed_[2].summaries.size(), 1u);
  EXPECT_EQ(sealed_[2].summaries[0].summary.counts.sent, 4u);
  EXPECT_EQ(sealed_[2].sequence, 2u);
}

TEST_F(BatchAssemblerTest, SealsABatchAtSealAtWithoutWaitingForTheTimer) {
  BatchAssembler assembler = Make(100, 3);
  for (std::uint64_t i = 0; i < 7; ++i) {
    // Consecutive intervals of one path: a batch never holds one twice.
    assembler.Add(Path("haidong", Method::kIcmp), Summary(clock_.SystemNow() + i * 10s, i));
  }
  ASSERT_EQ(sealed_.size(), 2u);  // two full ones; the seventh waits
  EXPECT_EQ(sealed_[0].summaries.size(), 3u);
  EXPECT_EQ(sealed_[1].summaries[0].summary.counts.sent, 3u);
  assembler.Flush();
  ASSERT_EQ(sealed_.size(), 3u);
  ASSERT_EQ(sealed_[2].summaries.size(), 1u);
  EXPECT_EQ(sealed_[2].summaries[0].summary.counts.sent, 6u);
  EXPECT_EQ(sealed_[2].sequence, 2u);
}

TEST_F(BatchAssemblerTest, CountsBatchesTheSinkCouldNotKeep) {
  BatchAssembler assembler(io_, clock_, {.probe = *SiteName::Make("xining")},
                           [](std::uint64_t, std::string_view) -> Status {
                             return MakeError(ErrorCode::kIo, "disk full");
                           });
  assembler.Add(Path("haidong", Method::kIcmp), Summary(clock_.SystemNow(), 1));
  assembler.Flush();
  EXPECT_EQ(assembler.sink_errors(), 1u);
  EXPECT_EQ(assembler.batches_sealed(), 1u);
}

}  // namespace
}  // namespace linkmon::probe
