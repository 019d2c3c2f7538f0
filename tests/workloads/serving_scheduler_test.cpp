// The paged KV cache, the batching policies and the routers, driven without an engine: every
// iteration takes one time unit.
#include <algorithm>
#include <memory>
#include <numeric>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "configs/loader/name_lists.hpp"
#include "workloads/serving/replica_scheduler.hpp"
#include "workloads/serving/router.hpp"

using namespace kcsim::serving;

TEST_CASE("the KV block manager grows, refuses past capacity and frees", "[serving][kv]") {
  KvBlockManager kv(10, 16, true);
  CHECK(kv.blocks_for(1) == 1);
  CHECK(kv.blocks_for(16) == 1);
  CHECK(kv.blocks_for(17) == 2);
  REQUIRE(kv.grow(0, 100));  // 7 blocks
  CHECK(kv.used_blocks() == 7);
  CHECK(kv.grow(0, 112));  // still 7
  CHECK(kv.used_blocks() == 7);
  CHECK_FALSE(kv.grow(1, 64));  // 4 blocks, 3 free: refused, nothing changes
  CHECK(kv.used_blocks() == 7);
  CHECK(kv.held(1) == 0);
  REQUIRE(kv.grow(1, 48));
  CHECK(kv.free_blocks() == 0);
  kv.release(0);
  CHECK(kv.used_blocks() == 3);
  CHECK(kv.peak_used_blocks() == 10);
  kv.release(1);
  CHECK(kv.used_blocks() == 0);
}

namespace {

struct Run {
  std::vector<SequenceState> seqs;
  std::vector<Batch> batches;
  std::vector<double> done_at;
  int64_t preemptions = 0;
  int64_t peak_blocks = 0;
};

// Every request arrives at time 0; each iteration lasts 1.
Run drive(const SchedulerConfig& config, int64_t blocks, int64_t block_tokens,
          const std::vector<std::pair<int64_t, int64_t>>& lengths, int max_iterations = 100000) {
  Run run;
  for (auto [in, out] : lengths) {
    SequenceState s;
    s.input_tokens = in;
    s.output_tokens = out;
    run.seqs.push_back(s);
  }
  ReplicaScheduler scheduler(config, KvBlockManager(blocks, block_tokens, true), run.seqs);
  for (size_t i = 0; i < lengths.size(); ++i) {
    REQUIRE(scheduler.can_ever_hold(static_cast<int64_t>(i)));
    scheduler.enqueue(static_cast<int64_t>(i));
  }
  std::vector<int64_t> finished, handed;
  double now = 0;
  while (scheduler.has_work() && max_iterations-- > 0) {
    run.batches.push_back(scheduler.next_batch());
    REQUIRE(scheduler.kv().used_blocks() <= blocks);
    run.peak_blocks = std::max(run.peak_blocks, scheduler.kv().used_blocks());
    now += 1;
    scheduler.complete(now, finished, handed);
  }
  REQUIRE_FALSE(scheduler.has_work());
  CHECK(scheduler.kv().used_blocks() == 0);  // every block came back
  CHECK(scheduler.outstanding_tokens() == 0);
  run.preemptions = scheduler.preemptions();
  return run;
}

}  // namespace

TEST_CASE("continuous batching prefills, then decodes everyone, and finishes every request",
          "[serving][scheduler]") {
  SchedulerConfig config;
  config.policy = "continuous";
  auto run = drive(config, 1000, 16, {{100, 3}, {50, 5}});
  // One prefill iteration for both, then 4 decode steps (the longer needs 4 more tokens).
  REQUIRE(run.batches.size() == 5);
  CHECK(run.batches[0].prefill_tokens == 150);
  CHECK(run.batches[1].decode_sequences == 2);
  CHECK(run.batches[1].decode_context_sum == 101 + 51);
  CHECK(run.batches[4].decode_sequences == 1);
  CHECK(run.seqs[0].first_token_s == 1);
  CHECK(run.seqs[0].finish_s == 3);
  CHECK(run.seqs[1].finish_s == 5);
  CHECK(run.seqs[1].generated == 5);
  CHECK(run.preemptions == 0);
}

TEST_CASE("continuous batching preempts the youngest when blocks run out and recomputes it",
          "[serving][scheduler]") {
  SchedulerConfig config;
  config.policy = "continuous";
  // 4 blocks of 4 tokens: two 4-token prompts fit, but not both grown past 8 tokens.
  auto run = drive(config, 4, 4, {{4, 8}, {4, 8}});
  CHECK(run.preemptions >= 1);
  CHECK(run.seqs[1].preemptions >= 1);
  CHECK(run.seqs[0].preemptions == 0);
  for (const auto& s : run.seqs) {
    CHECK(s.generated == 8);
    CHECK(s.finish_s > 0);
  }
  // The recompute prefill covers the prompt plus what had been generated.
  bool recomputed = std::any_of(run.batches.begin(), run.batches.end(),
                                [](const Batch& b) { return b.prefill_tokens > 4; });
  CHECK(recomputed);
}

TEST_CASE("static batching holds the batch until its longest request ends",
          "[serving][scheduler]") {
  SchedulerConfig config;
  config.policy = "static";
  config.max_batch = 2;
  auto run = drive(config, 1000, 16, {{10, 2}, {10, 6}, {10, 2}});
  // Batch one: prefill + 5 decode steps; the short request rides along as padding.
  CHECK(run.batches[5].decode_sequences == 2);
  CHECK(run.seqs[0].finish_s == 6);  // answered with its batch
  CHECK(run.seqs[1].finish_s == 6);
  CHECK(run.seqs[2].first_token_s == 7);  // the third waits for the whole first batch
  CHECK(run.seqs[2].finish_s == 8);
}

TEST_CASE("chunked prefill keeps every iteration within its token budget and decodes alongside",
          "[serving][scheduler]") {
  SchedulerConfig config;
  config.policy = "chunked";
  config.chunk_tokens = 64;
  auto run = drive(config, 1000, 16, {{10, 20}, {300, 4}});
  bool mixed = false;
  for (const auto& b : run.batches) {
    REQUIRE(b.prefill_tokens + b.decode_sequences <= 64);
    mixed |= b.prefill_tokens > 0 && b.decode_sequences > 0;
  }
  CHECK(mixed);  // the long prompt's chunks ran with the short request's decodes
  CHECK(run.seqs[1].generated == 4);
  // The long prompt took ceil(300 / ~63) iterations of prefill, not one.
  CHECK(run.seqs[1].first_token_s >= 5);
}

TEST_CASE("a prefill replica hands sequences off after their first token", "[serving][scheduler]") {
  SchedulerConfig config;
  config.hand_off_after_prefill = true;
  std::vector<SequenceState> seqs(2);
  seqs[0].input_tokens = 100;
  seqs[0].output_tokens = 10;
  seqs[1].input_tokens = 100;
  seqs[1].output_tokens = 1;
  ReplicaScheduler prefill(config, KvBlockManager(100, 16, true), seqs);
  prefill.enqueue(0);
  prefill.enqueue(1);
  prefill.next_batch();
  std::vector<int64_t> finished, handed;
  prefill.complete(1.0, finished, handed);
  CHECK(handed == std::vector<int64_t>{0});
  CHECK(finished == std::vector<int64_t>{1});  // one output token: done at prefill
  CHECK_FALSE(prefill.has_work());
  CHECK(prefill.kv().used_blocks() == 0);
  // The decode replica takes it prefilled: blocks for its context, decode steps only.
  config.hand_off_after_prefill = false;
  ReplicaScheduler decode(config, KvBlockManager(100, 16, true), seqs);
  decode.enqueue(0);
  const auto& batch = decode.next_batch();
  CHECK(batch.prefill_tokens == 0);
  CHECK(batch.decode_sequences == 1);
  CHECK(batch.decode_context_sum == 101);
}

TEST_CASE("the debug-mode KV check passes on every policy and catches a broken state",
          "[serving][kv]") {
  // Every policy, preempting and not: drive() checks at every next_batch and complete.
  for (const auto& entry : batch_policies()) {
    SchedulerConfig config;
    config.policy = entry.name;
    config.chunk_tokens = 8;
    INFO("policy " << entry.name);
    drive(config, 20, 4, {{9, 12}, {30, 3}, {5, 20}, {17, 9}});
  }

  SchedulerConfig config;
  config.policy = "chunked";
  config.chunk_tokens = 16;
  std::vector<int64_t> finished, handed;
  // Three 40-token prompts chunked 16 tokens at a time: after four steps the first decodes.
  auto started = [&](std::vector<SequenceState>& seqs) {
    seqs.assign(3, SequenceState{});
    for (auto& s : seqs) {
      s.input_tokens = 40;
      s.output_tokens = 8;
    }
    auto scheduler = std::make_unique<ReplicaScheduler>(config, KvBlockManager(64, 16, true), seqs);
    for (int64_t id = 0; id < 3; ++id) scheduler->enqueue(id);
    for (int step = 0; step < 4; ++step) {
      scheduler->next_batch();
      scheduler->complete(step + 1.0, finished, handed);
    }
    REQUIRE_NOTHROW(scheduler->check());
    REQUIRE(scheduler->running() > 0);
    return scheduler;
  };

  // A running sequence whose KV outgrows its blocks (tokens written past its cache).
  std::vector<SequenceState> seqs;
  auto scheduler = started(seqs);
  scheduler->next_batch();
  seqs[0].kv_tokens += 100;
  REQUIRE_THROWS_WITH(scheduler->check(), Catch::Matchers::ContainsSubstring("running sequence 0"));
  REQUIRE_THROWS_AS(scheduler->complete(5.0, finished, handed), std::logic_error);

  // A sequence queued twice: it waits while holding blocks.
  scheduler = started(seqs);
  scheduler->enqueue(0);
  REQUIRE_THROWS_WITH(scheduler->check(), Catch::Matchers::ContainsSubstring("waiting sequence 0"));
  REQUIRE_THROWS_AS(scheduler->next_batch(), std::logic_error);

  // Without the debug mode the steps do not check; asked directly, the check still fails.
  std::vector<SequenceState> plain(1);
  plain[0].input_tokens = 40;
  plain[0].output_tokens = 8;
  ReplicaScheduler unchecked(config, KvBlockManager(64, 16, false), plain);
  unchecked.enqueue(0);
  unchecked.next_batch();
  plain[0].kv_tokens += 100;
  CHECK_NOTHROW(unchecked.complete(1.0, finished, handed));
  CHECK_THROWS_AS(unchecked.check(), std::logic_error);
}

TEST_CASE("routers: round robin cycles, the others pick the least loaded", "[serving][router]") {
  std::vector<ReplicaLoad> loads = {{3, 100}, {1, 900}, {2, 50}};
  auto rr = make_router("round-robin");
  CHECK(rr->pick(loads) == 0);
  CHECK(rr->pick(loads) == 1);
  CHECK(rr->pick(loads) == 2);
  CHECK(rr->pick(loads) == 0);
  CHECK(make_router("round-robin")->pick(loads) == 0);  // each router keeps its own turn
  CHECK(make_router("least-outstanding")->pick(loads) == 1);
  CHECK(make_router("jsq-tokens")->pick(loads) == 2);
  // Ties go to the lowest index.
  std::vector<ReplicaLoad> even = {{2, 7}, {2, 7}};
  CHECK(make_router("least-outstanding")->pick(even) == 0);
  CHECK(make_router("jsq-tokens")->pick(even) == 0);
  CHECK(find_router("random") == nullptr);
  CHECK_THROWS_AS(make_router("random"), std::invalid_argument);
}

TEST_CASE("the registries list every policy once, by the names scenarios use", "[serving]") {
  CHECK(router_names() == "round-robin, least-outstanding or jsq-tokens");
  std::vector<std::string> names;
  for (const auto& entry : batch_policies()) {
    names.emplace_back(entry.name);
    CHECK(find_batch_policy(entry.name) == entry.policy);
    CHECK_FALSE(entry.summary.empty());
  }
  CHECK(names == std::vector<std::string>{"static", "continuous", "chunked"});
  CHECK(find_batch_policy("disaggregated") == nullptr);  // a pool arrangement, not a policy
  CHECK(kcsim::or_list({"a"}) == "a");
  CHECK(kcsim::or_list({"a", "b"}) == "a or b");
  SchedulerConfig config;
  config.policy = "fifo";
  std::vector<SequenceState> seqs;
  CHECK_THROWS_AS(ReplicaScheduler(config, KvBlockManager(4, 16, false), seqs),
                  std::invalid_argument);
}
