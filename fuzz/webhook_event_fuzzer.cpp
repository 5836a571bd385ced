// Webhook payload parsing on arbitrary event names, delivery ids and bodies:
// parse_event never throws or crashes, and whatever it queues passed every
// check the job side relies on (validate.h), so hostile bytes that got past
// the signature still cannot name a path, ref or clone host they should not.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "webhook/receive/events.h"
#include "webhook/receive/validate.h"

namespace {

using namespace bindscan::webhook;

void fail(const char* what) {
  std::fprintf(stderr, "webhook_event_fuzzer: invariant broken: %s\n", what);
  std::abort();
}

const std::vector<CloneHost>& allowed_hosts() {
  static const std::vector<CloneHost> hosts = [] {
    std::vector<CloneHost> out;
    for (const char* spec : {"github.com", "http://127.0.0.1:8080"}) out.push_back(*parse_clone_host(spec));
    return out;
  }();
  return hosts;
}

}  // namespace

// Input: the X-GitHub-Event value, a newline, the X-GitHub-Delivery value, a
// newline, then the body (seeds: "push\nID\n" + tests/webhook/payloads/push.json).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bindscan::fuzzing::FuzzInput input(data, size);
  const std::string event = input.take_line();
  const std::string delivery = input.take_line();
  const std::string body = input.rest();
  EventPolicy policy;
  policy.allowed_clone_hosts = allowed_hosts();

  if (!json_depth_within(body, 1000) && json_depth_within(body, policy.max_json_depth))
    fail("json_depth_within is not monotonic in max_depth");
  auto decision = parse_event(event, delivery, body, policy);
  if (!decision) {
    const std::string& code = decision.error().code;
    if (code != "bad-delivery" && code != "bad-payload" && code != "invalid-name" && code != "invalid-clone-url" &&
        code != "clone-host-not-allowed")
      fail("an error code events.h does not list");
    if (body.size() >= 16 && decision.error().message.find(body) != std::string::npos)
      fail("an error message quotes the body");
    return 0;
  }
  if (!is_safe_id(delivery)) fail("accepted an unsafe delivery id");
  if (decision->action != EventAction::kQueue) return 0;
  const Job& job = decision->job;
  if (event != "push" && event != "pull_request") fail("queued an event that is not push or pull_request");
  if (job.id != delivery || job.delivery_id != delivery || job.event != event) fail("job ids or event not copied");
  if (!is_valid_name(job.owner) || !is_valid_name(job.repo)) fail("queued an invalid owner or repository name");
  if (!is_commit_sha(job.commit_sha) || is_zero_sha(job.commit_sha)) fail("queued a commit that is not a SHA");
  if (!job.before_sha.empty() && !is_commit_sha(job.before_sha)) fail("queued a before that is not a SHA");
  if (!is_valid_ref(job.ref) || !is_valid_ref(job.fetch_ref)) fail("queued an invalid ref");
  if (!job.ref.starts_with("refs/heads/") && !job.ref.starts_with("refs/pull/")) fail("queued a ref of another kind");
  if (!check_clone_url(job.clone_url, policy.allowed_clone_hosts)) fail("queued a clone URL not allowed");
  if (job.attempts != 0) fail("a new job has attempts");
  return 0;
}
