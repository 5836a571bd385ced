#include "webhook/receive/http_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <optional>

namespace bindscan::webhook {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kStopCheckInterval{50};
constexpr milliseconds kLinger{1000};

milliseconds timeval_ms(time_t sec, time_t usec) {
  return milliseconds(sec * 1000 + usec / 1000);
}

size_t saturating_add(size_t a, size_t b) {
  return a > std::numeric_limits<size_t>::max() - b ? std::numeric_limits<size_t>::max() : a + b;
}

// poll() for one event, retried on EINTR until `deadline`. >0 ready, 0 timed
// out, <0 error.
int wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
    pollfd pfd{fd, events, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (ready >= 0 || errno != EINTR) return ready;
  }
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) return;
  std::array<char, NI_MAXHOST> host{};
  std::array<char, NI_MAXSERV> service{};
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host.data(), host.size(),
                    service.data(), service.size(), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host.data();
    port = std::atoi(service.data());
  }
}

// The socket as httplib sees it, with a read-ahead buffer (httplib reads the
// request line and headers one byte at a time) and the per-request bounds.
class GuardedStream : public httplib::Stream {
 public:
  struct Limits {
    milliseconds read_timeout, write_timeout, request_timeout;
    size_t max_header_bytes, max_request_bytes;
  };
  GuardedStream(int fd, Limits limits) : fd_(fd), limits_(limits) {}

  // Waits up to `idle` for the next request's first byte; false on timeout
  // or when `stop` turns true. End of stream counts as readable, so that
  // httplib sees it and the loop ends.
  bool wait_for_request(milliseconds idle, const std::function<bool()>& stop) {
    if (start_ < end_) return true;
    auto give_up = Clock::now() + idle;
    while (!stop()) {
      auto now = Clock::now();
      if (now >= give_up) return false;
      int ready = wait_for(fd_, POLLIN, std::min(give_up, now + kStopCheckInterval));
      if (ready != 0) return ready > 0;
    }
    return false;
  }

  // Starts the clock and the byte counts of the next request.
  void begin_request() {
    deadline_ = Clock::now() + limits_.request_timeout;
    write_deadline_.reset();
    header_bytes_ = body_bytes_ = line_bytes_ = 0;
    in_headers_ = first_line_ = true;
    last_byte_ = 0;
    limit_.reset();
  }

  std::optional<RequestLimit> limit() const { return limit_; }

  // Reads and drops what the client still sends, until it closes or `time`
  // has passed.
  void discard_input(milliseconds time) {
    auto until = Clock::now() + time;
    std::array<char, 16 * 1024> sink;
    while (wait_for(fd_, POLLIN, until) > 0) {
      ssize_t n = ::recv(fd_, sink.data(), sink.size(), MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return;
    }
  }

  bool is_readable() const override {
    return start_ < end_ || wait_for(fd_, POLLIN, read_deadline()) > 0;
  }

  bool is_writable() const override {
    return wait_for(fd_, POLLOUT, Clock::now() + limits_.write_timeout) > 0;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (limit_) return -1;
    size_t allowed = in_headers_ ? limits_.max_header_bytes - header_bytes_
                                 : limits_.max_request_bytes - header_bytes_ - body_bytes_;
    if (allowed == 0) {
      limit_ = in_headers_ ? RequestLimit::kHeaderBytes : RequestLimit::kRequestBytes;
      return -1;
    }
    if (start_ == end_) {
      ssize_t got = fill();
      if (got <= 0) return got;
    }
    size_t n = std::min({size, end_ - start_, allowed});
    if (in_headers_) {
      n = header_span(n);
    } else {
      body_bytes_ += n;
    }
    std::copy_n(buffer_.data() + start_, n, ptr);
    start_ += n;
    write_deadline_.reset();
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!write_deadline_) write_deadline_ = Clock::now() + limits_.write_timeout;
    size_t done = 0;
    while (done < size) {
      int ready = wait_for(fd_, POLLOUT, *write_deadline_);
      if (ready == 0) limit_ = RequestLimit::kWriteTimeout;
      if (ready <= 0) return -1;
      ssize_t n = ::send(fd_, ptr + done, size - done, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EINTR && errno != EAGAIN) return -1;
      if (n > 0) done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address_of(fd_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address_of(fd_, false, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  Clock::time_point read_deadline() const {
    return std::min(deadline_, Clock::now() + limits_.read_timeout);
  }

  // Refills the empty buffer: >0 bytes, 0 end of stream, -1 error or limit.
  ssize_t fill() {
    start_ = end_ = 0;
    for (;;) {
      auto until = read_deadline();
      int ready = wait_for(fd_, POLLIN, until);
      if (ready == 0) {
        limit_ = until >= deadline_ ? RequestLimit::kRequestTimeout : RequestLimit::kReadTimeout;
        return -1;
      }
      if (ready < 0) return -1;
      ssize_t n = ::recv(fd_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
      if (n >= 0) {
        end_ = static_cast<size_t>(n);
        return n;
      }
      if (errno != EINTR && errno != EAGAIN) return -1;
    }
  }

  // How many of the next `n` buffered bytes are still headers, counting
  // them. The headers end with the first line that is exactly CRLF after the
  // request line, which is where httplib stops reading them (it skips lines
  // ending in a bare LF).
  size_t header_span(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      char c = buffer_[start_ + i];
      ++header_bytes_;
      if (c != '\n') {
        ++line_bytes_;
        last_byte_ = c;
        continue;
      }
      bool blank = line_bytes_ == 1 && last_byte_ == '\r';
      line_bytes_ = 0;
      if (blank && !first_line_) {
        in_headers_ = false;
        return i + 1;
      }
      first_line_ = false;
    }
    return n;
  }

  int fd_;
  Limits limits_;
  std::array<char, 16 * 1024> buffer_;
  size_t start_ = 0, end_ = 0;  // unread bytes are buffer_[start_, end_)

  Clock::time_point deadline_ = Clock::now();
  std::optional<Clock::time_point> write_deadline_;
  size_t header_bytes_ = 0, body_bytes_ = 0, line_bytes_ = 0;
  bool in_headers_ = true, first_line_ = true;
  char last_byte_ = 0;
  std::optional<RequestLimit> limit_;
};

}  // namespace

std::string_view to_string(RequestLimit limit) {
  switch (limit) {
    case RequestLimit::kRequestTimeout: return "request-timeout";
    case RequestLimit::kReadTimeout: return "read-timeout";
    case RequestLimit::kHeaderBytes: return "headers-too-large";
    case RequestLimit::kRequestBytes: return "request-too-large";
    case RequestLimit::kWriteTimeout: return "write-timeout";
  }
  return "unknown";
}

GuardedServer::GuardedServer() { set_thread_count(16); }

GuardedServer& GuardedServer::set_request_timeout(milliseconds timeout) {
  request_timeout_ = timeout;
  return *this;
}

GuardedServer& GuardedServer::set_max_header_bytes(size_t bytes) {
  max_header_bytes_ = bytes;
  return *this;
}

GuardedServer& GuardedServer::set_thread_count(size_t threads) {
  threads = std::max<size_t>(threads, 1);
  new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  return *this;
}

GuardedServer& GuardedServer::set_limit_handler(std::function<void(RequestLimit)> handler) {
  limit_handler_ = std::move(handler);
  return *this;
}

bool GuardedServer::set_listen_backlog(int backlog) {
  // On a listening socket, listen() again only changes the backlog.
  return svr_sock_ != INVALID_SOCKET && ::listen(svr_sock_, backlog) == 0;
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  const int on = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  GuardedStream stream(sock, {timeval_ms(read_timeout_sec_, read_timeout_usec_),
                              timeval_ms(write_timeout_sec_, write_timeout_usec_), request_timeout_,
                              max_header_bytes_, saturating_add(max_header_bytes_, payload_max_length_)});
  auto stopping = [this] { return svr_sock_ == INVALID_SOCKET; };
  bool ok = false;
  for (size_t left = keep_alive_max_count_; left > 0; --left) {
    if (!stream.wait_for_request(std::chrono::seconds(keep_alive_timeout_sec_), stopping)) break;
    stream.begin_request();
    bool connection_closed = false;
    ok = process_request(stream, left == 1, connection_closed, nullptr);
    if (std::optional<RequestLimit> limit = stream.limit()) {
      if (limit_handler_) limit_handler_(*limit);
      if (*limit == RequestLimit::kHeaderBytes || *limit == RequestLimit::kRequestBytes) {
        ::shutdown(sock, SHUT_WR);
        stream.discard_input(kLinger);
      }
      ok = false;
    }
    if (!ok || connection_closed) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace bindscan::webhook
