// Turns a verified webhook delivery into a decision: answer a ping, ignore the
// event, or queue a Job. Pure: bytes and header values in, a value out. Call
// it only after check_signature() accepted the body.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "webhook/jobs/job.h"
#include "webhook/receive/validate.h"

namespace bindscan::webhook {

struct EventPolicy {
  std::span<const CloneHost> allowed_clone_hosts;  // clone URLs must match one
  int max_json_depth = 64;  // deeper bodies are refused before nlohmann parses them
  // The service authenticates as a GitHub App: a delivery to be queued must
  // carry an integer installation.id (the App's own webhook sends one; a
  // repository or organisation webhook does not), else it could never run.
  bool require_installation = false;
};

enum class EventAction {
  kPing,    // answer 200
  kIgnore,  // answer 202 saying why (deleted branch, tag, other event or action)
  kQueue,   // write `job` to the store, answer 202 with its id
};

struct EventDecision {
  EventAction action = EventAction::kIgnore;
  std::string reason;  // kPing / kIgnore: one sentence for the reply body and the log
  Job job;             // kQueue only; id == delivery id, attempts == 0
};

// `event` is X-GitHub-Event, `delivery_id` X-GitHub-Delivery, `body` the raw
// JSON. Handles:
//   ping                                  -> kPing
//   push to refs/heads/*                  -> kQueue (commit = after, ref = fetch_ref
//                                            = ref, before = before unless all zeros)
//   push with deleted or a zero `after`, tag pushes, other refs -> kIgnore
//   pull_request opened/synchronize/reopened -> kQueue (commit = head.sha, ref =
//                                            fetch_ref = refs/pull/N/head, clone URL
//                                            of the base repository)
//   other pull_request actions, any other event -> kIgnore
// Errors (all meant for a 400 reply, never containing the body):
//   "bad-delivery"  delivery id missing or not [A-Za-z0-9-]
//   "bad-payload"   not JSON, nested too deep, a field missing or of the wrong type
//   "invalid-name", "invalid-clone-url", "clone-host-not-allowed",
//   "clone-url-mismatch" (see validate.h)
//   "not-app-delivery" require_installation and no integer installation.id
Result<EventDecision> parse_event(std::string_view event, std::string_view delivery_id,
                                  std::string_view body, const EventPolicy& policy);

// True when no array or object in `text` nests deeper than `max_depth`,
// counting brackets outside JSON strings. Linear, no recursion; run it before
// a recursive parser sees untrusted input.
bool json_depth_within(std::string_view text, int max_depth);

}  // namespace bindscan::webhook
