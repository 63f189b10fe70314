#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace linkmon::testing {

namespace {

// Writes `input` to an unlinked temporary file and returns a descriptor positioned at its start.
int InputDescriptor(const std::string& input) {
  if (input.empty()) return open("/dev/null", O_RDONLY | O_CLOEXEC);
  char path[] = "/tmp/linkmon-test-input-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  unlink(path);
  if (write(fd, input.data(), input.size()) != static_cast<ssize_t>(input.size()) ||
      lseek(fd, 0, SEEK_SET) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::string& input) {
  CommandResult result;
  if (argv.empty()) return result;
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  const int in_fd = InputDescriptor(input);
  if (in_fd < 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }

  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in_fd, STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(out_pipe[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s failed\n", args[0]);
    _exit(127);
  }
  close(in_fd);
  close(out_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    return result;
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    pollfd poll_fd{out_pipe[0], POLLIN, 0};
    const int ready = poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready < 0) continue;
    if (ready == 0) continue;
    const ssize_t n = read(out_pipe[0], buffer, sizeof buffer);
    if (n <= 0) break;  // EOF: the child closed its output (normally by exiting)
    result.output.append(buffer, static_cast<std::size_t>(n));
  }
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

}  // namespace linkmon::testing
