// One libFuzzer target: the entry point named by KCSIM_FUZZ_ENTRY, with the mutator named by
// KCSIM_FUZZ_MUTATOR (tests/fuzz/CMakeLists.txt builds one executable per entry point;
// scripts/fuzz.sh runs them). Input that kcsim rejects with InputError or InfeasibleError is a
// clean outcome; any other exception aborts, so that libFuzzer reports it and keeps the input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include <google/protobuf/stubs/logging.h>

#include "configs/loader/errors.hpp"
#include "tests/fuzz/fuzz_inputs.hpp"
#include "tests/fuzz/fuzz_mutator.hpp"

namespace {

// KCSIM_FUZZ_VERBOSE=1 prints each input's outcome: build-fuzz/bin/fuzz_TARGET FILE... replays
// files and says why kcsim rejects them.
const bool verbose = [] {
  const char* flag = std::getenv("KCSIM_FUZZ_VERBOSE");
  return flag && *flag && *flag != '0';
}();

}  // namespace

// protobuf logs each string field of bad UTF-8 it meets in a Chakra trace (then the read fails,
// an InputError): thousands of lines a second here, so only replays with KCSIM_FUZZ_VERBOSE
// show them. Fatal errors still throw, and abort below.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (!verbose) google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    kcsim::fuzz::KCSIM_FUZZ_ENTRY(bytes);
    if (verbose) std::fprintf(stderr, "kcsim fuzz: accepted\n");
  } catch (const kcsim::InputError& e) {
    if (verbose) std::fprintf(stderr, "kcsim fuzz: input error (exit 2): %s\n", e.what());
  } catch (const kcsim::InfeasibleError& e) {
    if (verbose) std::fprintf(stderr, "kcsim fuzz: infeasible (exit 3): %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kcsim fuzz: unexpected exception (exit 1 in kcsim): %s\n", e.what());
    std::abort();
  }
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return kcsim::fuzz::custom_mutate(kcsim::fuzz::KCSIM_FUZZ_MUTATOR, data, size, max_size, seed);
}
