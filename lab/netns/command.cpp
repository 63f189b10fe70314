#include "lab/netns/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace linkmon::lab {

namespace {

// The input in an anonymous in-memory file: the child reads it at its own pace, and a large
// input cannot deadlock against a child that is busy writing its output.
Result<int> InputFile(std::string_view input) {
  const int fd = memfd_create("linkmon-lab-input", MFD_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kIo, std::string("memfd_create: ") + strerror(errno));
  std::size_t written = 0;
  while (written < input.size()) {
    const ssize_t n = write(fd, input.data() + written, input.size() - written);
    if (n <= 0) {
      close(fd);
      return MakeError(ErrorCode::kIo, std::string("writing command input: ") + strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    line += arg;
  }
  return line;
}

Result<std::string> RunCommand(const std::vector<std::string>& argv, std::string_view input_text,
                               std::chrono::milliseconds timeout) {
  if (argv.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty command");
  auto input = InputFile(input_text);
  if (!input) return tl::unexpected(input.error());
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(*input);
    return MakeError(ErrorCode::kIo, std::string("pipe: ") + strerror(errno));
  }
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {
    dup2(*input, STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    // The lab blocks termination signals while it builds (lab_builder.cpp); tools start clean.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(*input);
  close(out[1]);
  if (pid < 0) {
    close(out[0]);
    return MakeError(ErrorCode::kIo, std::string("fork: ") + strerror(errno));
  }

  std::string output;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      timed_out = true;
      break;
    }
    pollfd poll_fd{out[0], POLLIN, 0};
    if (poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buffer, static_cast<std::size_t>(n));
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return MakeError(ErrorCode::kUnavailable, CommandLine(argv) + ": timed out");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return MakeError(ErrorCode::kIo, CommandLine(argv) + ": exit " + std::to_string(code) +
                                         (output.empty() ? "" : ": " + output));
  }
  return output;
}

}  // namespace linkmon::lab
