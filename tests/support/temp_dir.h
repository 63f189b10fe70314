#pragma once

// A fresh directory under the system's temp directory, removed with everything in it when the
// object goes (also when a test fails). Names carry the pid and a counter, so parallel test
// processes never share one.

#include <unistd.h>

#include <filesystem>
#include <string>

namespace linkmon::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "linkmon-test") {
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

}  // namespace linkmon::testing
