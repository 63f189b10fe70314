// Issue 6's evidence for kill -9 during spooling: a child process appends batches and reports
// each committed one on a pipe; the test SIGKILLs it (by PID) at a random moment, reopens the
// spool and checks that every batch the child reported is there, intact and in order, and that
// the file opens cleanly. Several rounds continue the same spool, as restarts of a probe do.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "probe/upload/batch_spool.h"
#include "tests/probe/upload/spool_test_batches.h"

namespace linkmon::upload {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The child: started with its stdout on a pipe, killed and reaped by PID.
class SpoolWriterProcess {
 public:
  SpoolWriterProcess(const fs::path& spool, std::uint64_t first, std::uint64_t count) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    const std::string first_text = std::to_string(first);
    const std::string count_text = std::to_string(count);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execl(LINKMON_SPOOL_WRITER, LINKMON_SPOOL_WRITER, spool.c_str(), first_text.c_str(),
              count_text.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    read_fd_ = fds[0];
  }
  ~SpoolWriterProcess() {
    Kill();
    if (read_fd_ >= 0) ::close(read_fd_);
  }

  bool started() const { return pid_ > 0 && read_fd_ >= 0; }

  // Reads whole lines (committed sequences) until `wanted` are known or `timeout` passes.
  void ReadCommitted(std::size_t wanted, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (committed_.size() < wanted && std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{read_fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 50) <= 0) continue;
      char buffer[256];
      const ssize_t n = ::read(read_fd_, buffer, sizeof buffer);
      if (n <= 0) return;
      pending_.append(buffer, static_cast<std::size_t>(n));
      for (std::size_t end; (end = pending_.find('\n')) != std::string::npos;) {
        committed_.push_back(std::stoull(pending_.substr(0, end)));
        pending_.erase(0, end + 1);
      }
    }
  }

  // SIGKILL by PID, then reap; and collect the lines written before the kill.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    ReadCommitted(SIZE_MAX, 200ms);
  }

  const std::vector<std::uint64_t>& committed() const { return committed_; }

 private:
  pid_t pid_ = -1;
  int read_fd_ = -1;
  std::string pending_;
  std::vector<std::uint64_t> committed_;
};

TEST(SpoolCrashTest, KillNineNeverLosesACommittedBatch) {
  const fs::path dir =
      fs::temp_directory_path() / ("linkmon-spool-crash-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path path = dir / "spool.db";
  std::mt19937 random(std::random_device{}());

  std::uint64_t next = 1;
  std::uint64_t reported_total = 0;
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::vector<std::uint64_t> committed;
    {
      SpoolWriterProcess child(path, next, 100000);
      ASSERT_TRUE(child.started());
      // Let it commit a random number of batches, then kill it a random few hundred
      // microseconds later: often in the middle of the next commit.
      const std::size_t wait_for = std::uniform_int_distribution<std::size_t>(1, 40)(random);
      child.ReadCommitted(wait_for, 20s);
      ASSERT_GE(child.committed().size(), wait_for) << "the writer did not start";
      std::this_thread::sleep_for(
          std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(random)));
      child.Kill();
      committed = child.committed();
    }
    reported_total += committed.size();

    auto spool = BatchSpool::Open({.path = path, .max_bytes = 1ull << 30});
    ASSERT_TRUE(spool) << spool.error().message;
    auto pending = spool->Pending(1'000'000);
    ASSERT_TRUE(pending) << pending.error().message;
    EXPECT_EQ(spool->stats().corrupt_batches_total, 0u);
    // Everything from sequence 1 on, in order, intact; at most one batch more than reported (it
    // was committed, and the child was killed before it could say so).
    ASSERT_GE(pending->size(), committed.back());
    ASSERT_LE(pending->size(), committed.back() + 1);
    for (std::size_t i = 0; i < pending->size(); ++i) {
      const auto& batch = (*pending)[i];
      ASSERT_EQ(batch.sequence, i + 1);
      ASSERT_EQ(batch.bytes, testing::CrashTestBatch(batch.sequence)) << "sequence " << i + 1;
    }
    next = *spool->last_sequence() + 1;
    ASSERT_EQ(next, pending->size() + 1);
  }
  EXPECT_GT(reported_total, 6u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace linkmon::upload
