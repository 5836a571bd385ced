#include "scanner/words.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace bindscan {
namespace {

constexpr uint32_t kFnvBasis = 2166136261u;
constexpr uint32_t kFnvPrime = 16777619u;

uint32_t hash_of(std::string_view word) {
  uint32_t h = kFnvBasis;
  for (char c : word) h = (h ^ static_cast<uint8_t>(c)) * kFnvPrime;
  return h;
}

// Byte classes of the lexer.
// Classes from kDot on are skipped by the lexer's inner loop.
enum Class : uint8_t { kIdentifier, kDigit, kQuote, kHash, kDot, kSpace, kBackslash, kOther };

constexpr std::array<uint8_t, 256> kClasses = [] {
  std::array<uint8_t, 256> out{};
  for (int c = 0; c < 256; ++c) {
    uint8_t k = kOther;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80) k = kIdentifier;
    if (c >= '0' && c <= '9') k = kDigit;
    if (c == '\'' || c == '"') k = kQuote;
    if (c == '#') k = kHash;
    if (c == '.') k = kDot;
    if (c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\v' || c == '\n') k = kSpace;
    if (c == '\\') k = kBackslash;
    out[static_cast<size_t>(c)] = k;
  }
  return out;
}();

uint8_t class_of(char c) { return kClasses[static_cast<uint8_t>(c)]; }
bool is_word_char(char c) { return class_of(c) == kIdentifier || class_of(c) == kDigit; }

// Whether [begin, end) is a string prefix (r, b, u, f and their pairs), and
// whether it makes an f-string.
bool string_prefix(const char* begin, const char* end, bool& formatted) {
  if (end - begin > 2) return false;
  formatted = false;
  for (const char* c = begin; c < end; ++c) {
    switch (*c) {
      case 'f':
      case 'F':
        formatted = true;
        break;
      case 'r':
      case 'R':
      case 'b':
      case 'B':
      case 'u':
      case 'U':
        break;
      default:
        return false;
    }
  }
  return true;
}

}  // namespace

Vocabulary::Vocabulary(const std::vector<std::string>& words) {
  for (const std::string& w : words)
    if (!w.empty() && std::find(words_.begin(), words_.end(), w) == words_.end()) words_.push_back(w);
  size_t n = 16;
  while (n < words_.size() * 4) n *= 2;
  slots_.assign(n, {});
  for (uint32_t id = 0; id < words_.size(); ++id) {
    uint32_t bit = shape_of(words_[id]);
    shapes_[bit >> 6] |= uint64_t{1} << (bit & 63);
    uint32_t h = hash_of(words_[id]);
    for (size_t i = h & (n - 1);; i = (i + 1) & (n - 1))
      if (slots_[i].id == 0) {
        slots_[i] = {h, id + 1};
        break;
      }
  }
}

std::optional<uint32_t> Vocabulary::find(std::string_view word) const {
  if (word.empty() || !may_hold(word)) return std::nullopt;
  return find(word, hash_of(word));
}

std::optional<uint32_t> Vocabulary::find(std::string_view word, uint32_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id == 0) return std::nullopt;
    if (slot.hash == hash && words_[slot.id - 1] == word) return slot.id - 1;
  }
}

// The lexer: code, strings (skipped, except f-strings, whose insides are
// lexed as code) and comments (skipped).
class WordLexer {
 public:
  WordLexer(const Vocabulary& vocabulary, WordsFound& out, const char* source_begin)
      : v_(vocabulary), out_(out), source_begin_(source_begin) {}

  void lex(const char* p, const char* const end, int depth) {
    if (depth > kMaxDepth) {
      overflow_ = true;
      return;
    }
    const char* const begin = p;
    while (p < end) {
      // Punctuation, operators and white space matter only around the few
      // words of the vocabulary, where word() looks at them: skip them.
      while (class_of(*p) >= kDot && ++p < end) {
      }
      if (p == end) break;
      switch (class_of(*p)) {
        case kIdentifier: {
          const char* start = p;
          while (p < end && is_word_char(*p)) ++p;
          bool formatted = false;
          if (p < end && class_of(*p) == kQuote && string_prefix(start, p, formatted)) {
            p = skip_string(p, end, formatted, depth);
          } else {
            std::string_view text(start, static_cast<size_t>(p - start));
            if ((text == "import" || text == "from") && depth == 0 && starts_statement(start))
              read_import(text == "from", p, end, out_.imports);
            word(text, begin, p, end);
          }
          break;
        }
        case kDigit:
          // A number: digits, letters (hex, exponents, suffixes) and a fraction's dot.
          while (p < end && (is_word_char(*p) || (*p == '.' && p + 1 < end && class_of(p[1]) == kDigit))) ++p;
          break;
        case kQuote:
          p = skip_string(p, end, false, depth);
          break;
        default:  // kHash
          p = skip_comment(p, end);
          break;
      }
    }
  }

  bool overflow() const { return overflow_; }

 private:
  // Python's four quotes bound how deep f-strings nest (a string's inside
  // holds no quote of its own kind), so this is only a guard.
  static constexpr int kMaxDepth = 8;

  static const char* skip_comment(const char* p, const char* end) {
    const void* newline = std::memchr(p, '\n', static_cast<size_t>(end - p));
    return newline == nullptr ? end : static_cast<const char*>(newline);
  }

  // Whether the code before `start` ends with a dot, across white space and
  // line continuations. Across a line break, a comment may end the line
  // before: a line with a `#` anywhere counts as ending with a dot.
  static bool after_dot(const char* begin, const char* start) {
    const char* b = start;
    bool crossed = false;
    for (; b > begin; --b) {
      uint8_t k = class_of(b[-1]);
      if (k != kSpace && k != kBackslash) break;
      crossed |= b[-1] == '\n';
    }
    if (b == begin) return false;
    if (b[-1] == '.') return true;
    if (!crossed) return false;
    for (const char* c = b; c > begin && c[-1] != '\n'; --c)
      if (c[-1] == '#') return true;
    return false;
  }

  // The first byte past white space, line continuations and comments.
  static const char* next_token(const char* p, const char* end) {
    while (p < end) {
      uint8_t k = class_of(*p);
      if (k == kSpace || k == kBackslash) {
        ++p;
      } else if (k == kHash) {
        p = skip_comment(p, end);
      } else {
        break;
      }
    }
    return p;
  }

  // Whether the token at `start` begins a statement: only blanks since the
  // line's start (not a continued line), a `;` or a `:` (`try: import x`).
  bool starts_statement(const char* start) const {
    const char* b = start;
    while (b > source_begin_ && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\f')) --b;
    if (b == source_begin_ || b[-1] == ';' || b[-1] == ':') return true;
    if (b[-1] != '\n' && b[-1] != '\r') return false;
    const char* line_break = b - 1;
    if (*line_break == '\n' && line_break > source_begin_ && line_break[-1] == '\r') --line_break;
    return line_break == source_begin_ || line_break[-1] != '\\';
  }

  // The names of an import statement whose keyword ends at `p` (after
  // `import`, or after `from` when `from`), appended as Module::imports()
  // writes them. Reads only as far as the statement's names go.
  static void read_import(bool from, const char* p, const char* end, std::vector<std::string>& out) {
    ImportReader r{p, end};
    if (!from) {
      do {
        std::string module = r.dotted();
        if (module.empty() || module.back() == '.') return;
        out.push_back(std::move(module));
        if (r.keyword("as")) r.name();
      } while (r.eat(','));
      return;
    }
    // The module index writes a relative import with one dot more than the source.
    std::string module;
    while (r.eat('.')) module += module.empty() ? ".." : ".";
    if (!r.keyword("import")) {
      module += r.dotted();
      if (!r.keyword("import")) return;
    }
    if (module.empty() || (module.back() == '.' && module.find_first_not_of('.') != std::string::npos)) return;
    out.push_back(module);
    if (r.eat('(')) r.parens = true;
    do {
      std::string_view name = r.name();
      if (name.empty()) return;
      out.push_back(module + (module.ends_with('.') ? "" : ".") + std::string(name));
      if (r.keyword("as")) r.name();
    } while (r.eat(','));
  }

  // Tokens of one import statement: names, dots, commas; blanks, line
  // continuations and, inside parentheses, line breaks and comments between them.
  struct ImportReader {
    const char* p;
    const char* end;
    bool parens = false;
    void skip() {
      while (p < end) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '\f' || c == '\r' || (parens && c == '\n')) {
          ++p;
        } else if (c == '\\' && p + 1 < end && (p[1] == '\n' || p[1] == '\r')) {
          p += 2;
        } else if (parens && c == '#') {
          p = skip_comment(p, end);
        } else {
          break;
        }
      }
    }
    std::string_view name() {
      skip();
      const char* start = p;
      if (p < end && class_of(*p) == kIdentifier)
        while (p < end && is_word_char(*p)) ++p;
      return {start, static_cast<size_t>(p - start)};
    }
    std::string dotted() {
      std::string out;
      for (std::string_view part = name(); !part.empty(); part = name()) {
        out += part;
        if (!eat('.')) break;
        out += '.';
      }
      return out;
    }
    bool eat(char c) {
      skip();
      if (p == end || *p != c) return false;
      ++p;
      return true;
    }
    bool keyword(std::string_view k) {
      skip();
      if (static_cast<size_t>(end - p) < k.size() || std::string_view(p, k.size()) != k ||
          (static_cast<size_t>(end - p) > k.size() && is_word_char(p[k.size()])))
        return false;
      p += k.size();
      return true;
    }
  };

  // An identifier of code, [p - text.size(), p), in a region that starts at `begin`.
  void word(std::string_view text, const char* begin, const char* p, const char* end) {
    if (!v_.may_hold(text)) return;
    std::optional<uint32_t> id = v_.find(text, hash_of(text));
    if (!id) return;
    uint8_t use = kWritten;
    const char* start = p - text.size();
    if (after_dot(begin, start)) use |= kAfterDot;
    if (start == source_begin_ || start[-1] == '\n') use |= kLineStart;
    if (const char* next = next_token(p, end); next < end && *next == '(') use |= kCalled;
    out_.uses[*id] |= use;
  }

  // The closing quote of a string on one line, or null when the line ends
  // first (unterminated). A backslash escapes the byte after it.
  static const char* single_end(const char* c, const char* end, char q) {
    while (c < end) {
      if (*c == '\\') {
        c += 2;
      } else if (*c == q) {
        return c;
      } else if (*c == '\n') {
        return nullptr;
      } else {
        ++c;
      }
    }
    return nullptr;
  }

  // The first of the three closing quotes, or null. Docstrings are most of
  // the bytes of many files: memchr for the quote, then count the
  // backslashes before it (an odd run escapes it).
  static const char* triple_end(const char* inside, const char* end, char q) {
    for (const char* c = inside; c < end;) {
      const char* hit = static_cast<const char*>(std::memchr(c, q, static_cast<size_t>(end - c)));
      if (hit == nullptr) return nullptr;
      size_t backslashes = 0;
      for (const char* b = hit; b > inside && b[-1] == '\\'; --b) ++backslashes;
      if (backslashes % 2 == 0 && end - hit >= 3 && hit[1] == q && hit[2] == q) return hit;
      c = hit + 1;
    }
    return nullptr;
  }

  // `p` at the opening quote; returns the byte after the closing one. An
  // unterminated string is lexed as code from after its opening quote.
  const char* skip_string(const char* p, const char* end, bool formatted, int depth) {
    const char q = *p;
    bool triple = end - p >= 3 && p[1] == q && p[2] == q;
    const char* inside = p + (triple ? 3 : 1);
    const char* close = triple ? triple_end(inside, end, q) : single_end(inside, end, q);
    if (close == nullptr) return inside;
    if (formatted) {
      lex(inside, close, depth + 1);
    }
    return close + (triple ? 3 : 1);
  }

  const Vocabulary& v_;
  WordsFound& out_;
  const char* source_begin_;
  bool overflow_ = false;
};

void find_words(std::string_view source, const Vocabulary& vocabulary, WordsFound& out) {
  out.uses.assign(vocabulary.size(), 0);
  out.imports.clear();
  WordLexer lexer(vocabulary, out, source.data());
  lexer.lex(source.data(), source.data() + source.size(), 0);
  if (lexer.overflow()) {
    // f-strings nested past the lexer's depth: assume every word, every way.
    std::fill(out.uses.begin(), out.uses.end(), uint8_t{kWritten | kCalled | kAfterDot | kLineStart});
  }
}

WordSieve::WordSieve(const std::vector<std::vector<Need>>& alternatives)
    : vocabulary_([&] {
        std::vector<std::string> words;
        for (const auto& alternative : alternatives)
          for (const Need& need : alternative)
          if (!need.word.empty()) words.push_back(need.word);
        return words;
      }()) {
  for (const auto& alternative : alternatives) {
    std::vector<Requirement> all;
    for (const Need& need : alternative) {
      // An empty word (a malformed table line) is written nowhere: asking
      // for it would make the alternative unpassable, so it is left out.
      if (need.word.empty()) continue;
      uint32_t id = *vocabulary_.find(need.word);
      auto same = std::find_if(all.begin(), all.end(), [id](const Requirement& r) { return r.word == id; });
      if (same != all.end()) {
        same->use |= need.use;
      } else {
        all.push_back({id, need.use});
      }
    }
    if (std::find_if(alternatives_.begin(), alternatives_.end(), [&](const auto& a) {
          return a.size() == all.size() && std::equal(a.begin(), a.end(), all.begin(), [](auto& x, auto& y) {
                   return x.word == y.word && x.use == y.use;
                 });
        }) == alternatives_.end())
      alternatives_.push_back(std::move(all));
  }
}

bool WordSieve::passes(const WordsFound& found) const {
  for (const auto& alternative : alternatives_)
    if (std::all_of(alternative.begin(), alternative.end(),
                    [&](const Requirement& r) { return found.used(r.word, r.use); }))
      return true;
  return false;
}

bool WordSieve::passes(std::string_view source) const {
  WordsFound found;
  find_words(source, vocabulary_, found);
  return passes(found);
}

}  // namespace bindscan
