#include "scanner/flow/summary.h"

#include <algorithm>

#include "scanner/flow/evaluator.h"
#include "scanner/flow/project.h"
#include "scanner/module.h"

namespace bindscan::flow {
namespace {

std::vector<RelatedLocation> related_of(const std::vector<Hop>& hops, const PathOf& path_of) {
  std::vector<RelatedLocation> out;
  out.reserve(hops.size());
  for (const Hop& hop : hops) out.push_back({hop.span, hop.message, path_of(hop.module)});
  return out;
}

// Where a value is written, when the evaluator kept the node.
std::pair<Span, std::string> written(const Value& value) {
  if (value.module == nullptr || ts_node_is_null(value.node)) return {Span{}, value.text};
  return {value.module->span(value.node), std::string(value.module->text(value.node))};
}

// Relative paths ("" : the summary's own file) made explicit.
void place(std::vector<RelatedLocation>& hops, const std::string& path) {
  for (RelatedLocation& hop : hops)
    if (hop.path.empty()) hop.path = path;
}

std::vector<std::string_view> split_dots(std::string_view text) {
  std::vector<std::string_view> out;
  while (true) {
    size_t at = text.find('.');
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

std::string join_dots(const std::vector<std::string_view>& parts, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += '.';
    out += parts[i];
  }
  return out;
}

}  // namespace

std::optional<Constant> constant_of(const Value& value, const PathOf& path_of) {
  switch (value.kind) {
    case ValueKind::kString:
    case ValueKind::kInt:
    case ValueKind::kNone:
    case ValueKind::kBool:
      break;
    default:
      return std::nullopt;
  }
  Constant out;
  out.kind = value.kind;
  out.text = value.text;
  std::tie(out.span, out.spelling) = written(value);
  out.path = path_of(value.module);
  out.environment_variable = value.environment_variable;
  out.option = value.option;
  out.hops = related_of(value.hops, path_of);
  return out;
}

std::optional<Reference> reference_of(const Value& value, const PathOf& path_of) {
  if (value.kind != ValueKind::kImported || value.bound) return std::nullopt;
  Reference out;
  out.qualified = value.text;
  out.hops = related_of(value.hops, path_of);
  std::tie(out.span, out.spelling) = written(value);
  if (value.import_hop)
    out.import_hop = RelatedLocation{value.import_hop->span, value.import_hop->message, path_of(nullptr)};
  return out;
}

void add_exports(const Module& module, ModuleSummary& summary) {
  summary.star_imports = module.star_imports();
  Evaluator evaluator(module, nullptr);  // no linker: names of other modules stay references
  PathOf own = [](const Module*) { return std::string(); };
  std::vector<std::string_view> names = module.names_in(kModuleScope);
  std::sort(names.begin(), names.end());
  auto add = [&](std::string name, const Values& values) {
    Export e;
    e.name = std::move(name);
    e.unknown = values.unknown;
    for (const Value& v : values.items) {
      if (auto c = constant_of(v, own)) {
        e.constants.push_back(std::move(*c));
      } else if (auto r = reference_of(v, own)) {
        e.references.push_back(std::move(*r));
      } else {
        e.unknown = true;
      }
    }
    // A name that holds nothing a summary carries is left out: absent reads as unknown.
    if (!e.constants.empty() || !e.references.empty()) summary.exports.push_back(std::move(e));
  };
  for (std::string_view name : names) {
    if (summary.exports.size() >= kMaxExports) break;
    Values values = evaluator.global(name);
    add(std::string(name), values);
    // Attributes of a module-level class, read through the class (`Config.BIND`).
    for (const Value& v : values.items) {
      if (v.kind != ValueKind::kClass || values.items.size() != 1) continue;
      std::optional<ScopeId> body = module.scope_of(v.node);
      if (!body) continue;
      std::vector<std::string_view> members = module.names_in(*body);
      std::sort(members.begin(), members.end());
      for (std::string_view member : members) {
        if (summary.exports.size() >= kMaxExports) break;
        add(std::string(name) + "." + std::string(member), evaluator.attribute(v, member));
      }
    }
  }
  std::sort(summary.exports.begin(), summary.exports.end(),
            [](const Export& a, const Export& b) { return a.name < b.name; });
  const auto& field = module.grammar().field;
  for (const CallSite& site : module.calls()) {
    TSNode callee = site.callee;
    // A class of this file counts by its imported bases (`class S(servers.Base)`), through local chains.
    std::vector<bindscan::Reference> todo{module.resolve(callee, site.scope, ts_node_start_byte(site.node))};
    for (int steps = 0; !todo.empty() && steps < 16 && summary.called_imports.size() < kMaxExports; ++steps) {
      bindscan::Reference r = std::move(todo.back());
      todo.pop_back();
      if (!r.qualified.empty()) summary.called_imports.push_back(std::move(r.qualified));
      if (ts_node_is_null(r.local_class)) continue;
      TSNode bases = ts_node_child_by_field_id(r.local_class, field.superclasses);
      if (ts_node_is_null(bases)) continue;
      for (TSNode base : Module::named_children(bases))
        todo.push_back(module.resolve(base, r.class_scope, ts_node_start_byte(r.local_class)));
    }
  }
  tidy_called_imports(summary);
}

void tidy_called_imports(ModuleSummary& summary) {
  std::vector<std::string>& names = summary.called_imports;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.size() > kMaxExports) names.resize(kMaxExports);
}

SummaryLinker::SummaryLinker(const std::vector<SummarizedFile>& files, LoadSummary load)
    : files_(files), load_(std::move(load)), names_(std::make_shared<Project>()) {
  std::vector<std::string> paths;
  for (const SummarizedFile& file : files) paths.push_back(file.path);
  const auto packages = package_directories(paths);
  for (const std::string& path : paths) names_->add_file(path, module_name(path, packages));
}

const ModuleSummary* SummaryLinker::summary_of(size_t file) const {
  if (files_[file].summary != nullptr || !load_) return files_[file].summary;
  return load_(file);
}

Resolved SummaryLinker::resolve(const Reference& reference, size_t importer) const {
  Resolved out;
  std::vector<RelatedLocation> hops = reference.hops;
  place(hops, files_[importer].path);
  std::vector<std::pair<size_t, std::string>> path;
  resolve_into(reference, importer, std::move(hops), 0, path, out);
  return out;
}

void SummaryLinker::resolve_into(const Reference& reference, size_t importer, std::vector<RelatedLocation> hops,
                                 int depth, std::vector<std::pair<size_t, std::string>>& visiting,
                                 Resolved& out) const {
  if (depth > kMaxLinkDepth) {
    out.unknown = true;
    return;
  }
  auto located = names_->locate(reference.qualified, importer);
  if (!located) {
    // Not a module of the commit: a library's name, judged by the rule.
    if (reference.qualified.starts_with('.')) {
      out.unknown = true;
      return;
    }
    Constant library;
    library.kind = ValueKind::kImported;
    library.text = reference.qualified;
    library.spelling = reference.spelling;
    library.span = reference.span;
    library.path = files_[importer].path;
    library.hops = std::move(hops);
    out.constants.push_back(std::move(library));
    return;
  }
  const auto& [file, rest] = *located;
  if (reference.import_hop) {
    RelatedLocation hop = *reference.import_hop;
    if (hop.path.empty()) hop.path = files_[importer].path;
    hops.push_back(std::move(hop));
  }
  const ModuleSummary* summary = rest.empty() ? nullptr : summary_of(file);
  if (summary == nullptr) {
    out.unknown = true;  // a file without summary, or the module itself (not a constant)
    return;
  }
  std::pair<size_t, std::string> key{file, rest};
  if (std::find(visiting.begin(), visiting.end(), key) != visiting.end()) {
    out.unknown = true;  // an import cycle
    return;
  }
  visiting.push_back(key);
  const std::string& here = files_[file].path;
  auto find = [summary](const std::string& name) -> const Export* {
    auto it = std::lower_bound(summary->exports.begin(), summary->exports.end(), name,
                               [](const Export& e, const std::string& n) { return e.name < n; });
    return it != summary->exports.end() && it->name == name ? &*it : nullptr;
  };
  auto follow = [&](const Reference& next, std::string_view suffix) {
    Reference longer = next;
    if (!suffix.empty()) longer.qualified += "." + std::string(suffix);
    std::vector<RelatedLocation> chain = hops;
    std::vector<RelatedLocation> more = next.hops;
    place(more, here);
    chain.insert(chain.end(), more.begin(), more.end());
    resolve_into(longer, file, std::move(chain), depth + 1, visiting, out);
  };
  // The longest exported prefix of `rest`: the name itself, or a reference
  // whose members the rest names (`conf.HOST` where `conf` is another module).
  std::vector<std::string_view> parts = split_dots(rest);
  bool found = false;
  for (size_t n = parts.size(); n > 0 && !found; --n) {
    const Export* e = find(join_dots(parts, 0, n));
    if (e == nullptr) continue;
    found = true;
    std::string suffix = join_dots(parts, n, parts.size());
    out.unknown |= e->unknown;
    if (!suffix.empty() && !e->constants.empty()) out.unknown = true;  // an attribute of a constant
    for (const Constant& c : e->constants) {
      if (!suffix.empty()) break;
      Constant placed = c;
      if (placed.path.empty()) placed.path = here;
      place(placed.hops, here);
      placed.hops.insert(placed.hops.begin(), hops.begin(), hops.end());
      out.constants.push_back(std::move(placed));
    }
    for (const Reference& r : e->references) follow(r, suffix);
  }
  if (!found) {
    // Unbound here: `from M import *` may bind it (the first star import, as the value flow reads it).
    if (!summary->star_imports.empty()) {
      follow(Reference{summary->star_imports.front(), {}, reference.span, reference.spelling, std::nullopt}, rest);
    } else {
      out.unknown = true;
    }
  }
  visiting.pop_back();
}

std::vector<std::vector<Finding>> link(const std::vector<SummarizedFile>& files,
                                       const std::function<CloseSite(std::string_view rule_id)>& close_of,
                                       LoadSummary load) {
  std::vector<std::vector<Finding>> out(files.size());
  SummaryLinker linker(files, std::move(load));
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].summary == nullptr) continue;
    for (const OpenSite& site : files[i].summary->open_sites) {
      CloseSite close = close_of(site.rule_id);
      if (close == nullptr) continue;
      Resolved resolved;
      for (const Reference& reference : site.references) {
        Resolved one = linker.resolve(reference, i);
        resolved.unknown |= one.unknown;
        for (Constant& c : one.constants) resolved.constants.push_back(std::move(c));
      }
      // Paths of the site's own file read as "" (the finding's file), as in a project scan.
      for (Constant& c : resolved.constants) {
        if (c.path == files[i].path) c.path.clear();
        for (RelatedLocation& hop : c.hops)
          if (hop.path == files[i].path) hop.path.clear();
      }
      size_t first = out[i].size();
      close(site, resolved, out[i]);
      for (size_t k = first; k < out[i].size(); ++k)
        if (!out[i][k].suppression) out[i][k].suppression = site.suppression;
    }
  }
  return out;
}

}  // namespace bindscan::flow
