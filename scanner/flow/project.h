// The modules of one project, linked: module names from file paths (with
// Python's package rules: a directory is a package while it holds an
// __init__.py, so `src/` layouts and script folders name modules as Python
// would), imports resolved against them (absolute and relative), and one
// evaluator per module so values cross files. Built by Scanner::scan_project;
// rules reach it through Module::project().
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "scanner/flow/evaluator.h"
#include "scanner/module.h"

namespace bindscan::flow {

// The dotted module name of a file, and whether it is a package's __init__.py.
// `packages` holds the directories (as in `path`) that contain __init__.py.
struct ModuleName {
  std::string dotted;
  bool package = false;
};
ModuleName module_name(std::string_view path, const std::unordered_set<std::string>& packages);
// The directories of `paths` that hold an __init__.py (for module_name).
std::unordered_set<std::string> package_directories(const std::vector<std::string>& paths);

class Project final : public Linker {
 public:
  // Registers a file's module name (before it is parsed, so imports can be
  // resolved to files). Returns its index.
  size_t add_file(std::string path, ModuleName name);
  // Attaches the parsed module of file `index`.
  void attach(size_t index, const Module& module);

  // The file `qualified` (as `importer_file` wrote it in an import) names,
  // if a file of the project is that module or its package.
  std::optional<size_t> file_of_import(std::string_view qualified, size_t importer_file) const;
  const std::string& path(size_t index) const { return files_[index].path; }
  // The file `qualified` (as `importer_file` wrote it) lies in, and the
  // dotted rest of the name inside it ("" for the module itself).
  std::optional<std::pair<size_t, std::string>> locate(std::string_view qualified, size_t importer_file) const;
  std::optional<size_t> file_of(const Module& module) const;

  std::optional<Values> values(std::string_view qualified, const Module& importer, int depth,
                               bool may_load) override;
  // Names of libraries a rule knows by name (its sinks' modules): never
  // resolved to a file of the project, even when the project is that library
  // (scanning the standard library itself).
  void set_library_names(bool (*is_library)(std::string_view qualified)) { is_library_ = is_library; }
  // Parses file `index` when a value needs it; null when it cannot be parsed.
  void set_loader(std::function<const Module*(size_t index)> load) { load_ = std::move(load); }
  Evaluator& evaluator_of(const Module& module, InstanceFactories factories) override;
  void build_graphs_reaching(const Module& module, InstanceFactories factories, std::string_view name) override;
  bool may_name_class(std::string_view name) const override { return names_not_by_def_.contains(name); }
  size_t class_name_count() const override { return names_not_by_def_.size(); }

  // Callers in files not parsed (flow/evaluator.h, SinkQuestion): while file
  // `judging` is judged, sink questions note the functions whose callers
  // their values depend on. take_wanted_callers() hands them over, once each.
  struct WantedCallers {
    size_t file;       // the file that defines the function
    std::string word;  // what a call of it writes
    size_t judged;     // the file whose judgment asked
  };
  void set_judging(std::optional<size_t> file) { judging_ = file; }
  void sink_question(bool begins) override { sink_questions_ += begins ? 1 : -1; }
  void callers_asked(const Module& module, std::string_view caller_word) override;
  std::vector<WantedCallers> take_wanted_callers() { return std::exchange(wanted_, {}); }
  // The files that may call a wanted function: for each file i with
  // `imports[i]` (its import statements, as words.h reads them; empty for
  // files to leave out), the indexes into `wanted` of the functions it
  // imports, from their module or from a package above it, which may
  // re-export them (`from pkg import serve`).
  std::vector<std::pair<size_t, std::vector<size_t>>> importers_of(
      const std::vector<WantedCallers>& wanted, const std::vector<std::vector<std::string>>& imports) const;
  // Drops every evaluator and call graph, so files attached since are seen
  // by the next questions (their answers were cached without them), and
  // nothing half made by a question that failed is reused.
  void forget_answers();
  // Drops the values answered so far but keeps the call graphs, which files
  // attached since extend when next asked (attach, Evaluator::forget_values):
  // after callers were parsed, cheaper than forget_answers.
  void forget_values();

  // The files whose modules the value flow consulted, starting from file
  // `index`: what its imports resolved to and, for its functions, the files
  // whose calls of them were followed; transitively (an answer a module gave
  // once is reused, so what it consulted counts for whoever asked later).
  std::vector<size_t> consulted_from(size_t index) const;

  // Cross-module questions nest at most this deep (import cycles, long chains).
  static constexpr int kMaxLinks = 24;

 private:
  struct File {
    std::string path;
    ModuleName name;
    const Module* module = nullptr;
    // The files module's imports name (file_of_import), resolved on first need.
    std::vector<size_t> imported_files;
    bool imports_resolved = false;
  };
  // The absolute dotted name `qualified` means in `importer` (relative imports).
  std::string absolute(std::string_view qualified, size_t importer) const;
  // The longest dotted prefix of `dotted` that is a file of the project, the
  // one nearest to `importer` when several are.
  std::optional<std::pair<size_t, size_t>> longest_module(std::string_view dotted, size_t importer) const;

  std::vector<File> files_;
  std::unordered_map<std::string, std::vector<size_t>> by_name_;
  std::unordered_map<const Module*, size_t> by_module_;
  std::vector<size_t> attached_;  // the files with a module, sorted (most of a project is not parsed)
  std::map<std::pair<const Module*, InstanceFactories>, std::unique_ptr<Evaluator>> evaluators_;
  std::set<std::tuple<const Module*, InstanceFactories, std::string>> graphs_built_;
  // Module::names_bound_not_by_def of every attached module (may_name_class).
  std::unordered_set<std::string_view> names_not_by_def_;
  int links_ = 0;  // nesting of values()
  bool (*is_library_)(std::string_view) = nullptr;
  std::function<const Module*(size_t)> load_;
  std::vector<bool> load_tried_;
  std::map<size_t, std::vector<size_t>> consulted_;  // file -> files it asked (unsorted, may repeat)
  std::optional<size_t> judging_;
  int sink_questions_ = 0;
  std::vector<WantedCallers> wanted_;
};

}  // namespace bindscan::flow
