#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/atomic_file.hpp"
#include "configs/loader/errors.hpp"
#include "scratch_folder.hpp"

using Catch::Matchers::ContainsSubstring;
using kcsim::test::ScratchFolder;
using kcsim::test::read_file;

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
  CHECK_THROWS_AS(kcsim::write_file_atomically(folder.path() / "taken",
                                               [](std::ostream& out) { out << "x"; }),
                  kcsim::InputError);
  CHECK(folder.entries() == std::vector<std::string>{"taken"});
}
