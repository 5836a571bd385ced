// The prefilter's lexer (scanner/words.h): words in code count, words in
// strings and comments do not, and every doubt errs towards counting.
#include "scanner/words.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scanner/module.h"
#include "scanner/python.h"

namespace bindscan {
namespace {

// How `word` is used in `source` (WordUse bits; 0: not written in code).
uint8_t use_of(std::string_view source, const std::string& word) {
  Vocabulary vocabulary({word, "other"});
  WordsFound found;
  find_words(source, vocabulary, found);
  return found.uses[*vocabulary.find(word)];
}

TEST(Words, IdentifiersInCodeOnly) {
  EXPECT_EQ(use_of("x = bind\n", "bind"), kWritten);
  EXPECT_EQ(use_of("binder = rebind\n", "bind"), 0);  // whole identifiers only
  EXPECT_EQ(use_of("s = 'bind'\n", "bind"), 0);
  EXPECT_EQ(use_of("s = \"x.bind(\"\n", "bind"), 0);
  EXPECT_EQ(use_of("'''\nx.bind(a)\n'''\n", "bind"), 0);
  EXPECT_EQ(use_of("\"\"\"doc \\\"\"\" x.bind()\"\"\"\n", "bind"),
            0);  // an escaped quote does not end it
  EXPECT_EQ(use_of("x = 1  # s.bind(addr)\n", "bind"), 0);
  EXPECT_EQ(use_of("s = r'\\' bind'\n", "bind"),
            0);  // a raw string's \' does not end it either
  EXPECT_EQ(use_of("s = rb'bind' + Br\"bind\"\n", "bind"), 0);
  EXPECT_EQ(use_of("s = 'a' 'b'; bind\n", "bind"), kWritten);
}

TEST(Words, HowAWordIsUsed) {
  EXPECT_EQ(use_of("s.bind(addr)\n", "bind"), kWritten | kAfterDot | kCalled);
  EXPECT_EQ(use_of("s . bind (addr)\n", "bind"), kWritten | kAfterDot | kCalled);
  EXPECT_EQ(use_of("(s.\n  bind\n  (addr))\n", "bind"), kWritten | kAfterDot | kCalled);
  EXPECT_EQ(use_of("s.  \\\n  bind(addr)\n", "bind"), kWritten | kAfterDot | kCalled);
  EXPECT_EQ(use_of("(s.  # why\n  bind  # so\n  (addr))\n", "bind"), kWritten | kAfterDot | kCalled);
  EXPECT_EQ(use_of("f = s.bind\n", "bind"), kWritten | kAfterDot);
  EXPECT_EQ(use_of("bind(addr)\n", "bind"), kWritten | kCalled | kLineStart);
  EXPECT_EQ(use_of("x = 1\nbind = 'a'\n", "bind"), kWritten | kLineStart);
  EXPECT_EQ(use_of("if x:\n    bind = 'a'\n", "bind"), kWritten);
  EXPECT_EQ(use_of("x = 1.5; bind\n", "bind"),
            kWritten);  // a number's dot is not an attribute's
  EXPECT_EQ(use_of("x = (1).bind\n", "bind"), kWritten | kAfterDot);
}

TEST(Words, InDoubtReadAsCode) {
  // An f-string's replacement fields are code.
  EXPECT_EQ(use_of("s = f'{sock.bind(a)}'\n", "bind"), kWritten | kAfterDot | kCalled);
  EXPECT_EQ(use_of("s = rf\"\"\"{ {'k': sock.bind(a)} }\"\"\"\n", "bind"), kWritten | kAfterDot | kCalled);
  // An unterminated string: what follows its quote is read as code.
  EXPECT_EQ(use_of("s = 'open\nsock.bind(a)\n", "bind"), kWritten | kAfterDot | kCalled);
  EXPECT_EQ(use_of("s = '''open\nsock.bind(a)\n", "bind"), kWritten | kAfterDot | kCalled);
  // f-strings in f-strings, as deep as Python's four quotes allow.
  EXPECT_EQ(use_of(R"(f'''{f'{f"""{f"{s.bind(a)}"}"""}'}''')"
                   "\n",
                   "bind"),
            kWritten | kAfterDot | kCalled);
}

TEST(Words, SievePassesWhenOneAlternativeIsComplete) {
  WordSieve sieve({{{"socketserver", kWritten}, {"TCPServer", kWritten}},
                   {{"socket", kWritten}, {"socket", kCalled}, {"bind", kAfterDot}}});
  EXPECT_TRUE(sieve.passes("from socketserver import TCPServer\n"));
  EXPECT_FALSE(sieve.passes("import socketserver  # TCPServer\n"));
  EXPECT_TRUE(sieve.passes("import socket\ns = socket.socket()\ns.bind(('', 0))\n"));
  EXPECT_FALSE(sieve.passes("import socket\ns = socket.create_connection(a)\ns.bind(('', 0))\n"));
  EXPECT_FALSE(sieve.passes("import socket\ns = socket.socket()\nbind(('', 0))\n"));
  EXPECT_FALSE(sieve.passes(""));
  // A malformed need (an empty word) never makes the sieve stricter.
  EXPECT_TRUE(WordSieve({{{"", kWritten}}}).passes("x = 1\n"));
  EXPECT_TRUE(WordSieve({{{"", kWritten}, {"bind", kWritten}}}).passes("bind\n"));
}

// What `source`'s import statements name, as the lexer reads them.
std::vector<std::string> imports_of(std::string_view source) {
  Vocabulary vocabulary({"other"});
  WordsFound found;
  find_words(source, vocabulary, found);
  return found.imports;
}

using Names = std::vector<std::string>;

TEST(Words, ImportStatementsAsTheModuleIndexWritesThem) {
  EXPECT_EQ(imports_of("import os, a.b as c\n"), (Names{"os", "a.b"}));
  EXPECT_EQ(imports_of("from pkg.server import serve, run as go\n"),
            (Names{"pkg.server", "pkg.server.serve", "pkg.server.run"}));
  // Relative imports carry one dot more than written, as Module::imports() does.
  EXPECT_EQ(imports_of("from . import x\nfrom ..conf import (\n  A,  # why\n  B,\n)\n"),
            (Names{"..", "..x", "...conf", "...conf.A", "...conf.B"}));
  EXPECT_EQ(imports_of("try: import fast\nexcept ImportError: pass\nx = 1; from m import *\n"),
            (Names{"fast", "m"}));
  EXPECT_EQ(imports_of("from a \\\n  import b\n\tif x:\n    import c.d\n"), (Names{"a", "a.b", "c.d"}));
  // Not statements: strings, comments, `yield from`, `raise ... from`.
  EXPECT_EQ(imports_of("s = 'import os'\n# from a import b\nyield from x\nraise E from e\n"), Names{});
}

// On every fixture of every rule, the lexer names at least what the module
// index does: a project scan relies on it to find who imports whom unparsed.
TEST(Words, ImportsCoverTheModuleIndexOnEveryFixture) {
  namespace fs = std::filesystem;
  Parser parser;
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(BINDSCAN_SOURCE_DIR) / "scanner" / "rules")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".py") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string source{std::istreambuf_iterator<char>(in), {}};
    std::optional<Tree> tree = parser.parse(source, std::chrono::seconds(10));
    ASSERT_TRUE(tree);
    Module module(*tree);
    Names lexed = imports_of(source);
    for (const std::string& name : module.imports())
      EXPECT_NE(std::find(lexed.begin(), lexed.end(), name), lexed.end()) << entry.path() << ": " << name;
    ++files;
  }
  EXPECT_GT(files, 50u);
}

TEST(Words, AnyBytesAreAccepted) {
  std::string bytes;
  for (int i = 0; i < 4096; ++i) bytes += static_cast<char>((i * 7919) & 0xff);
  WordSieve sieve({{{"bind", kWritten}}});
  sieve.passes(bytes);  // no crash, no overread (the sanitizer builds check)
  EXPECT_FALSE(sieve.passes(std::string("\"\\")));
  EXPECT_TRUE(sieve.passes(std::string("'\\") + "\nbind"));
}

}  // namespace
}  // namespace bindscan
