// The one shape of every `bindscan serve` log line: a JSON object on one line
// with "time" (UTC, milliseconds, RFC 3339), "level" ("info", "warning" or
// "error"), "msg" (what happened: "listening", "delivery", "job", ...), and
// the event's own fields. Start-up errors are lines of this shape too.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace bindscan::webhook {

// `fields` is a JSON object holding "msg"; "time" and "level" are set here
// (replacing any given). Text that is not valid UTF-8 is replaced, never thrown on.
std::string log_line(std::string_view level, nlohmann::json fields);

// Now, as "2026-05-01T10:00:00.123Z".
std::string utc_timestamp();

// "HOST:PORT", with an IPv6 host in brackets: "[::1]:8080".
std::string host_port(std::string_view host, int port);

}  // namespace bindscan::webhook
