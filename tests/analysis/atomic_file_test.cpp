#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "configs/loader/errors.hpp"
#include "configs/loader/output_files.hpp"
#include "scratch_folder.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::read_file;
using kcsim::test::ScratchFolder;

TEST_CASE("an atomic write leaves only the finished file", "[analysis][atomic_file]") {
  ScratchFolder folder;
  auto path = folder.path() / "out.json";
  kcsim::write_file_atomically(path, [](std::ostream& out) { out << "first"; });
  kcsim::write_file_atomically(path, [](std::ostream& out) { out << "second"; });
  CHECK(read_file(path) == "second");
  CHECK(folder.entries() == std::vector<std::string>{"out.json"});
}

TEST_CASE("a write that fails midway leaves the earlier file as it was",
          "[analysis][atomic_file]") {
  ScratchFolder folder;
  auto path = folder.path() / "out.json";
  kcsim::write_file_atomically(path, [](std::ostream& out) { out << "kept"; });
  CHECK_THROWS_AS(kcsim::write_file_atomically(path,
                                               [](std::ostream& out) {
                                                 out << "half";
                                                 throw std::runtime_error("interrupted");
                                               }),
                  std::runtime_error);
  CHECK(read_file(path) == "kept");
  CHECK(folder.entries() == std::vector<std::string>{"out.json"});
}

TEST_CASE("a path that cannot be written is an InputError naming it", "[analysis][atomic_file]") {
  ScratchFolder folder;
  auto missing = folder.path() / "no-such-folder" / "out.json";
  try {
    kcsim::write_file_atomically(missing, [](std::ostream& out) { out << "x"; });
    FAIL("expected an InputError");
  } catch (const kcsim::InputError& e) {
    CHECK_THAT(e.what(), ContainsSubstring(missing.string()));
  }
  CHECK(folder.entries().empty());

  // A folder where the file should go: the rename fails and the temporary is removed.
  std::filesystem::create_directory(folder.path() / "taken");
  CHECK_THROWS_AS(
      kcsim::write_file_atomically(folder.path() / "taken", [](std::ostream& out) { out << "x"; }),
      kcsim::InputError);
  CHECK(folder.entries() == std::vector<std::string>{"taken"});
}

TEST_CASE("outputs are checked before anything is written", "[analysis][atomic_file]") {
  ScratchFolder folder;
  auto input = folder.path() / "in.textproto";
  std::ofstream(input) << "x";
  std::filesystem::create_directory(folder.path() / "taken");
  auto message = [&](const std::vector<kcsim::OutputPath>& outputs) -> std::string {
    try {
      kcsim::check_outputs(outputs, {input});
    } catch (const kcsim::InputError& e) {
      return e.what();
    }
    return "";
  };
  auto out = folder.path() / "out.h5";
  CHECK(message({{out, "--out"}}).empty());
  CHECK_THAT(message({{folder.path() / "taken", "--out"}}),
             ContainsSubstring("--out: " + (folder.path() / "taken").string() + ": is a folder"));
  CHECK_THAT(message({{input, "--out"}}), ContainsSubstring("is also an input"));
  // The same file by another spelling, or through a link.
  CHECK_THAT(message({{folder.path() / "taken" / ".." / "in.textproto", "-o"}}),
             ContainsSubstring("-o: "));
  std::filesystem::create_symlink(input, folder.path() / "link");
  CHECK_THAT(message({{folder.path() / "link", "-o"}}), ContainsSubstring("is also an input"));
  CHECK_THAT(message({{out, "--out"}, {folder.path() / "." / "out.h5", "--csv"}}),
             ContainsSubstring("--csv: "));
  CHECK_THAT(message({{folder.path() / "none" / "out.h5", "--out"}}),
             ContainsSubstring("does not exist"));
  CHECK_THAT(message({{folder.path() / "", "--out"}}), ContainsSubstring("names no file"));
  CHECK(folder.entries() == std::vector<std::string>{"in.textproto", "link", "taken"});
}

TEST_CASE("a write names its flag, and a link is written through", "[analysis][atomic_file]") {
  ScratchFolder folder;
  std::filesystem::create_directory(folder.path() / "taken");
  try {
    kcsim::write_file_atomically({folder.path() / "taken", "--csv"},
                                 [](std::ostream& out) { out << "x"; });
    FAIL("expected an InputError");
  } catch (const kcsim::InputError& e) {
    CHECK_THAT(e.what(), ContainsSubstring("--csv: "));
  }
  auto target = folder.path() / "target.csv";
  std::ofstream(target) << "old";
  std::filesystem::create_symlink(target, folder.path() / "link.csv");
  kcsim::write_file_atomically(folder.path() / "link.csv", [](std::ostream& out) { out << "new"; });
  CHECK(std::filesystem::is_symlink(folder.path() / "link.csv"));
  CHECK(read_file(target) == "new");
  CHECK(folder.entries() == std::vector<std::string>{"link.csv", "taken", "target.csv"});
}

TEST_CASE("temporaries of processes that are gone are removed", "[analysis][atomic_file]") {
  ScratchFolder folder;
  auto out = folder.path() / "out.h5";
  pid_t gone = fork();
  REQUIRE(gone >= 0);
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  std::string alive = "out.h5.tmp-" + std::to_string(getpid());
  for (const auto& name : {"out.h5.tmp-" + std::to_string(gone), alive, std::string("out.h5.tmp-x"),
                           std::string("other.h5.tmp-1")}) {
    std::ofstream(folder.path() / name) << "half";
  }
  auto removed = kcsim::remove_stale_temporaries(out);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].filename() == "out.h5.tmp-" + std::to_string(gone));
  CHECK(folder.entries() == std::vector<std::string>{"other.h5.tmp-1", alive, "out.h5.tmp-x"});
}
