// BatchWriter writes the wire text without a JSON tree: it must give the very bytes a JSON library
// gives for the same document (compact, keys sorted), decode to the batch it was given, and start
// each batch afresh.

#include "common/batch/batch_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/batch/batch_codec.h"
#include "tests/common/batch/batch_examples.h"

namespace linkmon::batch {
namespace {

using testing::ExampleBatch;
using testing::ExampleTime;

// A batch with every optional field somewhere: STAMP one-way delays, a throughput figure, a
// summary without replies (no histograms, no IPDV or jitter).
Batch EveryField() {
  Batch batch = ExampleBatch("xining", 42, 4);
  batch.summaries[1].throughput = Bandwidth{.bits_per_second = 4'000'000};
  stats::IntervalSummary& silent = batch.summaries[2].summary;
  silent = stats::IntervalSummary{};
  silent.start = ExampleTime();
  silent.duration = std::chrono::seconds(1);
  silent.counts = {.sent = 2, .lost = 1, .untracked = 1};
  return batch;
}

TEST(BatchWriterTest, WritesTheBytesOfTheJsonDocument) {
  const Batch batch = EveryField();
  const std::string text = EncodeBatch(batch);
  // nlohmann-json's objects are ordered maps, so its compact dump is the canonical text.
  EXPECT_EQ(text, nlohmann::json::parse(text).dump());
  Result<Batch> decoded = DecodeBatch(text);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, batch);
}

TEST(BatchWriterTest, FinishSealsWhatWasAddedAndStartsAfresh) {
  const Batch batch = EveryField();
  BatchWriter writer;
  for (const PathSummary& summary : batch.summaries) writer.Add(summary);
  EXPECT_EQ(writer.summaries(), batch.summaries.size());
  EXPECT_GT(writer.pending_bytes(), 0u);
  const BatchHeader header{.probe = batch.probe,
                           .probe_start = batch.probe_start,
                           .sequence = batch.sequence,
                           .created = batch.created};
  EXPECT_EQ(writer.Finish(header), EncodeBatch(batch));
  EXPECT_EQ(writer.summaries(), 0u);
  EXPECT_EQ(writer.pending_bytes(), 0u);

  // The next batch holds only what came after.
  writer.Add(batch.summaries[3]);
  Result<Batch> next = DecodeBatch(writer.Finish({.probe = batch.probe,
                                                  .probe_start = batch.probe_start,
                                                  .sequence = 43,
                                                  .created = batch.created}));
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->sequence, 43u);
  ASSERT_EQ(next->summaries.size(), 1u);
  EXPECT_EQ(next->summaries[0], batch.summaries[3]);
}

TEST(BatchWriterTest, WritesAnEmptyBatch) {
  Batch batch = ExampleBatch("xining", 0, 0);
  const std::string text = EncodeBatch(batch);
  EXPECT_EQ(text, nlohmann::json::parse(text).dump());
  Result<Batch> decoded = DecodeBatch(text);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, batch);
}

}  // namespace
}  // namespace linkmon::batch
