#include "tests/lab/integration/lab_fixture.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace linkmon::lab::testing {

RealtimeLatencyProbe::RealtimeLatencyProbe() {
  thread_ = std::thread([this] {
    sched_param param{};
    param.sched_priority = 20;
    pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (!stop_.load(std::memory_order_relaxed)) {
      next.tv_nsec += 1'000'000;
      if (next.tv_nsec >= 1'000'000'000) {
        next.tv_nsec -= 1'000'000'000;
        ++next.tv_sec;
      }
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
      timespec now{};
      clock_gettime(CLOCK_MONOTONIC, &now);
      lateness_us_.push_back(static_cast<double>(now.tv_sec - next.tv_sec) * 1e6 +
                             static_cast<double>(now.tv_nsec - next.tv_nsec) / 1e3);
    }
  });
}

RealtimeLatencyProbe::~RealtimeLatencyProbe() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

double RealtimeLatencyProbe::StopAndP99Us() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (lateness_us_.empty()) return 0;
  std::vector<double> sorted = lateness_us_;
  std::sort(sorted.begin(), sorted.end());
  return sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)];
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv) {
  char path[] = "/tmp/linkmon-lab-test-XXXXXX";
  const int out = mkstemp(path);
  output_path_ = path;
  pid_ = fork();
  if (pid_ == 0) {
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out);
}

int BackgroundProcess::Wait(std::chrono::milliseconds timeout) {
  if (reaped_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      reaped_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return exit_code_;
    }
    if (done < 0 || std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string BackgroundProcess::Output() const {
  std::ifstream file(output_path_);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGTERM);
    if (Wait(std::chrono::seconds(3)) == -1 && !reaped_) {
      kill(pid_, SIGKILL);
      Wait(std::chrono::seconds(3));
    }
  }
  unlink(output_path_.c_str());
}

void LabTest::SetUp() {
  if (geteuid() != 0) GTEST_SKIP() << "the lab needs root (it creates network namespaces)";
}

void LabTest::TearDown() {
  background_.clear();
  for (const std::string& file : brought_up_) {
    const CommandResult down = Lab({"down", file});
    EXPECT_EQ(down.exit_code, 0) << down.output;
  }
}

void LabTest::Up(const std::string& file) {
  topology_ = kTopologies + file;
  brought_up_.push_back(topology_);
  const CommandResult up = Lab({"up", topology_});
  ASSERT_EQ(up.exit_code, 0) << "linkmon-lab up " << file << ":\n" << up.output;
}

CommandResult LabTest::Lab(const std::vector<std::string>& args,
                           std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {kLabBinary};
  argv.insert(argv.end(), args.begin(), args.end());
  return linkmon::testing::RunCommand(argv, timeout);
}

CommandResult LabTest::InSite(const std::string& site, const std::vector<std::string>& argv,
                              std::chrono::milliseconds timeout) {
  std::vector<std::string> args = {"exec", topology_, site, "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  return Lab(args, timeout);
}

BackgroundProcess& LabTest::StartInSite(const std::string& site,
                                        const std::vector<std::string>& argv) {
  std::vector<std::string> args = {kLabBinary, "exec", topology_, site, "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  background_.push_back(std::make_unique<BackgroundProcess>(args));
  return *background_.back();
}

BackgroundProcess& LabTest::StartInNamespace(const std::string& ns,
                                             const std::vector<std::string>& argv) {
  std::vector<std::string> args = {"ip", "netns", "exec", ns};
  args.insert(args.end(), argv.begin(), argv.end());
  background_.push_back(std::make_unique<BackgroundProcess>(args));
  return *background_.back();
}

void LabTest::Set(const std::string& from, const std::string& to,
                  const std::vector<std::string>& settings) {
  std::vector<std::string> args = {"set", topology_, from, to};
  args.insert(args.end(), settings.begin(), settings.end());
  const CommandResult set = Lab(args);
  EXPECT_EQ(set.exit_code, 0) << set.output;
}

void LabTest::SetBoth(const std::string& a, const std::string& b,
                      const std::vector<std::string>& settings) {
  Set(a, b, settings);
  Set(b, a, settings);
}

nlohmann::json LabTest::Status() {
  const CommandResult status = Lab({"status", topology_, "--json"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  auto json = nlohmann::json::parse(status.output, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << status.output;
  return json;
}

std::vector<std::string> NamespacesStartingWith(const std::string& prefix) {
  std::vector<std::string> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix)) found.push_back(name);
  }
  return found;
}

}  // namespace linkmon::lab::testing
