#include "webhook/receive/events.h"

#include <nlohmann/json.hpp>

#include <optional>

namespace bindscan::webhook {
namespace {

using nlohmann::json;

Error bad_payload(std::string_view event, std::string_view what) {
  return Error{"bad-payload", std::string(event) + " payload: " + std::string(what)};
}

// Follows a dotted path of object keys; null when any step is missing.
const json* find(const json& root, std::string_view path) {
  const json* node = &root;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('.', start);
    if (end == std::string_view::npos) end = path.size();
    if (!node->is_object()) return nullptr;
    auto it = node->find(std::string(path.substr(start, end - start)));
    if (it == node->end()) return nullptr;
    node = &*it;
    start = end + 1;
  }
  return node;
}

Result<std::string> need_string(const json& root, std::string_view event, std::string_view path) {
  const json* node = find(root, path);
  if (node == nullptr || !node->is_string()) {
    return bad_payload(event, "field " + std::string(path) + " is missing or not a string");
  }
  return node->get<std::string>();
}

std::optional<int64_t> installation_id(const json& root) {
  const json* id = find(root, "installation.id");
  if (id == nullptr || !id->is_number_integer()) return std::nullopt;
  return id->get<int64_t>();
}

// Owner, name and clone URL of `repository`, validated.
Status fill_repository(const json& root, std::string_view event, const EventPolicy& policy,
                       Job& job) {
  Result<std::string> full_name = need_string(root, event, "repository.full_name");
  if (!full_name) return full_name.error();
  size_t slash = full_name->find('/');
  if (slash == std::string::npos) {
    return bad_payload(event, "repository.full_name is not OWNER/REPO");
  }
  job.owner = full_name->substr(0, slash);
  job.repo = full_name->substr(slash + 1);
  if (Status s = validate_name("owner", job.owner); !s) return s;
  if (Status s = validate_name("repository", job.repo); !s) return s;
  Result<std::string> clone_url = need_string(root, event, "repository.clone_url");
  if (!clone_url) return clone_url.error();
  if (Status s = check_clone_url(*clone_url, policy.allowed_clone_hosts); !s) return s;
  // full_name decides where results go, clone_url what is fetched: one repository.
  if (Status s = check_clone_url_names(*clone_url, job.owner, job.repo); !s) return s;
  job.clone_url = *clone_url;
  // Optional: without it the job uploads as usual and leaves alerts alone.
  if (const json* branch = find(root, "repository.default_branch"); branch != nullptr && branch->is_string()) {
    job.default_branch = branch->get<std::string>();
  }
  job.installation_id = installation_id(root);
  if (policy.require_installation && !job.installation_id) {
    return Error{"not-app-delivery",
                 "this service authenticates as a GitHub App; deliveries must come from the App's "
                 "webhook (installation.id is missing or not an integer)"};
  }
  return ok_status();
}

EventDecision ignore(std::string reason) {
  EventDecision decision;
  decision.action = EventAction::kIgnore;
  decision.reason = std::move(reason);
  return decision;
}

Result<EventDecision> parse_push(const json& root, Job job, const EventPolicy& policy) {
  constexpr std::string_view kEvent = "push";
  Result<std::string> ref = need_string(root, kEvent, "ref");
  if (!ref) return ref.error();
  Result<std::string> after = need_string(root, kEvent, "after");
  if (!after) return after.error();
  const json* deleted = find(root, "deleted");
  if ((deleted != nullptr && deleted->is_boolean() && deleted->get<bool>()) || is_zero_sha(*after)) {
    return ignore("push deleted " + *ref + "; nothing to scan");
  }
  if (ref->rfind("refs/tags/", 0) == 0) return ignore("tag push " + *ref + " is not scanned");
  if (ref->rfind("refs/heads/", 0) != 0) return ignore("push to " + *ref + " is not a branch");
  if (!is_valid_ref(*ref)) return bad_payload(kEvent, "ref is not a valid git ref");
  if (!is_commit_sha(*after)) return bad_payload(kEvent, "after is not 40 lowercase hex digits");
  Result<std::string> before = need_string(root, kEvent, "before");
  if (!before) return before.error();
  if (!is_zero_sha(*before) && !is_commit_sha(*before)) {
    return bad_payload(kEvent, "before is not 40 lowercase hex digits");
  }
  if (Status s = fill_repository(root, kEvent, policy, job); !s) return s.error();
  job.commit_sha = *after;
  job.before_sha = is_zero_sha(*before) ? "" : *before;
  job.ref = *ref;
  job.fetch_ref = *ref;
  EventDecision decision;
  decision.action = EventAction::kQueue;
  decision.job = std::move(job);
  return decision;
}

Result<EventDecision> parse_pull_request(const json& root, Job job, const EventPolicy& policy) {
  constexpr std::string_view kEvent = "pull_request";
  Result<std::string> action = need_string(root, kEvent, "action");
  if (!action) return action.error();
  if (*action != "opened" && *action != "synchronize" && *action != "reopened") {
    return ignore("pull_request action " + *action + " is not scanned");
  }
  const json* number = find(root, "number");
  if (number == nullptr || !number->is_number_integer() || number->get<int64_t>() <= 0) {
    return bad_payload(kEvent, "field number is missing or not a positive integer");
  }
  Result<std::string> head = need_string(root, kEvent, "pull_request.head.sha");
  if (!head) return head.error();
  if (!is_commit_sha(*head)) {
    return bad_payload(kEvent, "pull_request.head.sha is not 40 lowercase hex digits");
  }
  if (Status s = fill_repository(root, kEvent, policy, job); !s) return s.error();
  job.commit_sha = *head;
  // `before` is only sent with synchronize: the previous head, worth diffing against.
  const json* before = find(root, "before");
  if (before != nullptr && before->is_string() && is_commit_sha(before->get<std::string>())) {
    job.before_sha = before->get<std::string>();
  }
  job.ref = "refs/pull/" + std::to_string(number->get<int64_t>()) + "/head";
  job.fetch_ref = job.ref;
  EventDecision decision;
  decision.action = EventAction::kQueue;
  decision.job = std::move(job);
  return decision;
}

}  // namespace

bool json_depth_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

Result<EventDecision> parse_event(std::string_view event, std::string_view delivery_id,
                                  std::string_view body, const EventPolicy& policy) {
  if (!is_safe_id(delivery_id)) {
    return Error{"bad-delivery", "X-GitHub-Delivery is missing or not 1-100 characters of [A-Za-z0-9-]"};
  }
  if (event == "ping") {
    EventDecision decision;
    decision.action = EventAction::kPing;
    decision.reason = "pong";
    return decision;
  }
  if (event != "push" && event != "pull_request") {
    return ignore("event " + (event.empty() ? std::string("(none)") : std::string(event)) +
                  " is not scanned");
  }
  if (!json_depth_within(body, policy.max_json_depth)) {
    return bad_payload(event, "JSON nests deeper than " + std::to_string(policy.max_json_depth) +
                                  " levels");
  }
  json root = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return bad_payload(event, "body is not valid JSON");
  if (!root.is_object()) return bad_payload(event, "body is not a JSON object");
  Job job;
  job.id = std::string(delivery_id);
  job.delivery_id = std::string(delivery_id);
  job.event = std::string(event);
  return event == "push" ? parse_push(root, std::move(job), policy)
                         : parse_pull_request(root, std::move(job), policy);
}

}  // namespace bindscan::webhook
