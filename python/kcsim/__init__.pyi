# Type stubs of the kcsim package, written by scripts/python_stubs.py from each command's --help:
# a verb's keyword arguments are its command's flags with dashes as underscores, and it returns
# the command's --json output as a dict. Do not edit; run the script after changing a flag.
from typing import Any, Callable, NamedTuple, Sequence, TextIO, Tuple

import pandas

class Error(Exception):
    message: str
    exit_code: int

class InputError(Error):
    file: str | None
    line: int
    column: int
    field: str | None

class Infeasible(Error): ...
class InternalError(Error): ...

class Progress(NamedTuple):
    done: int
    total: int
    rate_per_s: float
    elapsed_s: float
    eta_s: float | None

def command(*words: object) -> Tuple[int, str, str]: ...
def text_progress(report: Progress, stream: TextIO | None = ...) -> None: ...
def read_sweep(path: str) -> pandas.DataFrame: ...
def read_series(path: str, point: int, run: int = ...) -> pandas.DataFrame: ...
def frontier(table: pandas.DataFrame, x: str, y: str) -> pandas.DataFrame: ...

def train(
    *,
    model: str,
    devices: int,
    global_batch: int,
    chip: str | None = ...,
    cluster: str | None = ...,
    tp: int | None = ...,
    pp: int | None = ...,
    ep: int | None = ...,
    virtual_stages: int | None = ...,
    zero: int | None = ...,
    micro_batch: int | None = ...,
    seq_len: int | None = ...,
    recompute: str | None = ...,
    sequence_parallel: bool | None = ...,
    auto_plan: bool | None = ...,
    dtype: str | None = ...,
    runtime: str | None = ...,
    layers: int | None = ...,
    hidden: int | None = ...,
    heads: int | None = ...,
    kv_heads: int | None = ...,
    ffn: int | None = ...,
    vocab: int | None = ...,
    configs: str | None = ...,
    engine: str | None = ...,
    collective_algorithm: str | None = ...,
    straggler: str | Sequence[str] | None = ...,
    reduce_symmetry: bool | None = ...,
    actor_per_device: bool | None = ...,
    trace_out: str | None = ...,
    run_tokens: float | None = ...,
    power_cap_w: float | None = ...,
    tdp_w: float | None = ...,
    clock_mhz: float | None = ...,
    whole_servers: bool | None = ...,
) -> dict[str, Any]: ...
def serve(
    *,
    model: str,
    chip: str | None = ...,
    cluster: str | None = ...,
    tp: int | None = ...,
    pp: int | None = ...,
    replicas: int | None = ...,
    devices: int | None = ...,
    batch_size: int | None = ...,
    prompt_tokens: int | None = ...,
    output_tokens: int | None = ...,
    dtype: str | None = ...,
    runtime: str | None = ...,
    kv_dtype: str | None = ...,
    engine: str | None = ...,
    power_cap_w: float | None = ...,
    tdp_w: float | None = ...,
    clock_mhz: float | None = ...,
    whole_servers: bool | None = ...,
    layers: int | None = ...,
    hidden: int | None = ...,
    heads: int | None = ...,
    kv_heads: int | None = ...,
    ffn: int | None = ...,
    vocab: int | None = ...,
    configs: str | None = ...,
    rate: float | None = ...,
    trace: str | None = ...,
    requests: int | None = ...,
    duration_s: float | None = ...,
    scheduler: str | None = ...,
    router: str | None = ...,
    slo_ttft_s: float | None = ...,
    slo_tpot_s: float | None = ...,
    block_size: int | None = ...,
    chunk_tokens: int | None = ...,
    max_batch: int | None = ...,
    prefill_replicas: int | None = ...,
    arrival_cv: float | None = ...,
    input_lengths: str | None = ...,
    output_lengths: str | None = ...,
    seed: int | None = ...,
    requests_out: str | None = ...,
    decode_pool: str | None = ...,
    decode_tp: int | None = ...,
    decode_pp: int | None = ...,
    decode_replicas: int | None = ...,
    decode_dtype: str | None = ...,
    decode_kv_dtype: str | None = ...,
    fleet_copies: int | None = ...,
    cluster_power_cap_w: float | None = ...,
    log_iterations: bool | None = ...,
    check_kv: bool | None = ...,
) -> dict[str, Any]: ...
def run(scenario: str, *, configs: str | None = ...) -> dict[str, Any]: ...
def replay(
    prefix: str,
    *,
    cluster: str,
    trace_out: str | None = ...,
    nodes: int | None = ...,
    configs: str | None = ...,
) -> dict[str, Any]: ...
def plan(
    *,
    power_mw: float | None = ...,
    model: str | None = ...,
    mix: str | None = ...,
    objective: str | None = ...,
    chip: str | None = ...,
    cluster: str | None = ...,
    racks: int | None = ...,
    cooling: str | None = ...,
    workload: str | None = ...,
    dtype: str | None = ...,
    tp: int | None = ...,
    pp: int | None = ...,
    batch_size: int | None = ...,
    prompt_tokens: int | None = ...,
    output_tokens: int | None = ...,
    global_batch: int | None = ...,
    micro_batch: int | None = ...,
    seq_len: int | None = ...,
    configs: str | None = ...,
) -> dict[str, Any]: ...
def topo(cluster: str, *, nodes: int | None = ..., configs: str | None = ...) -> dict[str, Any]: ...
def validate(*, case: str | None = ..., configs: str | None = ...) -> dict[str, Any]: ...
def chips(*, configs: str | None = ...) -> dict[str, Any]: ...
def models(*, configs: str | None = ...) -> dict[str, Any]: ...
def runtimes(*, configs: str | None = ...) -> dict[str, Any]: ...
def policies(*, configs: str | None = ...) -> dict[str, Any]: ...
def sweep(
    path: str,
    out: str | None = ...,
    jobs: int | None = ...,
    progress: bool | Callable[[Progress], object] | None = ...,
    *,
    csv: str | None = ...,
    engine: str | None = ...,
    timeout_s: float | None = ...,
    rewrite_s: float | None = ...,
    no_resume: bool | None = ...,
    print_point: int | None = ...,
    configs: str | None = ...,
) -> pandas.DataFrame: ...
