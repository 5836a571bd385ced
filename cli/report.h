// The human-facing output formats of `bindscan scan`; SARIF comes from sarif/.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "sarif/writer.h"

namespace bindscan::cli {

// One line per finding, as other linters print them:
//   path:line:column: rule-id message
// Columns are 1-based characters (UTF-16 units, as in SARIF). `color` adds
// ANSI colours (off when NO_COLOR is set or output is not a terminal).
// Paths are printed as given: `bindscan scan` passes root-relative ones
// (sarif::root_relative_path), the same the SARIF names.
void write_text(std::ostream& out, const std::vector<sarif::FileResults>& files, bool show_suppressed, bool color);

// GitHub Actions workflow commands, one `::warning file=...::message` per
// finding, so findings show as annotations on the run and the pull request.
void write_github(std::ostream& out, const std::vector<sarif::FileResults>& files, bool show_suppressed);

// Escapes for workflow command data (the message) and properties (file, title).
std::string github_escape_data(std::string_view text);
std::string github_escape_property(std::string_view text);

}  // namespace bindscan::cli
