#include "configs/loader/dtype.hpp"

#include <algorithm>
#include <cctype>

namespace kcsim {

std::string dtype_name(Dtype dtype) {
  std::string name = config::Dtype_Name(dtype);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

std::optional<Dtype> parse_dtype(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  Dtype dtype;
  if (!config::Dtype_Parse(upper, &dtype) || dtype == config::DTYPE_UNSPECIFIED) {
    return std::nullopt;
  }
  return dtype;
}

double dtype_bytes(Dtype dtype) {
  switch (dtype) {
    case config::FP32:
    case config::TF32:
      return 4;
    case config::BF16:
    case config::FP16:
      return 2;
    case config::FP8:
    case config::INT8:
      return 1;
    case config::INT4:
      return 0.5;
    default:
      return 2;
  }
}

}  // namespace kcsim
