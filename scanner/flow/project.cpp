#include "scanner/flow/project.h"

#include <algorithm>

namespace bindscan::flow {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  while (true) {
    size_t at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

std::string join(const std::vector<std::string_view>& parts, size_t from, size_t to, char separator) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += separator;
    out += parts[i];
  }
  return out;
}

// Directories shared by two paths, counted from the start.
size_t common_directories(std::string_view a, std::string_view b) {
  auto x = split(a, '/'), y = split(b, '/');
  size_t n = 0;
  while (n + 1 < x.size() && n + 1 < y.size() && x[n] == y[n]) ++n;
  return n;
}

}  // namespace

ModuleName module_name(std::string_view path, const std::unordered_set<std::string>& packages) {
  while (path.starts_with("./")) path.remove_prefix(2);
  std::vector<std::string_view> parts = split(path, '/');
  std::string_view file = parts.back();
  if (file.ends_with(".py")) file.remove_suffix(3);
  ModuleName out;
  out.package = file == "__init__";
  // Walk up while the directory is a package.
  size_t top = parts.size() - 1;  // index of the first directory in the name
  while (top > 0 && packages.contains(join(parts, 0, top, '/'))) --top;
  std::string dotted = join(parts, top, parts.size() - 1, '.');
  if (!out.package) dotted += (dotted.empty() ? "" : ".") + std::string(file);
  out.dotted = dotted;
  return out;
}

std::unordered_set<std::string> package_directories(const std::vector<std::string>& paths) {
  std::unordered_set<std::string> packages;
  for (const std::string& path : paths) {
    std::string_view p = path;
    while (p.starts_with("./")) p.remove_prefix(2);
    if (p != "__init__.py" && !p.ends_with("/__init__.py")) continue;
    size_t slash = p.rfind('/');
    packages.emplace(p.substr(0, slash == std::string_view::npos ? 0 : slash));
  }
  return packages;
}

size_t Project::add_file(std::string path, ModuleName name) {
  size_t index = files_.size();
  if (!name.dotted.empty()) by_name_[name.dotted].push_back(index);
  files_.push_back({std::move(path), std::move(name), nullptr, {}, false});
  return index;
}

void Project::attach(size_t index, const Module& module) {
  if (files_[index].module == nullptr)
    attached_.insert(std::upper_bound(attached_.begin(), attached_.end(), index), index);
  files_[index].module = &module;
  by_module_[&module] = index;
  for (std::string_view name : module.names_bound_not_by_def()) names_not_by_def_.insert(name);
  // Graphs asked for before reach this module's calls, and the names it binds, when asked again.
  graphs_built_.clear();
}

std::optional<size_t> Project::file_of(const Module& module) const {
  auto it = by_module_.find(&module);
  if (it == by_module_.end()) return std::nullopt;
  return it->second;
}

std::string Project::absolute(std::string_view qualified, size_t importer) const {
  if (!qualified.starts_with('.')) return std::string(qualified);
  // The module index writes a relative import with one dot more than the
  // source ("from .config import X" -> "..config.X", "from . import x" -> "..x").
  size_t dots = qualified.find_first_not_of('.');
  if (dots == std::string_view::npos) dots = qualified.size();
  size_t written = dots - 1;
  std::string_view rest = qualified.substr(dots);
  // A module's package is its name without the last part; a package is its own.
  std::vector<std::string_view> base = split(files_[importer].name.dotted, '.');
  if (!files_[importer].name.package && !base.empty()) base.pop_back();
  for (size_t up = 1; up < written && !base.empty(); ++up) base.pop_back();
  std::string out = join(base, 0, base.size(), '.');
  if (!rest.empty()) out += (out.empty() ? "" : ".") + std::string(rest);
  return out;
}

std::optional<std::pair<size_t, size_t>> Project::longest_module(std::string_view dotted, size_t importer) const {
  std::vector<std::string_view> parts = split(dotted, '.');
  for (size_t n = parts.size(); n > 0; --n) {
    auto it = by_name_.find(join(parts, 0, n, '.'));
    if (it == by_name_.end()) continue;
    // Several files with one name (scripts in different folders): the one
    // nearest to the importer, as its sys.path[0] would find it.
    size_t best = it->second.front();
    for (size_t candidate : it->second)
      if (common_directories(files_[candidate].path, files_[importer].path) >
          common_directories(files_[best].path, files_[importer].path))
        best = candidate;
    return std::pair{best, n};
  }
  return std::nullopt;
}

std::optional<size_t> Project::file_of_import(std::string_view qualified, size_t importer) const {
  auto found = longest_module(absolute(qualified, importer), importer);
  if (!found) return std::nullopt;
  return found->first;
}

std::optional<std::pair<size_t, std::string>> Project::locate(std::string_view qualified, size_t importer_file) const {
  std::string full = absolute(qualified, importer_file);
  auto found = longest_module(full, importer_file);
  if (!found) return std::nullopt;
  std::vector<std::string_view> parts = split(full, '.');
  return std::pair{found->first, join(parts, found->second, parts.size(), '.')};
}

std::optional<Values> Project::values(std::string_view qualified, const Module& importer, int depth,
                                      bool may_load) {
  std::optional<size_t> from = file_of(importer);
  if (!from) return std::nullopt;
  std::string full = absolute(qualified, *from);
  if (is_library_ != nullptr && is_library_(full)) {
    if (full == qualified) return std::nullopt;
    // A relative import inside the library itself (trio's `from .. import socket`): its absolute name.
    Value v{ValueKind::kImported, full, {}, kModuleScope, 0};
    v.module = &importer;
    return Values{{std::move(v)}, false};
  }
  auto found = longest_module(full, *from);
  if (!found) return std::nullopt;
  std::vector<std::string_view> parts = split(full, '.');
  if (found->second == parts.size()) {
    // The module itself: an imported name whose members come back here.
    Value v{ValueKind::kImported, full, {}, kModuleScope, 0};
    v.module = &importer;
    return Values{{std::move(v)}, false};
  }
  consulted_[*from].push_back(found->first);
  File& target = files_[found->first];
  if (target.module == nullptr) {
    if (!may_load) return std::nullopt;  // as if not of the project: an imported name
    if (load_tried_.size() < files_.size()) load_tried_.resize(files_.size(), false);
    if (!load_ || load_tried_[found->first]) return Values::of_unknown();
    load_tried_[found->first] = true;
    const Module* loaded = load_(found->first);
    if (loaded == nullptr) return Values::of_unknown();
    attach(found->first, *loaded);
  }
  if (links_ >= kMaxLinks || depth > kMaxLinks) return Values::of_unknown();
  // The evaluator that asked tells which rule's factories apply.
  InstanceFactories factories = nullptr;
  for (const auto& [key, evaluator] : evaluators_)
    if (key.first == &importer) factories = key.second;
  ++links_;
  Evaluator& there = evaluator_of(*target.module, factories);
  Values out = there.global(parts[found->second]);
  for (size_t i = found->second + 1; i < parts.size(); ++i) {
    Values next;
    next.unknown = out.unknown;
    for (const Value& v : out.items) next.add(evaluator_of(*v.module, factories).attribute(v, parts[i]));
    out = std::move(next);
  }
  --links_;
  return out;
}

Evaluator& Project::evaluator_of(const Module& module, InstanceFactories factories) {
  auto& slot = evaluators_[{&module, factories}];
  if (!slot) slot = std::make_unique<Evaluator>(module, factories, Budget{}, this);
  return *slot;
}

void Project::build_graphs_reaching(const Module& module, InstanceFactories factories, std::string_view name) {
  if (!graphs_built_.emplace(&module, factories, std::string(name)).second) return;
  std::optional<size_t> target = file_of(module);
  // In file order; a module attached meanwhile (a value it loads) counts when it comes after.
  for (size_t next = 0;;) {
    auto at = std::lower_bound(attached_.begin(), attached_.end(), next);
    if (at == attached_.end()) break;
    const size_t i = *at;
    next = i + 1;
    File& file = files_[i];
    if (!file.imports_resolved) {
      // Once per file: every module is asked about, and resolving is string work.
      for (const std::string& qualified : file.module->imports())
        if (std::optional<size_t> imported = file_of_import(qualified, i)) file.imported_files.push_back(*imported);
      file.imports_resolved = true;
    }
    // It imports the module, or a package above it, which may re-export its names.
    bool reaches = file.module == &module ||
                   (target && std::any_of(file.imported_files.begin(), file.imported_files.end(), [&](size_t f) {
                      return f == *target || (files_[f].name.package &&
                                              files_[*target].name.dotted.starts_with(files_[f].name.dotted + "."));
                    }));
    if (!reaches) continue;
    if (target && i != *target) consulted_[*target].push_back(i);
    Evaluator& evaluator = evaluator_of(*file.module, factories);
    if (name.empty()) {
      evaluator.build_call_graph();
    } else if (is_dunder(name)) {
      evaluator.build_dunder_sites(name);
    } else {
      evaluator.build_calls_named(name);
    }
  }
}

void Project::callers_asked(const Module& module, std::string_view caller_word) {
  if (sink_questions_ == 0 || !judging_) return;
  std::optional<size_t> file = file_of(module);
  if (!file) return;
  for (const WantedCallers& w : wanted_)
    if (w.file == *file && w.word == caller_word && w.judged == *judging_) return;
  wanted_.push_back({*file, std::string(caller_word), *judging_});
}

std::vector<std::pair<size_t, std::vector<size_t>>> Project::importers_of(
    const std::vector<WantedCallers>& wanted, const std::vector<std::vector<std::string>>& imports) const {
  // Resolving is string work: only an import that writes a wanted module's
  // last part or a wanted word may import one.
  std::unordered_set<std::string_view> keys;
  for (const WantedCallers& w : wanted) {
    std::string_view module = files_[w.file].name.dotted;
    keys.insert(module.substr(module.rfind('.') + 1));
    keys.insert(w.word);
  }
  std::vector<std::pair<size_t, std::vector<size_t>>> out;
  for (size_t i = 0; i < imports.size(); ++i) {
    std::vector<size_t> reached;
    for (const std::string& qualified : imports[i]) {
      std::vector<std::string_view> parts = split(qualified, '.');
      if (std::none_of(parts.begin(), parts.end(), [&](std::string_view p) { return keys.contains(p); })) continue;
      auto found = locate(qualified, i);
      if (!found) continue;
      const ModuleName& via = files_[found->first].name;
      for (size_t k = 0; k < wanted.size(); ++k) {
        const std::string& target = files_[wanted[k].file].name.dotted;
        if (found->first == wanted[k].file ||
            (via.package && found->second == wanted[k].word && target.starts_with(via.dotted + ".")))
          reached.push_back(k);
      }
    }
    std::sort(reached.begin(), reached.end());
    reached.erase(std::unique(reached.begin(), reached.end()), reached.end());
    if (!reached.empty()) out.emplace_back(i, std::move(reached));
  }
  return out;
}

void Project::forget_answers() {
  evaluators_.clear();
  graphs_built_.clear();
  links_ = 0;  // a question that threw never unwound its count
}

void Project::forget_values() {
  // The graphs already let the files attached since add their calls (attach).
  for (auto& [key, evaluator] : evaluators_) evaluator->forget_values();
}

std::vector<size_t> Project::consulted_from(size_t index) const {
  std::vector<bool> seen(files_.size(), false);
  std::vector<size_t> todo{index}, out;
  seen[index] = true;
  while (!todo.empty()) {
    size_t file = todo.back();
    todo.pop_back();
    auto it = consulted_.find(file);
    if (it == consulted_.end()) continue;
    for (size_t next : it->second) {
      if (seen[next]) continue;
      seen[next] = true;
      out.push_back(next);
      todo.push_back(next);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace bindscan::flow
