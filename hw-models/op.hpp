// A unit of work a chip executes: FLOPs, bytes, and the shape that sets its efficiency.
#pragma once

#include <string>

namespace kcsim {

enum class OpKind {
  Gemm,       // dense matrix multiply (weights x activations); m x n x k set
  AttnGemm,   // activation x activation batched multiply inside attention; m, n, k, batch set
  Vector,     // element-wise, norms, softmax, rotary, residual adds, loss: memory bound mostly
  Embedding,  // table lookup: bytes only
};

struct Op {
  std::string name;  // "qkv", "attn_score", "attn_softmax", "attn_context", "proj", "mlp_up", ...
  OpKind kind = OpKind::Vector;
  double flops = 0;  // floating-point operations (a multiply-add counts 2)
  double bytes = 0;  // bytes read plus written in device memory
  // GEMM shape: output m x n, inner dimension k; batch independent products of that shape.
  double m = 0, n = 0, k = 0, batch = 1;
  // Runs inside the kernel of the op before it (fused attention): no launch of its own.
  bool fused = false;
};

}  // namespace kcsim
