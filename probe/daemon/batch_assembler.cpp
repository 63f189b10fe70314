#include "probe/daemon/batch_assembler.h"

#include <algorithm>
#include <string>
#include <utility>

namespace linkmon::probe {

BatchAssembler::BatchAssembler(boost::asio::io_context& io, const Clock& clock,
                               BatchAssemblerOptions options, BatchSink sink)
    : clock_(clock),
      options_(std::move(options)),
      sink_(std::move(sink)),
      timer_(io),
      probe_start_(clock.SystemNow()) {}

void BatchAssembler::Add(const PathKey& path, const stats::IntervalSummary& summary) {
  pending_.Add(path, summary);
  SealIfFull();
}

void BatchAssembler::Add(const batch::PathSummary& summary) {
  pending_.Add(summary);
  SealIfFull();
}

void BatchAssembler::SealIfFull() {
  // What waits for the timer stays bounded, however many paths the probe has (10,000 paths at
  // 1 s summaries and a 10 s upload interval would otherwise hold 100,000), and no batch exceeds
  // what the collector decodes.
  const std::size_t max_summaries = std::max<std::size_t>(options_.max_summaries, 1);
  if (pending_.summaries() >= std::clamp<std::size_t>(options_.seal_at, 1, max_summaries)) {
    Flush();
  }
}

void BatchAssembler::Start() { Arm(); }

void BatchAssembler::Stop() {
  timer_.cancel();
  Flush();
}

void BatchAssembler::Arm() {
  timer_.expires_after(options_.upload_interval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    Flush();
    Arm();
  });
}

void BatchAssembler::Flush() {
  if (pending_.summaries() == 0) return;
  const std::uint64_t sequence = next_sequence_++;
  const std::string sealed = pending_.Finish({.probe = options_.probe,
                                              .probe_start = probe_start_,
                                              .sequence = sequence,
                                              .created = clock_.SystemNow()});
  // The uploader has already counted and logged a failed spool write; the batch is gone, and the
  // probe goes on measuring (issue 6: a full disk must not stop the probe).
  if (auto stored = sink_(sequence, sealed); !stored) ++sink_errors_;
}

}  // namespace linkmon::probe
