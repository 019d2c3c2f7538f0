// The catalog reads each entry once per process and again when a file it came from changes: a
// chip, the base chip a variant names, the cluster a pool names.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "configs/loader/catalog.hpp"
#include "tests/analysis/scratch_folder.hpp"

namespace fs = std::filesystem;
using kcsim::config::Catalog;

namespace {

const fs::path kConfigs = KCSIM_SOURCE_DIR "/configs";

// A copy of the shipped catalog's chips and clusters in a fresh folder.
struct CatalogCopy {
  kcsim::test::ScratchFolder folder;
  CatalogCopy() {
    for (const char* sub : {"chips", "clusters"}) {
      fs::copy(kConfigs / sub, folder.path() / sub, fs::copy_options::recursive);
    }
  }
  fs::path root() const { return folder.path(); }

  // Replaces `from` by `to` in a catalog file and moves its time on, as an editor's save would.
  void edit(const std::string& file, const std::string& from, const std::string& to) const {
    fs::path path = root() / file;
    std::string text = kcsim::test::read_file(path);
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    auto time = fs::last_write_time(path);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    fs::last_write_time(path, time + std::chrono::seconds(1));
  }
};

}  // namespace

TEST_CASE("the shared catalog reads an entry once while its files stay as they were",
          "[configs][catalog]") {
  CatalogCopy copy;
  auto first = Catalog::shared(copy.root()).chip_entry("a100-40g");
  auto again = Catalog::shared(copy.root()).chip_entry("a100-40g");
  CHECK(first == again);  // the same entry, not a second read
  // Another root is another catalog.
  CatalogCopy other;
  CHECK(Catalog::shared(other.root()).chip_entry("a100-40g") != first);
}

TEST_CASE("a changed chip file, or a changed base chip, is read again", "[configs][catalog]") {
  CatalogCopy copy;
  auto before = Catalog::shared(copy.root()).chip("a100-40g");
  CHECK(before.memory().capacity_gib() == 40);

  copy.edit("chips/a100-40g.textproto", "capacity_gib: 40", "capacity_gib: 48");
  auto edited = Catalog::shared(copy.root()).chip("a100-40g");
  CHECK(edited.memory().capacity_gib() == 48);

  // The variant takes its TDP from its base: an edit there reaches it.
  double tdp = edited.power().tdp_w();
  std::string base_text = kcsim::test::read_file(copy.root() / "chips/a100-80g.textproto");
  std::string tdp_line = "tdp_w: " + std::to_string(static_cast<int>(tdp));
  REQUIRE(base_text.find(tdp_line) != std::string::npos);
  copy.edit("chips/a100-80g.textproto", tdp_line, "tdp_w: 350");
  CHECK(Catalog::shared(copy.root()).chip("a100-40g").power().tdp_w() == 350);
  CHECK(Catalog::shared(copy.root()).chip_root("a100-40g") == "a100-80g");

  // A file that goes away is missed, not served from memory.
  fs::remove(copy.root() / "chips/a100-40g.textproto");
  CHECK_THROWS_AS(Catalog::shared(copy.root()).chip("a100-40g"), kcsim::InputError);
}

TEST_CASE("a pool's cluster is read again when its file or the server it names changes",
          "[configs][catalog][pools]") {
  CatalogCopy copy;
  auto pool = Catalog::shared(copy.root()).cluster("kcloud-mixed:rngd");
  CHECK(pool.node().chip() == "rngd");
  CHECK(pool.nodes() == 64);
  CHECK(pool.scale_out().nic_bandwidth_gbit_per_s() == 100);

  copy.edit("clusters/kcloud-mixed.textproto", "nodes: 64", "nodes: 65");
  CHECK(Catalog::shared(copy.root()).cluster("kcloud-mixed:rngd").nodes() == 65);

  // The pool's server (its NIC rate) comes from the rngd-server entry.
  copy.edit("clusters/rngd-server.textproto", "nic_bandwidth_gbit_per_s: 100",
            "nic_bandwidth_gbit_per_s: 200");
  CHECK(Catalog::shared(copy.root())
            .cluster("kcloud-mixed:rngd")
            .scale_out()
            .nic_bandwidth_gbit_per_s() == 200);
}

TEST_CASE("a file added to a catalog folder is listed, and a removed one is not",
          "[configs][catalog]") {
  CatalogCopy copy;
  auto names = [&] { return Catalog::shared(copy.root()).names("chips"); };
  auto has = [](const std::vector<std::string>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  CHECK_FALSE(has(names(), "a100-48g"));
  CHECK(Catalog::shared(copy.root()).cluster_of_chip("rngd")->name() == "rngd-server");
  fs::copy_file(copy.root() / "chips/a100-40g.textproto", copy.root() / "chips/a100-48g.textproto");
  CHECK(has(names(), "a100-48g"));
  fs::remove(copy.root() / "chips/a100-48g.textproto");
  CHECK_FALSE(has(names(), "a100-48g"));
  CHECK_FALSE(Catalog::shared(copy.root()).cluster_of_chip("no-such-chip"));
}

TEST_CASE("a fixed catalog keeps what it read, as a sweep's points need", "[configs][catalog]") {
  CatalogCopy copy;
  Catalog fixed = Catalog::shared(copy.root()).fixed();
  CHECK(fixed.chip("a100-40g").memory().capacity_gib() == 40);
  copy.edit("chips/a100-40g.textproto", "capacity_gib: 40", "capacity_gib: 48");
  CHECK(fixed.chip("a100-40g").memory().capacity_gib() == 40);
  // The catalog it was made from still checks, and what it reads again the fixed copy shares.
  CHECK(Catalog::shared(copy.root()).chip("a100-40g").memory().capacity_gib() == 48);
  CHECK(fixed.chip("a100-40g").memory().capacity_gib() == 48);
}

TEST_CASE("a fixed catalog starts from the files as they are, not from a stale cache",
          "[configs][catalog]") {
  // A notebook reads a chip, edits its file, then sweeps: the sweep's points see the edit.
  CatalogCopy copy;
  CHECK(Catalog::shared(copy.root()).chip("a100-40g").memory().capacity_gib() == 40);
  copy.edit("chips/a100-40g.textproto", "capacity_gib: 40", "capacity_gib: 48");
  Catalog fixed = Catalog::shared(copy.root()).fixed();
  CHECK(fixed.chip("a100-40g").memory().capacity_gib() == 48);
}
