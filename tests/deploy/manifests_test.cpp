// The files users deploy from: every YAML parses, the workflows pin their
// actions, the Kubernetes, compose and systemd files carry what issue 4 asks
// for, and image names, versions, ports, user ids and variable names agree
// with the Dockerfile, the project version and `bindscan serve`.
//
// yaml-cpp rather than a script with PyYAML: the checks stay in the one test
// executable, and it reads a workflow's `on:` key as the string "on" (YAML 1.2)
// where PyYAML's YAML 1.1 turns it into the boolean true.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#if __has_include("webhook/config.h")
#include "webhook/config.h"
#define BINDSCAN_HAVE_SERVE_CONFIG 1
#endif

namespace bindscan {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;

const fs::path kRoot = BINDSCAN_SOURCE_DIR;
const std::string kImage = std::string("ghcr.io/bindscan/bindscan:") + BINDSCAN_VERSION;
constexpr int kPort = 8080;
constexpr int kUid = 1001;

std::string read(const fs::path& relative) {
  std::ifstream in(kRoot / relative, std::ios::binary);
  EXPECT_TRUE(in) << relative << " is missing";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

YAML::Node load(const fs::path& relative) { return YAML::LoadFile((kRoot / relative).string()); }

std::vector<YAML::Node> load_all(const fs::path& relative) {
  return YAML::LoadAllFromFile((kRoot / relative).string());
}

std::vector<fs::path> yaml_files() {
  std::vector<fs::path> files = {"action.yml"};
  for (const char* dir : {".github/workflows", "deploy"})
    for (const auto& entry : fs::recursive_directory_iterator(kRoot / dir))
      if (entry.path().extension() == ".yml" || entry.path().extension() == ".yaml")
        files.push_back(fs::relative(entry.path(), kRoot));
  std::sort(files.begin(), files.end());
  return files;
}

// Kubernetes documents from every resource the kustomization lists.
std::vector<YAML::Node> kubernetes_objects() {
  std::vector<YAML::Node> objects;
  for (const auto& resource : load("deploy/kubernetes/kustomization.yaml")["resources"])
    for (const YAML::Node& doc : load_all(fs::path("deploy/kubernetes") / resource.as<std::string>()))
      objects.push_back(doc);
  return objects;
}

YAML::Node find_object(const std::string& kind, const std::string& name) {
  for (const YAML::Node& object : kubernetes_objects())
    if (object["kind"].as<std::string>() == kind && object["metadata"]["name"].as<std::string>() == name) return object;
  ADD_FAILURE() << "no " << kind << " named " << name << " in deploy/kubernetes";
  return YAML::Node();
}

std::map<std::string, std::string> env_values(const YAML::Node& container) {
  std::map<std::string, std::string> values;
  for (const auto& e : container["env"]) values[e["name"].as<std::string>()] = e["value"] ? e["value"].as<std::string>() : "";
  return values;
}

std::set<std::string> variables_in(const std::string& text) {
  std::set<std::string> names;
  std::regex name("BINDSCAN_[A-Z_]+");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it)
    names.insert(it->str());
  for (const char* cmake : {"BINDSCAN_VERSION", "BINDSCAN_TESTS", "BINDSCAN_WERROR", "BINDSCAN_SANITIZE"})
    names.erase(cmake);  // CMake options and macros, not variables of the service
  return names;
}

TEST(DeployFiles, EveryYamlFileParses) {
  std::vector<fs::path> files = yaml_files();
  EXPECT_GE(files.size(), 9u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    std::vector<YAML::Node> docs;
    ASSERT_NO_THROW(docs = load_all(file));
    ASSERT_FALSE(docs.empty());
    for (const YAML::Node& doc : docs) EXPECT_TRUE(doc.IsMap());
  }
}

TEST(Workflows, EveryActionIsPinnedToAFullVersionOrCommit) {
  std::regex pinned(R"(^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@(v[0-9]+\.[0-9]+\.[0-9]+|[0-9a-f]{40})$)");
  int checked = 0;
  for (const fs::path& file : yaml_files()) {
    if (file.parent_path() != ".github/workflows") continue;
    YAML::Node workflow = load(file);
    EXPECT_TRUE(workflow["on"]) << file << ": no `on:` triggers";
    for (const auto& job : workflow["jobs"]) {
      for (const auto& step : job.second["steps"]) {
        if (!step["uses"]) continue;
        std::string uses = step["uses"].as<std::string>();
        ++checked;
        EXPECT_TRUE(std::regex_match(uses, pinned) || uses.starts_with("./"))
            << file << ": `uses: " << uses << "` is not pinned to a full version tag (vX.Y.Z) or a commit SHA";
      }
    }
  }
  EXPECT_GE(checked, 5);
}

TEST(Workflows, CiBuildsTestsSmokesAndScansItself) {
  YAML::Node ci = load(".github/workflows/ci.yml");
  std::string text = read(".github/workflows/ci.yml");
  EXPECT_THAT(text, HasSubstr("scripts/dev build"));
  EXPECT_THAT(text, HasSubstr("ctest --test-dir build/"));
  EXPECT_THAT(text, HasSubstr("tests/container/smoke.sh"));
  // The repository's own CI entry point is the README's test command, which
  // ends with the smoke test (it skips, saying why, without an engine).
  EXPECT_THAT(read(".ci/run"), HasSubstr("exec scripts/dev test"));
  EXPECT_THAT(read("scripts/dev"), HasSubstr("tests/container/smoke.sh"));
  std::vector<std::string> builds;
  for (const auto& b : ci["jobs"]["test"]["strategy"]["matrix"]["build"]) builds.push_back(b.as<std::string>());
  EXPECT_THAT(builds, Contains("release"));
  EXPECT_THAT(builds, Contains("asan"));
  bool uploaded = false;
  for (const auto& step : ci["jobs"]["container"]["steps"])
    if (step["uses"] && step["uses"].as<std::string>().starts_with("github/codeql-action/upload-sarif@")) {
      EXPECT_EQ(step["with"]["category"].as<std::string>(), "bindscan-self");
      uploaded = true;
    }
  EXPECT_TRUE(uploaded) << "ci.yml uploads no SARIF";
  EXPECT_EQ(ci["jobs"]["container"]["permissions"]["security-events"].as<std::string>(), "write");
}

// A composite action: the image it runs comes from the action's own
// repository and version (action/run.sh; tests/deploy/action_test.cpp runs it).
TEST(Action, IsACompositeStepRunningTheOwnersImage) {
  YAML::Node action = load("action.yml");
  EXPECT_EQ(action["runs"]["using"].as<std::string>(), "composite");
  for (const char* input : {"paths", "root", "category", "output", "fail-on-findings", "image"})
    EXPECT_TRUE(action["inputs"][input]) << "action.yml has no input " << input;
  EXPECT_EQ(action["outputs"]["sarif"]["value"].as<std::string>(), "${{ steps.scan.outputs.sarif }}");
  YAML::Node step = action["runs"]["steps"][0];
  EXPECT_EQ(step["id"].as<std::string>(), "scan");
  EXPECT_THAT(step["run"].as<std::string>(), HasSubstr("$GITHUB_ACTION_PATH/action/run.sh"));
  for (const char* file : {"action.yml", "action/run.sh"})
    EXPECT_THAT(read(file), ::testing::Not(HasSubstr("ghcr.io/bindscan"))) << file << " names one owner's image";
  std::string script = read("action/run.sh");
  EXPECT_THAT(script, HasSubstr("--sarif-output"));
  EXPECT_THAT(script, HasSubstr("--user \"$user\""));
}

// Publishing: versions and moving major tags, both platforms, the owner's
// registry.
TEST(Workflows, ReleasePublishesBothPlatformsAndMovesTheMajorTag) {
  std::string release = read(".github/workflows/release.yml");
  for (const char* text : {"\"v$version\")", "\"v${version%%.*}\")", "linux/arm64", "linux/amd64",
                           "ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/bindscan", "docker buildx imagetools create",
                           "git push -f origin \"refs/tags/v${VERSION%%.*}\"", "--build-arg SOURCE="})
    EXPECT_THAT(release, HasSubstr(text));
  EXPECT_THAT(release, ::testing::Not(HasSubstr("ghcr.io/bindscan")));
  YAML::Node ci = load(".github/workflows/ci.yml");
  EXPECT_EQ(ci["jobs"]["container"]["permissions"]["actions"].as<std::string>(), "read");
  EXPECT_THAT(read("Dockerfile"), ::testing::Not(HasSubstr("github.com/bindscan"))) << "labels name one owner";
}

// The tag check of release.yml, run as the workflow runs it, for each kind of tag.
TEST(Workflows, ReleaseTagCheckAcceptsTheVersionAndItsMovingMajorTag) {
  YAML::Node check = load(".github/workflows/release.yml")["jobs"]["check"]["steps"][1];
  ASSERT_EQ(check["id"].as<std::string>(), "version");
  const fs::path dir = fs::temp_directory_path() / ("bindscan-release-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "check.sh") << check["run"].as<std::string>();
  const std::string version = BINDSCAN_VERSION;
  const std::string major = version.substr(0, version.find('.'));
  const std::string next_major = std::to_string(std::stoi(major) + 1);
  struct Case {
    std::string tag;
    int status;
    std::string output;
  };
  for (const Case& c : std::vector<Case>{{"v" + version, 0, "version=" + version + "\nrelease=true\n"},
                                         {"v" + major, 0, "version=" + version + "\nrelease=false\n"},
                                         {"v" + next_major, 1, "version=" + version + "\n"},
                                         {"v" + version + ".1", 1, "version=" + version + "\n"},
                                         {"latest", 1, "version=" + version + "\n"}}) {
    SCOPED_TRACE(c.tag);
    fs::remove(dir / "output");
    const std::string command = "cd '" + kRoot.string() + "' && GITHUB_REF_NAME='" + c.tag + "' GITHUB_OUTPUT='" +
                                (dir / "output").string() + "' bash -e '" + (dir / "check.sh").string() +
                                "' >/dev/null 2>&1";
    const int status = std::system(command.c_str());
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, c.status);
    EXPECT_EQ(read(dir / "output"), c.output);
  }
  fs::remove_all(dir);
}

TEST(Dockerfile, MatchesTheIssue) {
  std::string docker = read("Dockerfile");
  std::regex from(R"(^FROM debian:bookworm-slim)", std::regex::multiline);
  EXPECT_EQ(std::distance(std::sregex_iterator(docker.begin(), docker.end(), from), std::sregex_iterator()), 2);
  for (std::string line :
       {"ENTRYPOINT [\"bindscan\"]", "WORKDIR /src", "EXPOSE 8080", "USER 1001:1001",
        "CMD [\"bindscan\", \"healthcheck\"]", "sha512sum --strict -c tree-sitter-python.sha512",
        "scripts/dev build release", "org.opencontainers.image.source=", "org.opencontainers.image.version=",
        "org.opencontainers.image.licenses=", "ARG VERSION=" BINDSCAN_VERSION, "/usr/share/doc/bindscan/LICENSE",
        "/usr/share/doc/bindscan/third_party/tree-sitter-python/LICENSE"})
    EXPECT_THAT(docker, HasSubstr(line));
  for (const char* package : {"libtree-sitter0", "libgit2-1.5", "libssl3", "zlib1g", "libcpp-httplib0.11", "libpq5",
                              "libtomlplusplus3", "ca-certificates"})
    EXPECT_THAT(docker, HasSubstr(package));
  EXPECT_THAT(docker, ::testing::Not(HasSubstr("curl -"))) << "the Dockerfile must not download anything but packages";
  EXPECT_THAT(read(".dockerignore"), HasSubstr("build/"));
}

TEST(Kubernetes, KustomizationListsEveryManifest) {
  YAML::Node kustomization = load("deploy/kubernetes/kustomization.yaml");
  std::set<std::string> listed;
  for (const auto& r : kustomization["resources"]) listed.insert(r.as<std::string>());
  for (const auto& entry : fs::directory_iterator(kRoot / "deploy/kubernetes")) {
    std::string name = entry.path().filename().string();
    if (name != "kustomization.yaml" && entry.path().extension() == ".yaml") {
      EXPECT_TRUE(listed.contains(name)) << name << " is not in kustomization.yaml";
    }
  }
  for (const std::string& name : listed) EXPECT_TRUE(fs::exists(kRoot / "deploy/kubernetes" / name)) << name;
  EXPECT_EQ(kustomization["images"][0]["name"].as<std::string>() + ":" +
                kustomization["images"][0]["newTag"].as<std::string>(),
            kImage);
}

TEST(Kubernetes, StatefulSetIsHardenedProbedAndPersistent) {
  YAML::Node set = find_object("StatefulSet", "bindscan");
  ASSERT_TRUE(set);
  YAML::Node pod = set["spec"]["template"]["spec"];
  YAML::Node container = pod["containers"][0];
  EXPECT_EQ(container["image"].as<std::string>(), kImage);

  std::vector<std::string> args = container["args"].as<std::vector<std::string>>();
  ASSERT_GE(args.size(), 3u);
  EXPECT_EQ(args[0], "serve");
  EXPECT_EQ(args[1], "--listen");
  EXPECT_EQ(args[2], "0.0.0.0:" + std::to_string(kPort));
  EXPECT_EQ(container["ports"][0]["containerPort"].as<int>(), kPort);
  EXPECT_EQ(container["ports"][0]["name"].as<std::string>(), "http");

  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  for (const char* probe : {"readinessProbe", "livenessProbe"})
    EXPECT_EQ(container[probe]["httpGet"]["port"].as<std::string>(), "http");

  for (const char* kind : {"requests", "limits"})
    for (const char* resource : {"cpu", "memory"})
      EXPECT_TRUE(container["resources"][kind][resource]) << kind << "." << resource;

  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_EQ(pod["securityContext"]["runAsUser"].as<int>(), kUid);
  EXPECT_TRUE(container["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_TRUE(container["securityContext"]["readOnlyRootFilesystem"].as<bool>());
  EXPECT_FALSE(container["securityContext"]["allowPrivilegeEscalation"].as<bool>());

  // The data dir lives on the claim template, and secret files on Secret volumes.
  std::map<std::string, std::string> env = env_values(container);
  std::map<std::string, std::string> mounts;
  for (const auto& m : container["volumeMounts"]) mounts[m["name"].as<std::string>()] = m["mountPath"].as<std::string>();
  EXPECT_EQ(set["spec"]["volumeClaimTemplates"][0]["metadata"]["name"].as<std::string>(), "data");
  EXPECT_EQ(mounts["data"], env["BINDSCAN_DATA_DIR"]);
  std::set<std::string> secrets;
  for (const auto& v : pod["volumes"])
    if (v["secret"]) {
      secrets.insert(v["secret"]["secretName"].as<std::string>());
      std::string dir = mounts[v["name"].as<std::string>()];
      EXPECT_FALSE(dir.empty()) << v["name"] << " is not mounted";
    }
  EXPECT_EQ(secrets, (std::set<std::string>{"bindscan-github-app", "bindscan-webhook"}));
  EXPECT_TRUE(env["BINDSCAN_WEBHOOK_SECRET_FILE"].starts_with("/etc/bindscan/webhook/"));
  EXPECT_TRUE(env["BINDSCAN_APP_PRIVATE_KEY_FILE"].starts_with("/etc/bindscan/app/"));
  EXPECT_EQ(set["spec"]["serviceName"].as<std::string>(), "bindscan-headless");
}

TEST(Kubernetes, ServiceNetworkPolicyAndAutoscalerAgree) {
  EXPECT_EQ(find_object("Service", "bindscan")["spec"]["ports"][0]["targetPort"].as<std::string>(), "http");
  EXPECT_EQ(find_object("Service", "bindscan-headless")["spec"]["clusterIP"].as<std::string>(), "None");

  YAML::Node policy = find_object("NetworkPolicy", "bindscan");
  std::vector<std::string> types = policy["spec"]["policyTypes"].as<std::vector<std::string>>();
  EXPECT_THAT(types, Contains("Ingress"));
  EXPECT_THAT(types, Contains("Egress"));
  EXPECT_EQ(policy["spec"]["ingress"][0]["ports"][0]["port"].as<int>(), kPort);

  YAML::Node hpa = find_object("HorizontalPodAutoscaler", "bindscan");
  EXPECT_EQ(hpa["spec"]["scaleTargetRef"]["kind"].as<std::string>(), "StatefulSet");
  EXPECT_EQ(hpa["spec"]["scaleTargetRef"]["name"].as<std::string>(), "bindscan");
  EXPECT_LE(hpa["spec"]["minReplicas"].as<int>(), hpa["spec"]["maxReplicas"].as<int>());
}

TEST(Compose, RunsTheImageHardenedWithFileSecrets) {
  YAML::Node service = load("deploy/compose.yaml")["services"]["bindscan"];
  EXPECT_EQ(service["image"].as<std::string>(), kImage);
  // The address is set where the healthcheck reads it too, on the published
  // port.
  EXPECT_EQ(service["command"].as<std::vector<std::string>>(), (std::vector<std::string>{"serve"}));
  EXPECT_EQ(service["environment"]["BINDSCAN_LISTEN"].as<std::string>(), "0.0.0.0:" + std::to_string(kPort));
  EXPECT_THAT(service["ports"][0].as<std::string>(), ::testing::EndsWith(":" + std::to_string(kPort)));
  EXPECT_THAT(service["ports"][0].as<std::string>(), ::testing::StartsWith("127.0.0.1:"));
  EXPECT_TRUE(service["read_only"].as<bool>());
  EXPECT_EQ(service["user"].as<std::string>(), std::to_string(kUid) + ":" + std::to_string(kUid));
  EXPECT_EQ(service["healthcheck"]["test"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"CMD", "bindscan", "healthcheck"}));
  EXPECT_THAT(service["environment"]["BINDSCAN_WEBHOOK_SECRET_FILE"].as<std::string>(), HasSubstr("/run/secrets/"));
  // The header's commands and the README put the secrets where compose reads
  // them.
  const std::string header = read("deploy/compose.yaml");
  EXPECT_EQ(load("deploy/compose.yaml")["secrets"]["webhook-secret"]["file"].as<std::string>(),
            "./secrets/webhook-secret");
  EXPECT_THAT(header, HasSubstr("> deploy/secrets/webhook-secret"));
  EXPECT_THAT(read("README.md"), HasSubstr("> deploy/secrets/webhook-secret"));
}

TEST(Kubernetes, TheSharedVariantIsAStatelessDeploymentOnAUserProvidedDatabase) {
  YAML::Node kustomization = load("deploy/kubernetes/shared-postgres/kustomization.yaml");
  std::set<std::string> listed;
  for (const auto& r : kustomization["resources"]) listed.insert(r.as<std::string>());
  for (const auto& entry : fs::directory_iterator(kRoot / "deploy/kubernetes/shared-postgres")) {
    const std::string name = entry.path().filename().string();
    if (name != "kustomization.yaml") {
      EXPECT_TRUE(listed.contains(name)) << name << " is not in its kustomization";
    }
  }
  YAML::Node deployment = load("deploy/kubernetes/shared-postgres/deployment.yaml");
  EXPECT_EQ(deployment["kind"].as<std::string>(), "Deployment");
  const YAML::Node pod = deployment["spec"]["template"]["spec"];
  bool url_from_secret = false;
  for (const auto& env : pod["containers"][0]["env"]) {
    if (env["name"].as<std::string>() == "BINDSCAN_DATABASE_URL") {
      url_from_secret = env["valueFrom"]["secretKeyRef"]["name"].as<std::string>() == "bindscan-database";
    }
  }
  EXPECT_TRUE(url_from_secret) << "the connection string must come from a Secret";
  for (const auto& volume : pod["volumes"]) {
    EXPECT_FALSE(volume["persistentVolumeClaim"]) << "stateless: no claims";
  }
  EXPECT_EQ(load("deploy/kubernetes/shared-postgres/hpa.yaml")["spec"]["scaleTargetRef"]["kind"].as<std::string>(),
            "Deployment");
}

TEST(Compose, TheSharedProfileRunsPostgresTwoReplicasAndAProxy) {
  YAML::Node services = load("deploy/compose.yaml")["services"];
  for (const char* name : {"postgres", "bindscan-a", "bindscan-b", "proxy"}) {
    ASSERT_TRUE(services[name]) << name;
    EXPECT_EQ(services[name]["profiles"][0].as<std::string>(), "shared") << name;
  }
  EXPECT_FALSE(services["bindscan"]["profiles"]) << "the spool service stays the default";
  EXPECT_THAT(services["postgres"]["image"].as<std::string>(), ::testing::StartsWith("postgres:15"));
  EXPECT_THAT(services["proxy"]["ports"][0].as<std::string>(), ::testing::StartsWith("127.0.0.1:"));
  EXPECT_EQ(services["bindscan-a"]["image"].as<std::string>(), kImage);
}

TEST(Repository, ShipsTheMitLicenseTheImageLabelNames) {
  EXPECT_THAT(read("LICENSE"), ::testing::StartsWith("MIT License"));
  EXPECT_THAT(read("Dockerfile"), HasSubstr("ARG LICENSE=MIT"));
}

TEST(Docs, EveryCitedDocumentExists) {
  std::regex cited(R"(docs/[a-z0-9-]+\.md)");
  for (const char* file : {"README.md", "Dockerfile", "action.yml", "deploy/compose.yaml", "deploy/kubernetes/hpa.yaml",
                           "deploy/kubernetes/statefulset.yaml", "deploy/kubernetes/kustomization.yaml",
                           "docs/github-action.md", "docs/deploy.md"}) {
    const std::string text = read(file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), cited); it != std::sregex_iterator(); ++it)
      EXPECT_TRUE(fs::exists(kRoot / it->str())) << file << " cites " << it->str() << ", which does not exist";
  }
}

TEST(Systemd, UnitIsHardened) {
  std::string unit = read("deploy/systemd/bindscan.service");
  for (const char* line : {"DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=bindscan", "NoNewPrivileges=yes",
                           "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n",
                           "ExecStart=/usr/local/bin/bindscan serve", "Environment=BINDSCAN_LISTEN=127.0.0.1:8080"})
    EXPECT_THAT(unit, HasSubstr(line));
}

TEST(DeployFiles, UseOnlyVariablesTheServiceKnows) {
  // The names `bindscan serve` reads, from its configuration parser.
  std::set<std::string> known = variables_in(read("webhook/config.cpp"));
  ASSERT_TRUE(known.contains("BINDSCAN_WEBHOOK_SECRET_FILE"));
  for (const char* file : {"deploy/kubernetes/statefulset.yaml", "deploy/kubernetes/shared-postgres/deployment.yaml",
                           "deploy/compose.yaml", "deploy/systemd/bindscan.service", "Dockerfile"})
    for (const std::string& name : variables_in(read(file)))
      EXPECT_TRUE(known.contains(name)) << file << " sets " << name << ", which `bindscan serve` does not read";
}

#ifdef BINDSCAN_HAVE_SERVE_CONFIG
TEST(DeployFiles, PortMatchesTheServiceDefault) {
  EXPECT_EQ(webhook::ServeConfig{}.listen_port, kPort);
}
#endif

TEST(GitHubAppManifest, AsksForExactlyWhatBindscanNeeds) {
  nlohmann::json manifest = nlohmann::json::parse(read("deploy/github-app-manifest.json"));
  EXPECT_EQ(manifest["default_permissions"],
            (nlohmann::json{{"contents", "read"}, {"metadata", "read"}, {"security_events", "write"}}));
  std::set<std::string> events = manifest["default_events"].get<std::set<std::string>>();
  EXPECT_EQ(events, (std::set<std::string>{"pull_request", "push"}));
  EXPECT_THAT(manifest["hook_attributes"]["url"].get<std::string>(), ::testing::EndsWith("/webhook"));
}

}  // namespace
}  // namespace bindscan
