#include "tests/support/run_kcsim.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace kcsim::test {
namespace {

std::filesystem::path temp_dir() {
  static std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "kcsim-test-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    return std::filesystem::path(made ? made : "/tmp");
  }();
  return dir;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

CommandResult run_kcsim(const std::string& arguments) {
  static int counter = 0;
  auto base = temp_dir() / ("cmd" + std::to_string(counter++));
  std::string out_path = base.string() + ".out", err_path = base.string() + ".err";
  std::string command = std::string("KCSIM_CONFIG_DIR='") + KCSIM_SOURCE_DIR + "/configs' '" +
                        KCSIM_BINARY + "' " + arguments + " >'" + out_path + "' 2>'" + err_path +
                        "' </dev/null";
  int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  return result;
}

std::string write_temp_file(const std::string& name, const std::string& text) {
  auto path = temp_dir() / name;
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace kcsim::test
