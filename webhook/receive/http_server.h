// An httplib::Server whose every request is bounded in total time and size.
//
// cpp-httplib 0.11's own socket stream times out each read() on its own, so
// a client that sends one byte just inside the read timeout holds a worker
// thread forever, and it accepts any number of header lines. GuardedServer
// keeps httplib's parsing, routing and replies (it calls the protected
// Server::process_request) but replaces the per-connection loop and the
// stream under it, so that each request on a connection:
//
//   - is read whole (request line, headers, body) within `request_timeout`,
//     counted from the moment its first byte is readable; each wait for more
//     bytes lasts min(read timeout, time left);
//   - reads at most `max_header_bytes` up to and including the blank line
//     that ends the headers, and at most `max_header_bytes` +
//     payload_max_length in all (chunked bodies included);
//   - has its reply written within the write timeout, counted from the first
//     byte written after the last byte read.
//
// A read refused by these bounds fails, which httplib answers with 400 when
// the request line has been read (413 when it had already seen a declared
// body over payload_max_length) and by closing the connection otherwise.
// The connection is then closed; after a size bound the server first stops
// writing and discards what the client is still sending for up to 1 s, so
// the client can read the reply instead of a reset.
//
// Between requests, a keep-alive connection is closed after the keep-alive
// timeout (set_keep_alive_timeout, whole seconds) without a new request, or
// after keep_alive_max_count requests, or when the server stops. The first
// request on a connection waits the same time for its first byte.
//
// Replies go out with TCP_NODELAY: httplib writes headers and body apart,
// and Nagle's algorithm would hold the body for the client's delayed ACK
// (40 ms on every keep-alive request).
//
// Connections are served by set_thread_count() threads, one connection per
// thread at a time; further accepted connections wait, in order, for a
// free thread. So at most that many connections are served at once and
// each is bounded in time.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

namespace bindscan::webhook {

// Why a connection was cut short while reading or answering a request.
enum class RequestLimit {
  kRequestTimeout,  // the whole request was not read within request_timeout
  kReadTimeout,     // no byte arrived within the read timeout
  kHeaderBytes,     // request line and headers longer than max_header_bytes
  kRequestBytes,    // more than max_header_bytes + payload_max_length read
  kWriteTimeout,    // the reply could not be written within the write timeout
};
// "request-timeout", "read-timeout", "headers-too-large",
// "request-too-large", "write-timeout".
std::string_view to_string(RequestLimit limit);

class GuardedServer : public httplib::Server {
 public:
  GuardedServer();

  // Time to read one whole request, from its first byte. Default 10 s.
  GuardedServer& set_request_timeout(std::chrono::milliseconds timeout);
  // Bytes of request line and headers, CRLFs included. Default 64 KiB.
  GuardedServer& set_max_header_bytes(size_t bytes);
  // Threads serving connections (at least 1). Default 16. Takes effect at
  // the next listen.
  GuardedServer& set_thread_count(size_t threads);
  // Called on the connection's thread when a limit cuts a request short,
  // before the connection is closed. Must not throw.
  GuardedServer& set_limit_handler(std::function<void(RequestLimit)> handler);
  // httplib 0.11 listens with a backlog of 5, so a burst of new connections
  // overflows it and clients wait out SYN retries (1 s, then 3 s). Call
  // after bind_to_port; false when not bound or listen() fails.
  bool set_listen_backlog(int backlog);

 private:
  bool process_and_close_socket(socket_t sock) override;

  std::chrono::milliseconds request_timeout_{10'000};
  size_t max_header_bytes_ = 64 * 1024;
  std::function<void(RequestLimit)> limit_handler_;
};

}  // namespace bindscan::webhook
