// Socket timeouts for libgit2 1.5, which has none of its own
// (GIT_OPT_SET_SERVER_TIMEOUT arrived in 1.7): without them a remote that
// accepts the TCP connection and then stops sending holds a job thread until
// the kernel gives up, which can take hours.
//
// How: libgit2 opens every plain TCP connection through
// git_socket_stream_new(), which uses the stream registered for
// GIT_STREAM_STANDARD when there is one. Its TLS streams (OpenSSL and mbedTLS,
// Debian's build) are built on that same call and read and write through it, so
// one registration bounds git://, http:// and https:// alike. Our stream:
//   - resolves the host with getaddrinfo() (not bounded: the resolver's own
//     timeouts apply) and tries every address in turn, each connect bounded
//     by `connect`;
//   - bounds every read and write by `idle`: a call that makes no progress
//     for that long fails. A slow but steady transfer is never cut off; the
//     whole fetch is bounded by the job's deadline in GitMirror::fetch.
//
// On a timeout the stream sets the libgit2 error (class GIT_ERROR_NET) to a
// message such as "git remote github.com:443 silent for 60 s" and returns -1;
// the same message is kept for the calling thread (take_git_stream_timeout),
// because a TLS layer above may replace libgit2's error text with its own.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/result.h"

namespace bindscan::webhook {

struct GitTimeouts {
  // Longest wait for one TCP connect, per address tried; 0 = the OS default.
  std::chrono::milliseconds connect{15'000};
  // Longest wait for a read or a write to make any progress; 0 = no limit.
  std::chrono::milliseconds idle{60'000};
};

// Registers the stream with libgit2 the first time it is called (thread-safe;
// initialises libgit2 itself) and sets the timeouts. The timeouts are
// PROCESS-WIDE: libgit2 has one stream registry, so the last call wins for
// every connection opened after it, from any thread; connections already open
// keep the values they started with. Negative values count as 0.
// Fails (code "git") only if libgit2 refuses the registration.
Status use_git_timeouts(const GitTimeouts &timeouts);

// The timeouts connections opened now would get.
GitTimeouts current_git_timeouts();

// The message of the last connect or idle timeout on this thread since the
// previous call, if any, and forgets it. Call it before a libgit2 operation
// to clear it and after a failure to tell a timeout from other errors.
std::optional<std::string> take_git_stream_timeout();

// "60 s", "1.5 s", "250 ms": how the messages above spell a duration.
std::string describe_duration(std::chrono::milliseconds duration);

} // namespace bindscan::webhook
