#include "sarif/utf8.h"

namespace bindscan::sarif {

DecodedChar decode_utf8(std::string_view text, std::size_t offset) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(offset);
  if (lead < 0x80) return {lead, 1, true};

  // Bounds for the first continuation byte exclude overlong forms,
  // surrogates and code points above U+10FFFF (WHATWG "UTF-8 decoder").
  std::size_t needed = 0;
  unsigned char lower = 0x80;
  unsigned char upper = 0xBF;
  char32_t code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    needed = 1;
    code_point = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    needed = 2;
    code_point = lead & 0x0Fu;
    if (lead == 0xE0) lower = 0xA0;
    if (lead == 0xED) upper = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    needed = 3;
    code_point = lead & 0x07u;
    if (lead == 0xF0) lower = 0x90;
    if (lead == 0xF4) upper = 0x8F;
  } else {
    return {kReplacementCharacter, 1, false};
  }

  for (std::size_t i = 1; i <= needed; ++i) {
    if (offset + i >= text.size()) return {kReplacementCharacter, i, false};
    const unsigned char next = byte(offset + i);
    if (next < lower || next > upper) return {kReplacementCharacter, i, false};
    lower = 0x80;
    upper = 0xBF;
    code_point = (code_point << 6) | (next & 0x3Fu);
  }
  return {code_point, needed + 1, true};
}

std::size_t utf16_length(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) {
    const DecodedChar c = decode_utf8(text, i);
    units += static_cast<std::size_t>(utf16_units(c.code_point));
    i += c.length;
  }
  return units;
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t clean_from = 0;
  for (std::size_t i = 0; i < text.size();) {
    const DecodedChar c = decode_utf8(text, i);
    if (!c.valid) {
      out.append(text.substr(clean_from, i - clean_from));
      out.append("\xEF\xBF\xBD");
      clean_from = i + c.length;
    }
    i += c.length;
  }
  out.append(text.substr(clean_from));
  return out;
}

}  // namespace bindscan::sarif
