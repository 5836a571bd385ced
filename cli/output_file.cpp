#include "cli/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace bindscan::cli {
namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error{"io", what + " " + path + ": " + std::strerror(err)};
}

}  // namespace

Result<std::unique_ptr<OutputFile>> OutputFile::open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    // /dev/null, /dev/stdout, a FIFO or a process substitution: there is no
    // file to replace (renaming over /dev/null would replace the device), so
    // the report is written straight into it.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return io_error("cannot write", path, errno);
    return std::unique_ptr<OutputFile>(new OutputFile(path, "", fd));
  }
  // A symbolic link stays one: its target is what gets replaced.
  std::string target = path;
  if (char* resolved = ::realpath(path.c_str(), nullptr)) {
    target = resolved;
    std::free(resolved);
  }
  std::error_code ec;
  if (std::filesystem::path parent = std::filesystem::path(target).parent_path(); !parent.empty())
    std::filesystem::create_directories(parent, ec);
  if (ec) return Error{"io", "cannot create the folder of " + path + ": " + ec.message()};
  std::string temp = target + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return io_error("cannot write", path, errno);
  // mkstemp creates 0600; a report gets the permissions a plain create gives.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  return std::unique_ptr<OutputFile>(new OutputFile(target, std::move(temp), fd));
}

Status OutputFile::commit(std::string_view bytes) {
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot write", path_, errno);
    done += static_cast<size_t>(n);
  }
  const bool in_place = temp_.empty();
  if (!in_place && ::fsync(fd_) != 0) return io_error("cannot write", path_, errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return io_error("cannot write", path_, errno);
  if (!in_place && ::rename(temp_.c_str(), path_.c_str()) != 0)
    return io_error("cannot rename a temporary file to", path_, errno);
  committed_ = true;
  return ok_status();
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

}  // namespace bindscan::cli
