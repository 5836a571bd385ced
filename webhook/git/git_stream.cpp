#include "webhook/git/git_stream.h"

#include <git2.h>
#include <git2/sys/stream.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <system_error>
#include <type_traits>
#include <utility>

namespace bindscan::webhook {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::atomic<int64_t> connect_ms{GitTimeouts{}.connect.count()};
std::atomic<int64_t> idle_ms{GitTimeouts{}.idle.count()};
thread_local std::optional<std::string> last_timeout;

// libgit2 sees only `parent`, the first member; the static_assert below keeps
// the cast between the two pointers valid.
struct TimedSocket {
  git_stream parent;
  std::string host;
  std::string port;
  int fd;
  milliseconds connect_timeout;
  milliseconds idle_timeout;
};
static_assert(std::is_standard_layout_v<TimedSocket>);

TimedSocket &self(git_stream *stream) {
  return *reinterpret_cast<TimedSocket *>(stream);
}

std::string endpoint(const TimedSocket &s) { return s.host + ":" + s.port; }

std::string errno_text(int error) {
  return std::generic_category().message(error);
}

int fail(const std::string &message) {
  git_error_set_str(GIT_ERROR_NET, message.c_str());
  return -1;
}

int fail_timeout(const std::string &message) {
  last_timeout = message;
  return fail(message);
}

// Waits until `fd` is ready for `events`, at most `timeout` (0: no limit).
// Returns 1 ready, 0 timed out, -1 error (errno set).
int wait_for(int fd, short events, milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  for (;;) {
    int wait_ms = -1;
    if (timeout.count() > 0) {
      const auto left = std::chrono::ceil<milliseconds>(until - Clock::now());
      if (left.count() <= 0)
        return 0;
      wait_ms = static_cast<int>(std::min<int64_t>(left.count(), INT32_MAX));
    }
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, wait_ms);
    if (rc > 0)
      return 1; // readable, writable, or an error the next call reports
    if (rc == 0)
      return 0;
    if (errno != EINTR)
      return -1;
  }
}

std::string numeric_address(const addrinfo &a) {
  char host[NI_MAXHOST];
  if (::getnameinfo(a.ai_addr, a.ai_addrlen, host, sizeof host, nullptr, 0,
                    NI_NUMERICHOST) != 0) {
    return "?";
  }
  return host;
}

// Connects a non-blocking socket to one address. Returns the socket, or -1
// with `why` saying what went wrong and `timed_out` set for a timeout.
int connect_one(const addrinfo &a, milliseconds timeout, std::string &why,
                bool &timed_out) {
  const int fd = ::socket(
      a.ai_family, a.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a.ai_protocol);
  if (fd < 0) {
    why = errno_text(errno);
    return -1;
  }
  int error = ::connect(fd, a.ai_addr, a.ai_addrlen) == 0 ? 0 : errno;
  if (error == EINPROGRESS) {
    const int ready = wait_for(fd, POLLOUT, timeout);
    if (ready == 0) {
      timed_out = true;
      why = "no answer within " + describe_duration(timeout);
      ::close(fd);
      return -1;
    }
    socklen_t length = sizeof error;
    if (ready < 0 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
      error = errno;
  }
  if (error != 0) {
    why = errno_text(error);
    ::close(fd);
    return -1;
  }
  return fd;
}

int stream_connect(git_stream *stream) {
  TimedSocket &s = self(stream);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo *found = nullptr;
  if (const int rc =
          ::getaddrinfo(s.host.c_str(), s.port.c_str(), &hints, &found);
      rc != 0) {
    return fail("cannot resolve git remote " + s.host + ": " +
                ::gai_strerror(rc));
  }
  std::string reasons;
  bool any_timed_out = false;
  for (const addrinfo *a = found; a != nullptr && s.fd < 0; a = a->ai_next) {
    std::string why;
    bool timed_out = false;
    s.fd = connect_one(*a, s.connect_timeout, why, timed_out);
    if (s.fd < 0) {
      reasons +=
          (reasons.empty() ? "" : "; ") + numeric_address(*a) + ": " + why;
      any_timed_out = any_timed_out || timed_out;
    }
  }
  ::freeaddrinfo(found);
  if (s.fd >= 0)
    return 0;
  const std::string message =
      "cannot connect to git remote " + endpoint(s) + " (" + reasons + ")";
  return any_timed_out ? fail_timeout(message) : fail(message);
}

ssize_t stream_read(git_stream *stream, void *data, size_t length) {
  TimedSocket &s = self(stream);
  for (;;) {
    const ssize_t n = ::recv(s.fd, data, length, 0);
    if (n >= 0)
      return n;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return fail("reading from git remote " + endpoint(s) + ": " +
                  errno_text(errno));
    }
    const int ready = wait_for(s.fd, POLLIN, s.idle_timeout);
    if (ready == 0) {
      return fail_timeout("git remote " + endpoint(s) + " silent for " +
                          describe_duration(s.idle_timeout));
    }
    if (ready < 0)
      return fail("waiting for git remote " + endpoint(s) + ": " +
                  errno_text(errno));
  }
}

ssize_t stream_write(git_stream *stream, const char *data, size_t length, int) {
  TimedSocket &s = self(stream);
  for (;;) {
    // MSG_NOSIGNAL: a peer that closed must give EPIPE, not kill the process.
    const ssize_t n = ::send(s.fd, data, length, MSG_NOSIGNAL);
    if (n >= 0)
      return n; // libgit2 calls again for the rest
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return fail("writing to git remote " + endpoint(s) + ": " +
                  errno_text(errno));
    }
    const int ready = wait_for(s.fd, POLLOUT, s.idle_timeout);
    if (ready == 0) {
      return fail_timeout("git remote " + endpoint(s) + " silent for " +
                          describe_duration(s.idle_timeout) +
                          " (it stopped reading what we send)");
    }
    if (ready < 0)
      return fail("waiting for git remote " + endpoint(s) + ": " +
                  errno_text(errno));
  }
}

int stream_close(git_stream *stream) {
  TimedSocket &s = self(stream);
  if (s.fd >= 0)
    ::close(s.fd);
  s.fd = -1;
  return 0;
}

void stream_free(git_stream *stream) {
  stream_close(stream);
  delete &self(stream);
}

int stream_new(git_stream **out, const char *host, const char *port) {
  auto *s = new TimedSocket{git_stream{},
                            host,
                            port ? port : "",
                            -1,
                            milliseconds(connect_ms.load()),
                            milliseconds(idle_ms.load())};
  s->parent.version = GIT_STREAM_VERSION;
  s->parent.connect = stream_connect;
  s->parent.read = stream_read;
  s->parent.write = stream_write;
  s->parent.close = stream_close;
  s->parent.free = stream_free;
  *out = &s->parent;
  return 0;
}

} // namespace

Status use_git_timeouts(const GitTimeouts &timeouts) {
  static std::once_flag once;
  static std::string refused; // why libgit2 refused the registration, if it did
  std::call_once(once, [] {
    git_libgit2_init();
    git_stream_registration registration{};
    registration.version = GIT_STREAM_VERSION;
    registration.init = stream_new;
    registration.wrap = nullptr; // not a TLS stream: nothing to wrap
    if (git_stream_register(GIT_STREAM_STANDARD, &registration) != 0) {
      const git_error *e = git_error_last();
      refused = e && e->message ? e->message : "unknown error";
    }
  });
  if (!refused.empty())
    return Error{"git", "libgit2 refused our socket stream: " + refused};
  connect_ms = std::max<int64_t>(0, timeouts.connect.count());
  idle_ms = std::max<int64_t>(0, timeouts.idle.count());
  return ok_status();
}

GitTimeouts current_git_timeouts() {
  return GitTimeouts{milliseconds(connect_ms), milliseconds(idle_ms)};
}

std::optional<std::string> take_git_stream_timeout() {
  return std::exchange(last_timeout, std::nullopt);
}

std::string describe_duration(milliseconds duration) {
  const int64_t ms = duration.count();
  if (ms < 1000)
    return std::to_string(ms) + " ms";
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string fraction = std::to_string(1000 + ms % 1000).substr(1); // "050"
    while (fraction.back() == '0')
      fraction.pop_back();
    text += "." + fraction;
  }
  return text + " s";
}

} // namespace bindscan::webhook
