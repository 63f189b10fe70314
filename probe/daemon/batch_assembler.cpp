#include "probe/daemon/batch_assembler.h"

#include <algorithm>
#include <iterator>
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
  Add(batch::PathSummary{path, summary, std::nullopt});
}

void BatchAssembler::Add(batch::PathSummary summary) {
  pending_.push_back(std::move(summary));
  // What waits for the timer stays bounded, however many paths the probe has (10,000 paths at
  // 1 s summaries and a 10 s upload interval would otherwise hold 100,000).
  if (pending_.size() >= std::clamp<std::size_t>(options_.seal_at, 1, options_.max_summaries)) {
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
  const std::size_t limit = std::max<std::size_t>(options_.max_summaries, 1);
  for (std::size_t first = 0; first < pending_.size(); first += limit) {
    const std::size_t last = std::min(pending_.size(), first + limit);
    batch::Batch sealed{
        .probe = options_.probe,
        .probe_start = probe_start_,
        .sequence = next_sequence_++,
        .created = clock_.SystemNow(),
        .summaries =
            {std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(first)),
             std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(last))},
    };
    // The uploader has already counted and logged a failed spool write; the
    // batch is gone, and the probe goes on measuring (issue 6: a full disk must
    // not stop the probe).
    if (auto stored = sink_(sealed); !stored) ++sink_errors_;
  }
  pending_.clear();
}

}  // namespace linkmon::probe
