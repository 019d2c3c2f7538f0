// The vocabulary of collectives: their kinds, the shape of a stage over n members, and how the
// communication library cuts a ring's buffer into loops.
#pragma once

namespace kcsim {

enum class Collective { AllReduce, ReduceScatter, AllGather, AllToAll, Broadcast, SendRecv };

const char* collective_name(Collective kind);

// A collective stage over n devices as flows between neighbours: how many latency steps it
// takes and which multiple of the buffer each device sends (and receives).
struct RingShape {
  double steps = 0;
  double volume = 0;
};
// A ring: AllReduce 2(n-1) steps, 2(n-1)/n of the bytes; ReduceScatter and AllGather n-1 steps,
// (n-1)/n of the (full-size) bytes; AllToAll n-1 steps, (n-1)/n; Broadcast n-1 steps, all bytes
// (pipelined); SendRecv one step, all bytes (collective_algorithms/ring.cpp).
RingShape ring_shape(Collective kind, int n);
// NCCL's double binary tree all-reduce: 2 ceil(log2 n) steps, each device sending and receiving
// the buffer up and down once, pipelined (collective_algorithms/double_binary_tree.cpp).
RingShape tree_shape(int n);
// Rabenseifner's recursive halving (reduce-scatter) then doubling (all-gather) all-reduce
// (collective_algorithms/halving_doubling.cpp).
RingShape halving_doubling_shape(int n);

// How the communication library cuts a ring's buffer, the way NCCL runs its rings: `channels`
// rings side by side, each carrying its share of the buffer in loops, and a loop moves one
// `chunk_bytes` piece per member through every step of the ring before the next loop starts. A
// buffer larger than channels x members x chunk takes several loops, and each loop pays the
// ring's latency steps again (the bytes are the same). NCCL's defaults: its Simple protocol's
// 4 MiB buffer in 8 steps, 4 steps to a chunk (2 MiB); 24 channels, what NCCL opens on an
// 8-GPU NVSwitch server (NVIDIA/nccl-tests issue 100, an HGX A100's "Channel 23/24" log).
struct CollectiveProtocol {
  double chunk_bytes = 2.0 * 1024 * 1024;
  int channels = 24;
};
// Loops of a ring of `members` over a buffer of `bytes` (all-reduce, reduce-scatter and
// all-gather rings; 1 for the rest, and for trees, whose chunks stream through the tree).
int ring_loops(Collective kind, double bytes, int members, const CollectiveProtocol& protocol);

}  // namespace kcsim
