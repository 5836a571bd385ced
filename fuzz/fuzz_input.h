// Splitting a fuzz input into newline-separated fields followed by a body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bindscan::fuzzing {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  // The bytes up to the next newline (or the end), consumed with the newline.
  std::string take_line() {
    size_t end = rest_.find('\n');
    std::string line(rest_.substr(0, end));
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + 1);
    return line;
  }

  // Everything not consumed yet.
  std::string rest() const { return std::string(rest_); }

 private:
  std::string_view rest_;
};

}  // namespace bindscan::fuzzing
