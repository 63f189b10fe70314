#pragma once

// A GoogleTest fixture that owns labs for one test: Up() brings a lab up from
// tests/lab/topologies/ (linkmon-lab up removes a stale lab of the same name first), and
// TearDown() always takes every lab down again, also when the test failed. Background processes
// the test starts (servers inside the lab) are stopped by PID before that.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"

namespace linkmon::lab::testing {

using linkmon::testing::CommandResult;

inline const std::string kLabBinary = LINKMON_BINARY_DIR "/bin/linkmon-lab";
inline const std::string kTopologies = LINKMON_SOURCE_DIR "/tests/lab/topologies/";

// A program running while the test does (irtt server, iperf3 server, a foreground lab). Its
// output goes to a temporary file; it is stopped (SIGTERM, then SIGKILL) and reaped when the
// object goes away.
class BackgroundProcess {
 public:
  explicit BackgroundProcess(const std::vector<std::string>& argv);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits up to `timeout` for the process to exit; its exit code, or -1 (still running/killed).
  int Wait(std::chrono::milliseconds timeout);
  std::string Output() const;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
  std::string output_path_;
};

// How promptly this machine gives a real-time thread the CPU, measured while a test runs: a
// SCHED_FIFO thread (the emulator's priority) sleeps to absolute 1 ms deadlines and records how
// late it wakes. On a kernel without preemption (dmesg: "Dynamic Preempt: none") a busy machine
// delays every process, the emulator included, by milliseconds; this tells such a run apart.
class RealtimeLatencyProbe {
 public:
  RealtimeLatencyProbe();
  ~RealtimeLatencyProbe();
  RealtimeLatencyProbe(const RealtimeLatencyProbe&) = delete;
  RealtimeLatencyProbe& operator=(const RealtimeLatencyProbe&) = delete;

  // Stops the probe; the 99th percentile of its wake-up lateness, in microseconds.
  double StopAndP99Us();

 private:
  std::atomic<bool> stop_{false};
  std::vector<double> lateness_us_;
  std::thread thread_;
};

class LabTest : public ::testing::Test {
 protected:
  // Skips the test when not run as root: a lab creates network namespaces.
  void SetUp() override;
  void TearDown() override;

  // linkmon-lab up tests/lab/topologies/<file>; the test fails (and stops) if it does not work.
  void Up(const std::string& file);
  // The topology file of the lab the test brought up last.
  const std::string& topology() const { return topology_; }

  CommandResult Lab(const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Runs argv in `site`'s namespace through `linkmon-lab exec`.
  CommandResult InSite(const std::string& site, const std::vector<std::string>& argv,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Starts argv in `site`'s namespace in the background.
  BackgroundProcess& StartInSite(const std::string& site, const std::vector<std::string>& argv);
  // Starts argv inside the lab namespace `ns` (the WAN router's, say) in the background.
  BackgroundProcess& StartInNamespace(const std::string& ns, const std::vector<std::string>& argv);
  // linkmon-lab set <topology> from to settings...; expects success.
  void Set(const std::string& from, const std::string& to,
           const std::vector<std::string>& settings);
  // Both directions of a link.
  void SetBoth(const std::string& a, const std::string& b,
               const std::vector<std::string>& settings);
  nlohmann::json Status();

 private:
  std::string topology_;
  std::vector<std::string> brought_up_;
  std::vector<std::unique_ptr<BackgroundProcess>> background_;
};

// The namespaces on this machine whose names start with `prefix`.
std::vector<std::string> NamespacesStartingWith(const std::string& prefix);

}  // namespace linkmon::lab::testing
