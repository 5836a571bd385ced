// Prefiltering by words: one pass over a Python file's bytes, much cheaper
// than parsing, that tells which words of a fixed vocabulary its code writes
// (identifiers outside strings and comments) and how (called, after a dot).
// Rules say which words a file must write to possibly produce a finding (a
// WordSieve); the scanner parses only the files some sieve passes.
//
// Sound by construction: where the lexer is in doubt it reads text as code
// (an unterminated string, the inside of an f-string), and "called" and
// "after a dot" skip white space, line continuations and comments, so a
// word is never missed; it may only be seen where Python sees none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bindscan {

// How a word is used, as bits.
enum WordUse : uint8_t {
  kWritten = 1,   // the identifier occurs in code
  kCalled = 2,    // followed by `(` (`name (`, `name\n(` count too)
  kAfterDot = 4,  // preceded by `.`: an attribute (`.bind`)
  kLineStart = 8,  // the first byte of a line: a module-level statement's first name
};

// A set of words with ids 0..size()-1, looked up by hash during the pass.
// Empty words are left out (no identifier is empty).
class Vocabulary {
 public:
  explicit Vocabulary(const std::vector<std::string>& words);
  size_t size() const { return words_.size(); }
  const std::string& word(uint32_t id) const { return words_[id]; }
  std::optional<uint32_t> find(std::string_view word) const;

 private:
  friend class WordLexer;
  struct Slot {
    uint32_t hash = 0;
    uint32_t id = 0;  // id + 1; 0: empty
  };
  std::optional<uint32_t> find(std::string_view word, uint32_t hash) const;
  // A word's shape (length, first and last byte) as a bit of `shapes_`: most
  // identifiers of a file fail this test, and are neither hashed nor looked up.
  static uint32_t shape_of(std::string_view word) {
    auto first = static_cast<uint8_t>(word.front()), last = static_cast<uint8_t>(word.back());
    return ((static_cast<uint32_t>(word.size()) * 0x9e37u) ^ (first * 0x3f1u) ^ (last * 0x1bu) ^ (last << 8)) &
           (kShapeBits - 1);
  }
  bool may_hold(std::string_view word) const {
    uint32_t bit = shape_of(word);
    return (shapes_[bit >> 6] >> (bit & 63)) & 1;
  }
  std::vector<uint64_t> shapes_ = std::vector<uint64_t>(kShapeBits / 64);
  static constexpr uint32_t kShapeBits = 1 << 16;
  std::vector<std::string> words_;
  std::vector<Slot> slots_;  // open addressing, a power of two
};

// What one pass found in one file.
struct WordsFound {
  std::vector<uint8_t> uses;  // by vocabulary id: WordUse bits
  // What the file's import statements name, as Module::imports() writes them
  // ("a.b", "pkg.mod.name", "..config.HOST" for `from .config import HOST`),
  // so a project scan knows who imports whom without parsing. Statements the
  // lexer only sees as imports (after `;` or `:` too) count; text in strings
  // and comments does not.
  std::vector<std::string> imports;
  bool used(uint32_t word, uint8_t how) const { return (uses[word] & how) == how; }
};

// Lexes `source` once (see the header comment) into `out`.
void find_words(std::string_view source, const Vocabulary& vocabulary, WordsFound& out);

// A prefilter over words: a file passes when, for one of the alternatives,
// every word is used as the alternative requires.
class WordSieve {
 public:
  struct Need {
    std::string word;
    uint8_t use = kWritten;
  };
  explicit WordSieve(const std::vector<std::vector<Need>>& alternatives);

  const Vocabulary& vocabulary() const { return vocabulary_; }
  bool passes(const WordsFound& found) const;
  // find_words, then passes.
  bool passes(std::string_view source) const;

 private:
  struct Requirement {
    uint32_t word;
    uint8_t use;
  };
  Vocabulary vocabulary_;
  std::vector<std::vector<Requirement>> alternatives_;
};

}  // namespace bindscan
