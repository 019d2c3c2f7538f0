#include "sim/cli/json_output.hpp"

#include <utility>

namespace kcsim::cli {
namespace {

thread_local Json* capture = nullptr;

}  // namespace

void print_json(std::ostream& out, Json json) {
  if (capture) {
    *capture = std::move(json);
  } else {
    out << dump(json);
  }
}

JsonCapture::JsonCapture(Json* into) : previous_(capture) { capture = into; }

JsonCapture::~JsonCapture() { capture = previous_; }

}  // namespace kcsim::cli
