// The judge shared by the two bind rules: finds the calls of the sink table
// (sinks.h) in a file, through the value flow (scanner/flow/), and reports
//  - kWildcardHost (bind-all-interfaces): an address that is every interface;
//  - kDefaultHost (bind-all-interfaces-by-default): a call that leaves the
//    address out of an API whose default is every interface.
//
// "Must" and "may": a finding's level is the rule's default when every value
// that reaches the address is a wildcard; when other values (or values the
// code does not show) reach it too, the finding is a note, and each path to a
// wildcard is a related location.
#pragma once

#include <string_view>
#include <vector>

#include "scanner/finding.h"
#include "scanner/flow/summary.h"
#include "scanner/module.h"
#include "scanner/words.h"

namespace bindscan::rules::binds {

enum class Report { kWildcardHost, kDefaultHost };

// Sound prefilter over the sink table (see sinks.h): the words a file must
// write to reach a sink.
const WordSieve& sieve();

// Whether `qualified` lies in a module the sink table names (socket,
// socketserver, asyncio, ...): those are libraries, matched by name.
bool is_library_name(std::string_view qualified);

void check(const Module& module, Report what, std::string_view rule_id, std::vector<Finding>& out);

// Rule::sink_classes: the top-level classes of `module` that are servers
// (subclasses of a sink class) whose calls are judged where they are made.
void sink_classes(const Module& module, std::vector<std::string>& out);

// The same for a file judged alone for its summary (flow/summary.h): a call
// whose address may hold a name imported from another module (not a library
// of the sink table) becomes an open site instead of a finding.
void check_open(const Module& module, Report what, std::string_view rule_id, std::vector<Finding>& out,
                std::vector<flow::OpenSite>& open);

// The finding of an open site whose references resolved to `resolved`,
// judged as check() judges the same values in a project scan.
void close(const flow::OpenSite& site, const flow::Resolved& resolved, std::vector<Finding>& out);

}  // namespace bindscan::rules::binds
