// The binary runs scan without the service libraries and loads
// bindscan-service.so for the service commands (cli/service_module.h).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Outcome run(const std::string& command) {
  Outcome outcome;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return outcome;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) outcome.output.append(buffer, n);
  int status = ::pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

TEST(ServiceModule, ServiceCommandsRunFromTheModuleNextToTheBinary) {
  ASSERT_TRUE(fs::exists(fs::path(BINDSCAN_BINARY).parent_path() / "bindscan-service.so"));
  Outcome help = run(std::string(BINDSCAN_BINARY) + " healthcheck --help");
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_NE(help.output.find("usage: bindscan healthcheck"), std::string::npos) << help.output;
  Outcome typo = run(std::string(BINDSCAN_BINARY) + " upload --no-such-option");
  EXPECT_EQ(typo.exit_code, 2) << typo.output;
  EXPECT_NE(typo.output.find("unknown option '--no-such-option'"), std::string::npos) << typo.output;
}

TEST(ServiceModule, TheBinaryDoesNotLoadTheServiceLibraries) {
  Outcome libraries = run("ldd " + std::string(BINDSCAN_BINARY));
  ASSERT_EQ(libraries.exit_code, 0) << libraries.output;
  for (const char* library : {"libgit2", "libssl", "libcrypto", "libcpp-httplib"})
    EXPECT_EQ(libraries.output.find(library), std::string::npos) << library << " in\n" << libraries.output;
}

TEST(ServiceModule, WithoutTheModuleScanWorksAndServiceCommandsSayWhatIsMissing) {
  fs::path dir = fs::temp_directory_path() / ("bindscan-lonely-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(BINDSCAN_BINARY, dir / "bindscan", fs::copy_options::overwrite_existing);
  std::FILE* file = std::fopen((dir / "app.py").c_str(), "w");
  ASSERT_NE(file, nullptr);
  std::fputs("import socketserver\nsocketserver.TCPServer(('', 80), None)\n", file);
  std::fclose(file);

  Outcome scan = run((dir / "bindscan").string() + " scan " + (dir / "app.py").string());
  EXPECT_EQ(scan.exit_code, 1) << scan.output;  // one finding
  EXPECT_NE(scan.output.find("app.py:2:"), std::string::npos) << scan.output;

  Outcome serve = run((dir / "bindscan").string() + " serve");
  EXPECT_EQ(serve.exit_code, 2) << serve.output;
  EXPECT_NE(serve.output.find("bindscan serve: the service module bindscan-service.so was not found in " +
                              dir.string()),
            std::string::npos)
      << serve.output;
  fs::remove_all(dir);
}

}  // namespace
