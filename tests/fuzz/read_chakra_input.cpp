// Chakra execution traces as `kcsim replay PREFIX` reads them.
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "tests/fuzz/fuzz_inputs.hpp"
#include "workloads/chakra_groups.hpp"
#include "workloads/chakra_trace.hpp"

namespace kcsim::fuzz {

void read_chakra(std::string_view bytes) {
  std::vector<std::string_view> ranks;
  while (static_cast<int>(ranks.size()) + 1 < kMaxRanks) {
    auto at = bytes.find(kRankSeparator);
    if (at == std::string_view::npos) break;
    ranks.push_back(bytes.substr(0, at));
    bytes.remove_prefix(at + kRankSeparator.size());
  }
  ranks.push_back(bytes);
  const auto folder = scratch_folder() / "chakra";
  std::filesystem::create_directories(folder);
  const std::string prefix = (folder / "t").string();
  for (int rank = 0; rank < kMaxRanks; ++rank) {
    std::filesystem::path file = fmt::format("{}.{}.et", prefix, rank);
    if (rank < static_cast<int>(ranks.size())) {
      write_file(file, ranks[static_cast<size_t>(rank)]);
    } else {
      std::error_code error;
      std::filesystem::remove(file, error);  // a rank of the input before
    }
  }
  std::vector<ChakraTrace> traces = read_chakra_traces(prefix);
  // Servers of 8 under one leaf switch (the sample's network), and of 2 with one per leaf.
  resolve_chakra_groups(traces, 8);
  resolve_chakra_groups(traces, 2, 1);
}

}  // namespace kcsim::fuzz
