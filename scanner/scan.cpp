#include "scanner/scan.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <exception>
#include <unordered_set>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "scanner/flow/project.h"
#include "scanner/flow/summary.h"
#include "scanner/module.h"
#include "scanner/python.h"
#include "scanner/suppression.h"
#include "scanner/words.h"

namespace bindscan {

struct Scanner::Impl {
  std::vector<Rule> rules;
  ScanOptions options;
  mutable Parser parser;

  // The rules whose prefilter passes `source` (every rule with the
  // prefilter off). `found` keeps what the first sieve's pass found.
  std::vector<const Rule*> passing(std::string_view source, WordsFound& found) const {
    std::vector<const Rule*> out;
    std::vector<std::pair<const WordSieve*, bool>> asked;  // rules may share a sieve: one pass each
    WordsFound scratch;
    for (const Rule& rule : rules) {
      bool pass = !options.prefilter;
      if (!pass) {
        const WordSieve* sieve = &rule.prefilter();
        auto it = std::find_if(asked.begin(), asked.end(), [&](const auto& a) { return a.first == sieve; });
        if (it != asked.end()) {
          pass = it->second;
        } else {
          WordsFound& into = asked.empty() ? found : scratch;
          find_words(source, sieve->vocabulary(), into);
          pass = asked.emplace_back(sieve, sieve->passes(into)).second;
        }
      }
      if (pass) out.push_back(&rule);
    }
    return out;
  }
};

Scanner::Scanner(std::span<const Rule> rules, ScanOptions options)
    : impl_(new Impl{{rules.begin(), rules.end()}, options, {}}) {}

Scanner::~Scanner() = default;

namespace {

// The bytes tree-sitter gets: NULs read as the end of input, so they are
// blanked (Python refuses such files anyway); offsets stay the same.
std::string_view without_nul(std::string_view source, std::string& storage) {
  if (std::memchr(source.data(), '\0', source.size()) == nullptr) return source;
  storage.assign(source);
  std::replace(storage.begin(), storage.end(), '\0', ' ');
  return storage;
}

std::optional<Tree> parse_with_timeout(Parser& parser, std::string_view source, const ScanOptions& options) {
  auto timeout = options.parse_timeout + options.parse_timeout_per_mib * static_cast<int64_t>(source.size() >> 20);
  return parser.parse(source, timeout);
}

// Parses one file for Scanner::scan and summarize: NULs blanked (into
// `storage`), `result` marked parsed, and timed out when the parse timeout
// cut it short (then nullopt).
std::optional<Tree> parse_file_of(Parser& parser, std::string_view source, const ScanOptions& options,
                                  std::string& storage, ScanResult& result) {
  std::optional<Tree> tree = parse_with_timeout(parser, without_nul(source, storage), options);
  result.parsed = true;
  if (!tree) result.timed_out = true;
  return tree;
}

// The suppression a comment on the first or the last line of `span` gives.
std::optional<Suppression> suppression_at(const Module& module, const Rule& rule, const Span& span) {
  std::optional<Suppression> out;
  for (uint32_t row : {span.start.row, span.stop.row}) {
    const Comment* comment = module.comment_on_row(row);
    if (comment != nullptr && !out) out = suppression_for(rule.info, comment->text);
  }
  return out;
}

// Runs `rules` on a parsed file, applies suppressions, sorts. With `open`,
// rules that can leave sites open for other modules (Rule::check_open) do.
// A rule that throws (a defect) ends its own judgment of this file only: the
// result says why, and what it found before stands. Returns false then.
bool judge(const Module& module, const std::vector<const Rule*>& rules, ScanResult& result,
           std::vector<flow::OpenSite>* open = nullptr) {
  bool judged = true;
  for (const Rule* rule : rules) {
    size_t first = result.findings.size();
    try {
      if (open != nullptr && rule->check_open != nullptr) {
        size_t first_open = open->size();
        rule->check_open(module, result.findings, *open);
        for (size_t i = first_open; i < open->size(); ++i)
          (*open)[i].suppression = suppression_at(module, *rule, (*open)[i].argument);
      } else {
        rule->check(module, result.findings);
      }
    } catch (const std::exception& e) {
      judged = false;
      if (!result.error) result.error = std::string(rule->info.id) + " failed on this file: " + e.what();
    }
    for (size_t i = first; i < result.findings.size(); ++i) {
      Finding& finding = result.findings[i];
      if (!finding.suppression) finding.suppression = suppression_at(module, *rule, finding.span);
    }
  }
  std::sort(result.findings.begin(), result.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.span.start, a.rule_id, a.span.begin, a.span.end) <
           std::tie(b.span.start, b.rule_id, b.span.begin, b.span.end);
  });
  return judged;
}

}  // namespace

ScanResult Scanner::scan(std::string_view source) const {
  ScanResult result;
  // tree-sitter addresses bytes with 32-bit offsets.
  if (source.size() >= std::numeric_limits<uint32_t>::max()) return result;
  WordsFound found;
  std::vector<const Rule*> active = impl_->passing(source, found);
  if (active.empty()) return result;
  std::string storage;
  std::optional<Tree> tree = parse_file_of(impl_->parser, source, impl_->options, storage, result);
  if (!tree) return result;
  Module module(*tree);
  judge(module, active, result);
  return result;
}

namespace {

// Rounds of reading files the prefilter skipped (scan_project, step 4).
constexpr int kCallerRounds = 3;
constexpr size_t kNoFile = static_cast<size_t>(-1);

// Whether `word` occurs in `source` as a whole identifier (in code, strings
// or comments alike: a cheap superset of the calls that write it).
bool writes_word(std::string_view source, std::string_view word) {
  auto identifier_byte = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); };
  for (size_t at = source.find(word); at != std::string_view::npos; at = source.find(word, at + 1)) {
    size_t end = at + word.size();
    if ((at == 0 || !identifier_byte(source[at - 1])) && (end == source.size() || !identifier_byte(source[end])))
      return true;
  }
  return false;
}

std::vector<const Rule*> all_of(const std::vector<Rule>& rules) {
  std::vector<const Rule*> out;
  for (const Rule& rule : rules) out.push_back(&rule);
  return out;
}

// Runs body(parser, i) for i in [0, n) on `jobs` threads, each with its own parser.
template <typename Body>
void for_each_file(size_t n, unsigned jobs, Parser& own, Body&& body) {
  std::atomic<size_t> next{0};
  auto worker = [&](Parser& parser) {
    for (size_t i; (i = next.fetch_add(1)) < n;) body(parser, i);
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < std::min<size_t>(std::max(1u, jobs), std::max<size_t>(n, 1)); ++t)
    pool.emplace_back([&] {
      Parser parser;
      worker(parser);
    });
  worker(own);
}

}  // namespace

ScanResult Scanner::summarize(std::string_view source, flow::ModuleSummary& summary, bool parse_unmatched) const {
  summary = {};
  ScanResult result;
  if (source.size() >= std::numeric_limits<uint32_t>::max()) return result;
  WordsFound found;
  std::vector<const Rule*> active = impl_->passing(source, found);
  // Parsed even when no rule may match, if asked: its exports may reach other files.
  if (active.empty() && !parse_unmatched) {
    // What it may call into: the names its import statements name.
    summary.called_imports = std::move(found.imports);
    flow::tidy_called_imports(summary);
    return result;
  }
  std::string storage;
  std::optional<Tree> tree = parse_file_of(impl_->parser, source, impl_->options, storage, result);
  if (!tree) return result;
  Module module(*tree);
  judge(module, active, result, &summary.open_sites);
  try {
    flow::add_exports(module, summary);
  } catch (const std::exception& e) {
    if (!result.error) result.error = std::string("summarizing this file failed: ") + e.what();
  }
  return result;
}

std::vector<ScanResult> Scanner::scan_project(const std::vector<std::string>& paths,
                                              const std::function<std::optional<std::string_view>(size_t)>& source_of,
                                              unsigned jobs, ScanStats* stats,
                                              const std::function<void(size_t)>& release,
                                              const ProjectScope* scope) const {
  const size_t n = paths.size();
  std::vector<ScanResult> results(n);
  struct Parsed {
    std::string storage;  // the bytes without NULs, when they had some
    std::optional<Tree> tree;
    std::unique_ptr<Module> module;
  };
  std::vector<std::unique_ptr<Parsed>> parsed(n);
  std::vector<std::vector<const Rule*>> active(n);  // empty: not judged (parsed only for values, if at all)
  std::vector<uint8_t> readable(n, 0);  // not vector<bool>: threads write neighbours
  std::vector<std::vector<std::string>> imports(n);  // of files not parsed: who may call into whom
  auto parse_file = [&](Parser& parser, size_t i) {
    std::optional<std::string_view> source = source_of(i);
    if (!source || source->size() >= std::numeric_limits<uint32_t>::max()) return;
    auto p = std::make_unique<Parsed>();
    std::string_view bytes = without_nul(*source, p->storage);
    p->tree = parse_with_timeout(parser, bytes, impl_->options);
    results[i].parsed = true;
    if (!p->tree) {
      results[i].timed_out = true;
      return;
    }
    p->module = std::make_unique<Module>(*p->tree);
    parsed[i] = std::move(p);
  };

  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  Clock::time_point step = Clock::now();
  // 1. The files the prefilter passes are parsed, on `jobs` threads (with a
  // scope, only those it preloads).
  for_each_file(n, jobs, impl_->parser, [&](Parser& parser, size_t i) {
    if (scope != nullptr && !scope->preload[i] && !scope->judged[i]) return;
    std::optional<std::string_view> source = source_of(i);
    if (!source || source->size() >= std::numeric_limits<uint32_t>::max()) return;
    readable[i] = 1;
    WordsFound found;
    active[i] = impl_->passing(*source, found);
    if (!active[i].empty()) {
      parse_file(parser, i);
      return;
    }
    imports[i] = std::move(found.imports);
    if (release) release(i);
  });

  if (stats != nullptr) stats->read_ms = since(step);
  // 2. Module names.
  const std::unordered_set<std::string> packages = flow::package_directories(paths);
  flow::Project project;
  std::vector<flow::ModuleName> names;
  names.reserve(n);
  for (const std::string& path : paths) names.push_back(flow::module_name(path, packages));
  for (size_t i = 0; i < n; ++i) project.add_file(paths[i], names[i]);
  bool (*is_library)(std::string_view) = nullptr;
  for (const Rule& rule : impl_->rules)
    if (rule.is_library != nullptr) is_library = rule.is_library;
  if (is_library != nullptr) project.set_library_names(is_library);

  // Files the value flow needs (an imported settings module) are parsed when it asks.
  project.set_loader([&](size_t j) -> const Module* {
    if (!parsed[j]) {
      parse_file(impl_->parser, j);
      if (parsed[j] && stats != nullptr) {
        ++stats->loaded;
        stats->parsed_bytes += parsed[j]->tree->source().size();
      }
    }
    if (!parsed[j]) return nullptr;
    parsed[j]->module->set_project(&project);
    return parsed[j]->module.get();
  });

  if (stats != nullptr) {
    stats->files = n;
    for (size_t i = 0; i < n; ++i) {
      stats->read += readable[i];
      stats->passed += !active[i].empty();
      stats->parsed += parsed[i] != nullptr;
      if (parsed[i] != nullptr) stats->parsed_bytes += parsed[i]->tree->source().size();
    }
  }

  // 3. Link, then judge.
  for (size_t i = 0; i < n; ++i) {
    if (!parsed[i]) continue;
    project.attach(i, *parsed[i]->module);
    parsed[i]->module->set_project(&project);
  }
  auto judged = [&](size_t i) { return parsed[i] && !active[i].empty() && (!scope || scope->judged[i]); };
  // What files the prefilter skipped must be read for: the sink classes
  // defined in a judged file, whose calls elsewhere are sites (judged is
  // kNoFile), and the callers a judgment asked for (flow::Project).
  std::vector<flow::Project::WantedCallers> sink_classes;
  auto judge_file = [&](size_t i) {
    project.set_judging(i);
    results[i].findings.clear();
    results[i].error.reset();
    // A failure may leave answers half made: the next file starts afresh.
    if (!judge(*parsed[i]->module, active[i], results[i])) project.forget_answers();
    project.set_judging(std::nullopt);
    std::vector<std::string> classes;
    try {
      for (const Rule* rule : active[i])
        if (rule->sink_classes != nullptr) rule->sink_classes(*parsed[i]->module, classes);
    } catch (const std::exception& e) {
      if (!results[i].error) results[i].error = std::string("finding its server classes failed: ") + e.what();
      project.forget_answers();
    }
    for (std::string& name : classes) sink_classes.push_back({i, std::move(name), kNoFile});
  };
  step = Clock::now();
  for (size_t i = 0; i < n; ++i)
    if (judged(i)) judge_file(i);
  if (stats != nullptr) stats->judge_ms = since(step);

  // 4. Files the prefilter skipped (they name no sink) that import a sink
  // class of the project or a function whose callers a sink's address
  // depends on, and write its name: parsed; judged for a sink class, and for
  // callers the files that asked are judged again with them. For a few
  // rounds, as a caller's own parameter may lead to its callers. Files judged
  // before that use a sink class of a file parsed here are judged again. With
  // a scope, only among the files it preloads.
  step = Clock::now();
  std::set<std::pair<size_t, std::string>> served;  // looked for already
  std::vector<uint8_t> late(n, 0);  // parsed in this step
  for (int round = 0; round < kCallerRounds; ++round) {
    std::vector<flow::Project::WantedCallers> wanted = project.take_wanted_callers();
    for (auto& w : sink_classes) wanted.push_back(std::move(w));
    sink_classes.clear();
    std::erase_if(wanted, [&](const auto& w) { return served.contains({w.file, w.word}); });
    for (const auto& w : wanted) served.emplace(w.file, w.word);
    if (wanted.empty()) break;
    for (size_t i = 0; i < n; ++i)
      if (parsed[i] || !readable[i]) imports[i].clear();
    auto candidates = project.importers_of(wanted, imports);
    for_each_file(candidates.size(), jobs, impl_->parser, [&](Parser& parser, size_t k) {
      auto& [i, reached] = candidates[k];
      std::optional<std::string_view> source = source_of(i);
      std::erase_if(reached, [&](size_t w) { return !source || !writes_word(*source, wanted[w].word); });
      if (!reached.empty()) parse_file(parser, i);
      if (!parsed[i] && release) release(i);
    });
    std::vector<size_t> rejudge;
    for (const auto& [i, reached] : candidates) {
      if (!parsed[i]) continue;
      late[i] = 1;
      project.attach(i, *parsed[i]->module);
      parsed[i]->module->set_project(&project);
      if (stats != nullptr) {
        ++stats->callers;
        stats->parsed_bytes += parsed[i]->tree->source().size();
      }
      for (size_t w : reached) {
        rejudge.push_back(wanted[w].judged == kNoFile ? i : wanted[w].judged);
        if (wanted[w].judged == kNoFile) active[i] = all_of(impl_->rules);
      }
    }
    // A sink class of a file parsed in this step may be used by files judged
    // before it was (a base class or a callee they could not resolve then:
    // questions about classes parse no file, see Linker::values): judged again.
    std::vector<flow::Project::WantedCallers> late_classes;
    for (const auto& w : wanted)
      if (w.judged == kNoFile && late[w.file]) late_classes.push_back(w);
    if (!late_classes.empty()) {
      std::vector<std::vector<std::string>> judged_imports(n);
      for (size_t i = 0; i < n; ++i)
        if (judged(i)) judged_imports[i] = parsed[i]->module->imports();
      for (const auto& [i, reached] : project.importers_of(late_classes, judged_imports))
        if (std::any_of(reached.begin(), reached.end(),
                        [&](size_t w) { return writes_word(parsed[i]->tree->source(), late_classes[w].word); }))
          rejudge.push_back(i);
    }
    if (rejudge.empty()) break;
    std::sort(rejudge.begin(), rejudge.end());
    rejudge.erase(std::unique(rejudge.begin(), rejudge.end()), rejudge.end());
    project.forget_values();
    for (size_t i : rejudge)
      if (judged(i)) judge_file(i);
  }
  if (stats != nullptr) stats->callers_ms = since(step);
  // After every judgment: an answer cached while judging one file serves the next.
  if (scope != nullptr)
    for (size_t i = 0; i < n; ++i)
      if (judged(i)) results[i].consulted = project.consulted_from(i);
  if (impl_->options.keep_trees) {
    // Still reachable (leak checkers stay quiet), never freed.
    static auto* kept = new std::vector<std::unique_ptr<Parsed>>();
    static std::mutex kept_lock;
    std::lock_guard<std::mutex> hold(kept_lock);
    std::move(parsed.begin(), parsed.end(), std::back_inserter(*kept));
  }
  return results;
}

}  // namespace bindscan
