// Structure-aware mutators for the fuzz targets (fuzz_mutator.cpp): each reads an input as
// kcsim does, changes it where it matters, and writes it back to `out`; false when the input
// does not read, which leaves it to libFuzzer's own mutations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace kcsim::fuzz {

using Rng = std::minstd_rand;

// Config text, read as the first kind of file kcsim reads that accepts it.
bool mutate_text(const std::string& input, Rng& rng, std::string* out);
// A request trace: rows of cells.
bool mutate_csv(const std::string& input, Rng& rng, std::string* out);
// Chakra traces: each rank's messages (see kRankSeparator in fuzz_inputs.hpp).
bool mutate_chakra(const std::string& input, Rng& rng, std::string* out);

// LLVMFuzzerCustomMutator's work: `mutate` three times in four, libFuzzer's mutations otherwise
// and whenever `mutate` fails or the result is longer than `max_size`.
size_t custom_mutate(bool (*mutate)(const std::string&, Rng&, std::string*), uint8_t* data,
                     size_t size, size_t max_size, unsigned int seed);

}  // namespace kcsim::fuzz
