// Per-module summaries, for scanning a repository one changed file at a time
// (the webhook service) while keeping the findings that cross modules.
//
// A ModuleSummary is what one file tells other files, computed from its bytes
// alone and free of parser handles, so it can be stored per blob and reused
// while the file does not change:
//  - exports: the values of its module-level names that other modules can
//    import (string, int, None and bool constants with their spans and hops),
//    or references to names of other modules (`from .config import BIND`
//    re-exported), and the modules it star-imports;
//  - open sites: sink calls whose address may hold a name imported from
//    another module of the repository (`from settings import HOST`), with
//    what the file itself shows and the references left to resolve.
//
// link() resolves every open site of a commit against the exports of the
// commit's files (module names from paths, as flow::Project names them) and
// hands the resolved values to the rule that opened the site, which judges
// them with the same code as a project scan. A file that changes gets a new
// summary; the summaries of the files that did not change are reused as they
// are, so a push parses only what changed while the findings that depend on
// a changed file (a settings module) are recomputed for the unchanged files
// that import it.
//
// What summaries carry, and what they do not: constants and re-exports of
// module-level names, and attributes of module-level classes read through the
// class (`Config.BIND`). Containers (an address tuple imported whole), values
// returned by functions of other modules, server subclasses and wrapper
// functions defined in other modules are not carried: such a site is judged
// as a single-file scan judges it (the imported part is unknown).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/finding.h"
#include "scanner/flow/value.h"

namespace bindscan {
class Module;
}

namespace bindscan::flow {

class Project;

// A value written as a literal (or a library name, such as
// socket.INADDR_ANY, that a rule knows by name), without parser handles.
struct Constant {
  ValueKind kind = ValueKind::kNone;  // kString, kInt, kNone, kBool or kImported
  std::string text;                   // as Value::text
  std::string spelling;               // the literal as written
  Span span;                          // of the literal, in `path`
  std::string path;                   // "" : the file the summary (or finding) belongs to
  std::optional<std::string> environment_variable;
  std::optional<std::string> option;
  std::vector<RelatedLocation> hops;  // use site first; paths as `path`
  // Rule-defined: what a fix would write over the literal, when one may.
  std::optional<std::string> replacement;
  bool operator==(const Constant&) const = default;
};

// A name of another module, as the file wrote it (".config.BIND",
// "settings.HOST"), and the hops that led to it.
struct Reference {
  std::string qualified;
  std::vector<RelatedLocation> hops;
  Span span;             // where the name is written (for a library constant such as socket.INADDR_ANY)
  std::string spelling;  // the name as written there
  // Added to the hops when the name resolves to a module of the commit (Value::import_hop).
  std::optional<RelatedLocation> import_hop;
  bool operator==(const Reference&) const = default;
};

// A module-level name (or `Class.attribute`) and what it may hold once the
// module has run.
struct Export {
  std::string name;
  std::vector<Constant> constants;
  std::vector<Reference> references;
  bool unknown = false;  // some path leads to a value a summary cannot carry
  bool operator==(const Export&) const = default;
};

// A sink call whose verdict depends on other modules.
struct OpenSite {
  std::string rule_id;
  // The rule's own identification of the sink and of the address argument.
  std::string sink;
  int sink_kind = 0;
  int address = 0;
  Span argument;        // where the finding goes
  std::string display;  // what the message calls the server
  std::vector<RelatedLocation> target_hops;
  std::vector<Constant> local;  // values of this file that reach the address and mean every interface
  bool other = false;           // values of this file that do not, or that are unknown
  std::vector<Reference> references;
  std::optional<Suppression> suppression;  // a comment on the call's lines
  bool operator==(const OpenSite&) const = default;
};

struct ModuleSummary {
  std::vector<Export> exports;            // sorted by name
  std::vector<std::string> star_imports;  // modules of `from M import *`, as written, in order
  std::vector<OpenSite> open_sites;
  // The imported names the file calls ("net.listen", "app.servers.ThreadedServer"),
  // sorted, unique, at most kMaxExports: a call into another module of the
  // commit is a shape summaries do not carry (a wrapper or a server subclass),
  // so the service judges both files in project context (webhook/jobs/runner.cpp).
  // For a file not parsed (Scanner::summarize), every name its imports name.
  std::vector<std::string> called_imports;
  bool operator==(const ModuleSummary&) const = default;
};

// A value as a Constant (kString, kInt, kNone, kBool) or a Reference
// (kImported, not through an instance); neither for other kinds. `path_of`
// names the file of a module the value or a hop is in ("" for the file asked about).
using PathOf = std::function<std::string(const Module* module)>;
std::optional<Constant> constant_of(const Value& value, const PathOf& path_of);
std::optional<Reference> reference_of(const Value& value, const PathOf& path_of);

// The exports of a parsed module (the value flow evaluated file by file),
// and the imported names it calls (called_imports).
// Bounded: at most kMaxExports names.
void add_exports(const Module& module, ModuleSummary& summary);
// Sorts summary.called_imports, drops repeats and keeps at most kMaxExports.
void tidy_called_imports(ModuleSummary& summary);
inline constexpr size_t kMaxExports = 512;

// What a reference resolved to.
struct Resolved {
  std::vector<Constant> constants;  // paths are the commit's file paths ("" never)
  bool unknown = false;
};

// The files of one commit, for link(): path and summary (null: no summary,
// e.g. a file over the size limit, whose names are unknown).
struct SummarizedFile {
  std::string path;
  const ModuleSummary* summary = nullptr;
};

// Makes the summary of file i when a link first needs it (a file summarized
// lazily because no rule matched it); null: none (its names are unknown).
using LoadSummary = std::function<const ModuleSummary*(size_t file)>;

// Resolves `reference`, written in file `importer`, through the exports of
// `files` (transitively, at most kMaxLinkDepth links; a cycle is unknown). A
// name no file of the commit defines is a library's: it comes back as a
// kImported constant with its absolute name, for the rule to judge. A file
// whose summary is null is asked of `load`, if given.
class SummaryLinker {
 public:
  explicit SummaryLinker(const std::vector<SummarizedFile>& files, LoadSummary load = nullptr);
  Resolved resolve(const Reference& reference, size_t importer) const;
  const std::vector<SummarizedFile>& files() const { return files_; }
  static constexpr int kMaxLinkDepth = 24;  // as Project::kMaxLinks for a project scan

 private:
  void resolve_into(const Reference& reference, size_t importer, std::vector<RelatedLocation> hops, int depth,
                    std::vector<std::pair<size_t, std::string>>& visiting, Resolved& out) const;
  const ModuleSummary* summary_of(size_t file) const;
  const std::vector<SummarizedFile>& files_;
  LoadSummary load_;
  std::shared_ptr<Project> names_;  // module names of the paths
};

// A rule's judge of an open site: its findings once the references are resolved.
using CloseSite = void (*)(const OpenSite& site, const Resolved& resolved, std::vector<Finding>& out);

// The findings of every open site of `files`, per file (out[i] belongs to
// files[i]), judged by `close_of(rule_id)` (null: the rule has none and the site is dropped).
std::vector<std::vector<Finding>> link(const std::vector<SummarizedFile>& files,
                                       const std::function<CloseSite(std::string_view rule_id)>& close_of,
                                       LoadSummary load = nullptr);

}  // namespace bindscan::flow
