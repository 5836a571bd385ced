// GitHub's `primaryLocationLineHash`, computed exactly as the upload-sarif
// action does (github/codeql-action src/fingerprints.ts; reference §4.7), so
// alerts keep their identity when code moves and match alerts of uploads
// made through the action.
//
// The algorithm, in short: decode the file as UTF-8 into UTF-16 code units
// (invalid bytes as U+FFFD, see utf8.h); turn CR LF and lone CR into LF; drop
// every space and tab; run a rolling hash (base 37, unsigned 64-bit wrap) over
// a window of 100 units. A line's hash is the hash of the 100 kept units that
// start at its first kept unit; a sentinel 0xFFFF and 100 zeros follow the
// text so every line gets one. Text form: lowercase hex without leading
// zeros, ':' and how many earlier-or-equal lines of the file had that hex.
//
// Lines are numbered from 1 and end at LF, CR LF or a lone CR (the same
// numbering as sarif/location.h). A file whose last line ends with a line
// break has one more, empty line after it, which gets a hash too.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bindscan::sarif {

// Every line's hash in one pass, O(source.size()): element i is line i + 1.
// Never empty (an empty file has one line). Any bytes are accepted.
std::vector<std::string> line_hashes(std::string_view source);

// The hashes of the given 1-based lines, in the order given, as line_hashes
// would give them (lines < 1 as line 1; past the end: ""). Hashes the file
// only up to the last line asked and builds no text for the other lines: a
// large file with a few findings costs one pass of arithmetic.
std::vector<std::string> hashes_of_lines(std::string_view source, std::span<const int> lines);

// The hash of 1-based `line` in `hashes` (from line_hashes); lines < 1 use
// line 1 (GitHub's rule for results without a region). Empty when `line` is
// past the end.
std::string_view line_hash(const std::vector<std::string>& hashes, int line);

}  // namespace bindscan::sarif
