// Reading and writing Chakra execution traces: one file per rank, PREFIX.RANK.et, each a stream
// of length-delimited messages (a GlobalMetadata, then Nodes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "chakra_et.pb.h"

namespace kcsim {

// A COMP node's time in nanoseconds, which kcsim writes beside the whole microseconds of
// `duration_micros` and reads first, so that its own traces replay without rounding.
inline constexpr const char* kDurationNsAttribute = "kcsim_duration_ns";

// The number of ranks a trace was written for, in each rank's GlobalMetadata; kcsim writes it
// and checks it, so a prefix that mixes the files of two traces is refused.
inline constexpr const char* kWorldSizeAttribute = "world_size";

// The largest rank file kcsim reads.
inline constexpr std::uintmax_t kMaxChakraFileBytes = 1ull << 30;

struct ChakraTrace {
  int rank = 0;
  std::string file;
  chakra::GlobalMetadata metadata;
  std::vector<chakra::Node> nodes;  // in file order
};

// Reads one rank's file and checks its graph (see check_chakra_graph). Throws InputError naming
// the file, the rank and, where it applies, the node id.
ChakraTrace read_chakra_file(const std::filesystem::path& file, int rank);

// Reads PREFIX.0.et, PREFIX.1.et, ... up to the first rank with no file. Throws InputError
// when PREFIX.0.et does not exist, when a rank's file is missing below one that exists, or when
// a file's world size (kWorldSizeAttribute, where given) is not the number of rank files.
std::vector<ChakraTrace> read_chakra_traces(const std::string& prefix);

// Removes PREFIX.RANK.et for every RANK >= `ranks` (what a larger trace written to the same
// prefix before left behind); returns the files removed.
std::vector<std::string> remove_chakra_ranks_from(const std::string& prefix, int ranks);

// Rejects a node type outside the schema, a duplicate node id, a dependency on a node the
// rank does not have, and a dependency cycle.
void check_chakra_graph(const ChakraTrace& trace);

// Writes one rank's file (temporary name, then rename).
void write_chakra_file(const std::filesystem::path& file, const chakra::GlobalMetadata& metadata,
                       const std::vector<chakra::Node>& nodes);

// An attribute's value by name, from whichever integer (or bool) field carries it.
std::optional<int64_t> chakra_int_attribute(const chakra::Node& node, const std::string& name);
std::optional<int64_t> chakra_world_size(const chakra::GlobalMetadata& metadata);
std::optional<std::string> chakra_string_attribute(const chakra::Node& node,
                                                   const std::string& name);
// A bool list attribute (such as `involved_dim`); nullopt when the node has none.
std::optional<std::vector<bool>> chakra_bool_list_attribute(const chakra::Node& node,
                                                            const std::string& name);

}  // namespace kcsim
