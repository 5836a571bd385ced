// UTF-8 decoding as SARIF consumers see text: what GitHub's upload action
// (Node's UTF-8 decoder) and editors do with a file's bytes. Shared by column
// conversion, fingerprints and JSON output, so all three agree on what a
// "character" is.
//
// Invalid input never fails: each maximal invalid subsequence (in practice
// usually a single byte; a truncated but well-started sequence such as
// E2 82 counts once) decodes to one U+FFFD, exactly as the WHATWG Encoding
// Standard and Node.js decode it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bindscan::sarif {

inline constexpr char32_t kReplacementCharacter = U'\uFFFD';

struct DecodedChar {
  char32_t code_point;  // U+FFFD for invalid input
  std::size_t length;   // bytes consumed, >= 1
  bool valid;           // false: the bytes were not well-formed UTF-8
};

// Decodes the character starting at byte `offset` (< text.size()).
DecodedChar decode_utf8(std::string_view text, std::size_t offset);

// 1 for the BMP, 2 for supplementary planes (a surrogate pair).
constexpr int utf16_units(char32_t code_point) {
  return code_point >= 0x10000 ? 2 : 1;
}

// UTF-16 code units in `text` (invalid subsequences count as one unit each).
std::size_t utf16_length(std::string_view text);

// `text` with every invalid subsequence replaced by U+FFFD (EF BF BD); valid
// text is returned unchanged. Everything that goes into JSON passes this.
std::string sanitize_utf8(std::string_view text);

}  // namespace bindscan::sarif
