#include "sarif/location.h"

#include <algorithm>

#include "sarif/fingerprint.h"
#include "sarif/utf8.h"

namespace bindscan::sarif {
namespace {

// Byte offsets where each line starts; lines end at LF, CR LF or lone CR.
class LineIndex {
 public:
  explicit LineIndex(std::string_view source) : source_(source) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < source.size(); ++i) {
      if (source[i] == '\r' && i + 1 < source.size() && source[i + 1] == '\n') ++i;
      if (source[i] == '\n' || source[i] == '\r') starts_.push_back(i + 1);
    }
  }

  // Line and column of a byte offset, both 1-based.
  std::pair<int, int> position(std::size_t offset) const {
    offset = std::min(offset, source_.size());
    const auto after = std::upper_bound(starts_.begin(), starts_.end(), offset);
    const std::size_t line_start = *(after - 1);
    std::size_t units = 0;
    for (std::size_t i = line_start; i < offset;) {
      const DecodedChar c = decode_utf8(source_, i);
      units += static_cast<std::size_t>(utf16_units(c.code_point));
      i += c.length;
    }
    return {static_cast<int>(after - starts_.begin()), static_cast<int>(units) + 1};
  }

  Region region(uint32_t begin, uint32_t end) const {
    const auto [start_line, start_column] = position(begin);
    const auto [end_line, end_column] = position(std::max(begin, end));
    return {start_line, start_column, end_line, end_column};
  }

 private:
  std::string_view source_;
  std::vector<std::size_t> starts_;
};

}  // namespace

Region to_region(std::string_view source, uint32_t begin, uint32_t end) {
  return LineIndex(source).region(begin, end);
}

std::vector<LocatedFinding> locate(std::string_view source, std::span<const Finding> findings) {
  return locate(source, findings, nullptr);
}

std::vector<LocatedFinding> locate(std::string_view source, std::span<const Finding> findings,
                                   const std::function<std::string_view(const std::string& path)>& source_of) {
  std::vector<LocatedFinding> located;
  if (findings.empty()) return located;
  const LineIndex lines(source);
  located.reserve(findings.size());
  for (const Finding& finding : findings) {
    LocatedFinding& out = located.emplace_back();
    out.finding = finding;
    out.region = lines.region(finding.span.begin, finding.span.end);
    for (const RelatedLocation& related : finding.related) {
      if (!related.path.empty() && source_of) {
        out.related.push_back(to_region(source_of(related.path), related.span.begin, related.span.end));
      } else {
        out.related.push_back(lines.region(related.span.begin, related.span.end));
      }
    }
    if (finding.fix) {
      for (const TextEdit& edit : finding.fix->edits) {
        out.fix_regions.push_back(lines.region(edit.span.begin, edit.span.end));
      }
    }
  }
  std::vector<int> start_lines;
  for (const LocatedFinding& out : located) start_lines.push_back(out.region.start_line);
  std::vector<std::string> hashes = hashes_of_lines(source, start_lines);
  for (std::size_t i = 0; i < located.size(); ++i) located[i].line_hash = std::move(hashes[i]);
  return located;
}

std::string root_relative_path(const std::filesystem::path& path, const std::filesystem::path& cwd,
                               const std::filesystem::path& root) {
  const std::filesystem::path absolute = (path.is_absolute() ? path : cwd / path).lexically_normal();
  const std::filesystem::path relative = absolute.lexically_relative(root);
  // "" means unrelated roots; a leading ".." leaves the root: keep such paths
  // absolute.
  if (relative.empty() || *relative.begin() == "..") return absolute.generic_string();
  return relative.generic_string();
}

}  // namespace bindscan::sarif
