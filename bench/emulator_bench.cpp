// The WAN emulator's CPU cost per 10,000 packets, two ways:
//
//   BM_PacketPath: the emulator's own decisions and bookkeeping in process (WanEmulator with a
//     sink that does nothing): one iteration is 10,000 packets, so "CPU" per iteration is the CPU
//     time per 10,000 packets. Independent, jittered, bursty-loss and reordering links.
//
//   BM_LabEmulatorProcess: a real lab (root only): fping sends echoes through a 6 ms link and the
//     emulator process's CPU (user + system, from /proc/PID/schedstat) is read before and after.
//     Its system time includes the kernel work its verdicts trigger: a released packet continues
//     through forwarding, the veth and, for an echo, the far end's reply inside the verdict call.
//     Reported as counter cpu_s_per_10k_packets (packets through the emulator: 2 per echo).

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "config/yaml/diagnostics.h"
#include "lab/emulator/wan_emulator.h"
#include "lab/topology/topology_loader.h"

namespace linkmon::lab {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

constexpr int kPacketsPerIteration = 10'000;

class NullSink final : public VerdictSink {
 public:
  Status Accept(std::uint16_t, std::uint32_t) override { return {}; }
  Status AcceptThrough(std::uint16_t, std::uint32_t) override { return {}; }
  Status Drop(std::uint16_t, std::uint32_t) override { return {}; }
  Status SendCopy(std::span<const std::uint8_t>) override { return {}; }
};

Topology BenchTopology(const std::string& link) {
  config::yaml::Diagnostics diagnostics;
  auto topology =
      ParseTopology("name: bench\nseed: 5\nsites: {a: {}, b: {}}\nlinks:\n  - " + link + "\n",
                    "bench.yaml", diagnostics);
  if (!topology) std::abort();
  return *topology;
}

// 10,000 packets arriving 50 us apart (20,000 packets/s), released as a 1 ms timer loop would.
void BM_PacketPath(benchmark::State& state, const std::string& link) {
  NullSink sink;
  WanEmulator emulator(BenchTopology(link), sink);
  MonotonicTime now{std::chrono::seconds(1)};
  std::uint32_t id = 0;
  for (auto _ : state) {
    for (int i = 0; i < kPacketsPerIteration; ++i) {
      now += microseconds(50);
      emulator.OnPacket(static_cast<std::uint16_t>(i & 1), ++id, now, {});
      if ((i & 15) == 0) emulator.ReleaseDue(now, now);
    }
  }
  emulator.ReleaseDue(now + std::chrono::seconds(20), now);
  state.SetItemsProcessed(state.iterations() * kPacketsPerIteration);
}

BENCHMARK_CAPTURE(BM_PacketPath, fixed_delay, std::string("{between: [a, b], delay: 6ms}"));
BENCHMARK_CAPTURE(BM_PacketPath, jitter_and_loss,
                  std::string("{between: [a, b], delay: 6ms, jitter: 0.2ms, loss: 0.1%}"));
BENCHMARK_CAPTURE(BM_PacketPath, bursty_loss_reorder,
                  std::string("{between: [a, b], delay: 6ms, loss: 5%, loss_burst: 4, reorder: "
                              "1%}"));

// --- the real emulator process ---------------------------------------------------------------

const std::string kLab = LINKMON_BINARY_DIR "/bin/linkmon-lab";

std::string Run(const std::string& command) {
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    pclose(pipe);
  }
  return output;
}

// CPU time the process has used, in ns (the first field of /proc/PID/schedstat).
double ProcessCpuNs(int pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/schedstat");
  double ns = 0;
  file >> ns;
  return ns;
}

void BM_LabEmulatorProcess(benchmark::State& state) {
  if (geteuid() != 0) {
    state.SkipWithError("needs root (builds a lab)");
    return;
  }
  const int echoes_per_second = static_cast<int>(state.range(0));
  char path[] = "/tmp/linkmon-bench-topology-XXXXXX.yaml";
  close(mkstemps(path, 5));
  std::ofstream(path) << "name: lbench\nsites: {a: {}, b: {}}\n"
                         "links:\n  - {between: [a, b], delay: 6ms}\n";
  if (Run(kLab + " up " + path + " >/dev/null 2>&1; echo $?") != "0\n") {
    state.SkipWithError("linkmon-lab up failed");
    std::remove(path);
    return;
  }
  const auto status =
      nlohmann::json::parse(Run(kLab + " status " + path + " --json"), nullptr, false);
  const int pid = status.is_discarded() ? 0 : status.value("emulator_pid", 0);
  const int echoes = 10'000;
  double cpu_ns = 0, packets = 0;
  for (auto _ : state) {
    const double before = ProcessCpuNs(pid);
    Run(kLab + " exec " + path + " a -- fping -C " + std::to_string(echoes) + " -p " +
        std::to_string(1000.0 / echoes_per_second) + " -i 0.05 -t 500 -q 10.77.2.2 2>&1");
    cpu_ns += ProcessCpuNs(pid) - before;
    packets += 2.0 * echoes;
  }
  Run(kLab + " down " + path + " >/dev/null 2>&1");
  std::remove(path);
  state.counters["cpu_s_per_10k_packets"] = cpu_ns / 1e9 / packets * 10'000;
  state.counters["packets_per_second"] = 2.0 * echoes_per_second;
}

BENCHMARK(BM_LabEmulatorProcess)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace linkmon::lab
