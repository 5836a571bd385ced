#include "webhook/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace bindscan::webhook {

std::string utc_timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string log_line(std::string_view level, nlohmann::json fields) {
  if (!fields.is_object()) fields = nlohmann::json{{"detail", fields}};
  fields["time"] = utc_timestamp();
  fields["level"] = level;
  return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string host_port(std::string_view host, int port) {
  const bool ipv6 = host.find(':') != std::string_view::npos;
  return (ipv6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

}  // namespace bindscan::webhook
