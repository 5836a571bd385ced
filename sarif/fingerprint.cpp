#include "sarif/fingerprint.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <unordered_map>

#include "sarif/utf8.h"

namespace bindscan::sarif {
namespace {

constexpr int kWindow = 100;
constexpr uint64_t kBase = 37;
constexpr char16_t kEndOfFile = 0xFFFF;

constexpr uint64_t base_to_window_power() {
  uint64_t power = 1;
  for (int i = 0; i < kWindow; ++i) power *= kBase;
  return power;
}

// Mirrors fingerprints.ts's hash(): same state, same order of operations.
class RollingHasher {
 public:
  explicit RollingHasher(std::vector<uint64_t>& out) : out_(out) { line_of_slot_.fill(0); }

  void feed(char16_t unit) {
    if (unit == u' ' || unit == u'\t' || (previous_cr_ && unit == u'\n')) {
      previous_cr_ = false;
      return;
    }
    previous_cr_ = unit == u'\r';
    if (previous_cr_) unit = u'\n';
    if (line_of_slot_[index_] != 0) emit();
    if (line_start_) {
      line_start_ = false;
      line_of_slot_[index_] = ++line_count_;
    }
    if (unit == u'\n') line_start_ = true;
    update(unit);
  }

  void finish() {
    feed(kEndOfFile);
    for (int i = 0; i < kWindow; ++i) {
      if (line_of_slot_[index_] != 0) emit();
      update(0);
    }
  }

 private:
  void update(char16_t unit) {
    const uint64_t leaving = window_[index_];
    window_[index_] = unit;
    hash_ = hash_ * kBase + unit - kPowerOut * leaving;
    index_ = (index_ + 1) % kWindow;
  }

  // Lines reach the front of the window in order, so out_ grows line by line.
  void emit() {
    out_.push_back(hash_);
    line_of_slot_[index_] = 0;
  }

  static constexpr uint64_t kPowerOut = base_to_window_power();
  std::vector<uint64_t>& out_;
  std::array<uint64_t, kWindow> window_{};
  std::array<int, kWindow> line_of_slot_{};  // 0: no line starts here
  uint64_t hash_ = 0;
  int index_ = 0;
  int line_count_ = 0;
  bool line_start_ = true;
  bool previous_cr_ = false;
};

// The rolling hash of each line, in order, up to line `last` at least (all
// of them when `last` is past the end): UTF-8 decoded into UTF-16 units.
std::vector<uint64_t> hash_values(std::string_view source, std::size_t last) {
  std::vector<uint64_t> values;
  RollingHasher hasher(values);
  for (std::size_t i = 0; i < source.size() && values.size() < last;) {
    const DecodedChar c = decode_utf8(source, i);
    if (c.code_point >= 0x10000) {
      const char32_t v = c.code_point - 0x10000;
      hasher.feed(static_cast<char16_t>(0xD800 + (v >> 10)));
      hasher.feed(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
    } else {
      hasher.feed(static_cast<char16_t>(c.code_point));
    }
    i += c.length;
  }
  if (values.size() < last) hasher.finish();
  return values;
}

// GitHub's text of a hash: lowercase hex, ':', its occurrence so far.
std::string text_of(uint64_t hash, int occurrence) {
  std::array<char, 16> hex{};
  const auto end = std::to_chars(hex.data(), hex.data() + hex.size(), hash, 16).ptr;
  return std::string(hex.data(), end) + ':' + std::to_string(occurrence);
}

}  // namespace

std::vector<std::string> line_hashes(std::string_view source) {
  const std::vector<uint64_t> values = hash_values(source, static_cast<std::size_t>(-1));
  std::vector<std::string> hashes;
  hashes.reserve(values.size());
  std::unordered_map<uint64_t, int> occurrences;
  for (uint64_t value : values) hashes.push_back(text_of(value, ++occurrences[value]));
  return hashes;
}

std::vector<std::string> hashes_of_lines(std::string_view source, std::span<const int> lines) {
  std::size_t last = 1;
  for (int line : lines) last = std::max(last, static_cast<std::size_t>(std::max(line, 1)));
  const std::vector<uint64_t> values = hash_values(source, last);
  // Occurrences are counted only for the values asked about, in one pass.
  std::unordered_map<uint64_t, int> occurrences;
  for (int line : lines) {
    const std::size_t index = static_cast<std::size_t>(std::max(line, 1)) - 1;
    if (index < values.size()) occurrences.emplace(values[index], 0);
  }
  std::vector<int> occurrence_at(std::min(last, values.size()), 0);
  for (std::size_t i = 0; i < occurrence_at.size(); ++i) {
    auto it = occurrences.find(values[i]);
    if (it != occurrences.end()) occurrence_at[i] = ++it->second;
  }
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (int line : lines) {
    const std::size_t index = static_cast<std::size_t>(std::max(line, 1)) - 1;
    out.push_back(index < values.size() ? text_of(values[index], occurrence_at[index]) : std::string());
  }
  return out;
}

std::string_view line_hash(const std::vector<std::string>& hashes, int line) {
  const std::size_t index = line < 1 ? 0 : static_cast<std::size_t>(line - 1);
  return index < hashes.size() ? std::string_view(hashes[index]) : std::string_view();
}

}  // namespace bindscan::sarif
