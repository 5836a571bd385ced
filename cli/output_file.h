// A report file that appears whole or not at all: bytes go to a temporary
// file in the target's directory, which is renamed over the target only when
// everything was written. Opening first lets `bindscan scan` refuse an
// unwritable output path before it scans anything. A path that is not a
// regular file (/dev/null, /dev/stdout, a FIFO) is written in place, and a
// symbolic link keeps pointing where it did: its target is replaced.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bindscan::cli {

class OutputFile {
 public:
  // Creates missing parent folders (an Action's output may name a folder the
  // checkout does not have), then `path`.tmp-XXXXXX (mode 0666 less the
  // umask, like a plain create). Error code "io", message naming `path` and
  // the reason.
  static Result<std::unique_ptr<OutputFile>> open(const std::string& path);

  // Writes `bytes`, flushes them to disk and renames the temporary file to
  // the path. On failure the temporary file is removed and an existing file
  // at the path is left as it was. Call at most once.
  Status commit(std::string_view bytes);

  // Removes the temporary file unless commit() succeeded.
  ~OutputFile();

  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

 private:
  OutputFile(std::string path, std::string temp, int fd) : path_(std::move(path)), temp_(std::move(temp)), fd_(fd) {}
  std::string path_;
  std::string temp_;  // empty: written in place
  int fd_;
  bool committed_ = false;
};

}  // namespace bindscan::cli
