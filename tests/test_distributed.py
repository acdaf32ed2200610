"""Tensor parallel (DTensor) and FSDP2 with the torch_activations ops.

Two CPU processes (gloo on 127.0.0.1) run every scenario once. Each process
writes its results to a JSON file, and the tests below read them:

- a Megatron MLP, column-parallel Linear -> gated unit -> row-parallel Linear,
  for every gated op, equal to one process in output and gradients, with one
  all-reduce in the forward and no communication around the gated op;
- the same with a plain ColwiseParallel: still equal, since DTensor gathers
  the input of the gated op, at the cost of an all-gather;
- learnable activations in tensor parallel (weights sharded on the channel
  dim) and data parallel (replicated weights, Partial weight gradients);
- FSDP2 (fully_shard) training a few SGD steps, equal to one process;
- every torch_activations op that runs (forward, in-place, backward, double
  backward), called on DTensors under many input placements and compared
  with the op on the global tensors, with no communication where the rule
  should need none.

The processes stop by themselves: init_process_group and each collective
have a timeout, each process has a watchdog that ends it, and the parent
kills both at a deadline or as soon as either fails.
"""

import datetime
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import torch

WORLD = 2
DEADLINE_S = 100          # the parent kills the workers after this
WORKER_WATCHDOG_S = 95    # each worker ends itself after this
PG_TIMEOUT_S = 30         # init_process_group and every collective (env TA_DIST_PG_TIMEOUT)

_HAVE_GLOO = torch.distributed.is_available() and torch.distributed.is_gloo_available()


# ============================================================================
# The worker (runs in each of the two processes)
# ============================================================================
def _worker(rank: int, port: int, out_dir: str) -> None:
    import faulthandler

    faulthandler.dump_traceback_later(WORKER_WATCHDOG_S, exit=True)
    torch.set_num_threads(1)
    import torch.distributed as dist

    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    pg_timeout = float(os.environ.get("TA_DIST_PG_TIMEOUT", PG_TIMEOUT_S))
    dist.init_process_group("gloo", rank=rank, world_size=WORLD,
                            timeout=datetime.timedelta(seconds=pg_timeout))
    from torch.distributed.device_mesh import init_device_mesh

    import torch_activations  # noqa: F401
    from torch_activations import distributed as tad

    tad.register_sharding_rules()
    mesh = init_device_mesh("cpu", (WORLD,))
    results = {}
    t0 = time.perf_counter()
    for name, fn in _SCENARIOS:
        start = time.perf_counter()
        try:
            results[name] = fn(mesh, rank)
        except Exception as e:  # recorded, and the other scenarios still run
            import traceback

            results[name] = {"ok": False, "error": f"{type(e).__name__}: {e}",
                             "traceback": traceback.format_exc()[-3000:]}
        results[name]["seconds"] = round(time.perf_counter() - start, 2)
    results["_total_seconds"] = round(time.perf_counter() - t0, 2)
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    dist.barrier()
    dist.destroy_process_group()


def _max_err(pairs):
    err = 0.0
    for a, b in pairs:
        if a.shape != b.shape:
            return float("inf")
        err = max(err, float((a - b).abs().max()) if a.numel() else 0.0)
    return err


def _full(t):
    from torch.distributed.tensor import DTensor

    return t.full_tensor() if isinstance(t, DTensor) else t


def _comm_counts(mode):
    return {str(k).split(".")[-1]: v for k, v in mode.get_comm_counts().items() if v}


# ---------------------------------------------------------------- TP MLP
class _MLP(torch.nn.Module):
    def __init__(self, act, d=8, h=6):
        super().__init__()
        self.w1 = torch.nn.Linear(d, 2 * h)
        self.act = act
        self.w2 = torch.nn.Linear(h, d)

    def forward(self, x):
        return self.w2(self.act(self.w1(x)))


def _gated_ops():
    import torch_activations as ta
    from torch_activations import distributed as tad

    return [a.name for a in ta.list_activations() if a.category == "dim" and tad._dim_kind(a.name) == "gated"]


def _tp_mlp(mesh, rank, name, gated_style=True, double=False):
    import copy

    import torch_activations as ta
    from torch.distributed.tensor.debug import CommDebugMode
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module
    from torch_activations.distributed import gated_colwise_parallel

    torch.manual_seed(0)
    ref = _MLP(ta.get_activation(name)).double()
    tp = copy.deepcopy(ref)
    x = torch.randn(2, 3, 8, dtype=torch.float64)
    c = torch.randn(2, 3, 8, dtype=torch.float64)
    colwise = gated_colwise_parallel(use_local_output=False) if gated_style else ColwiseParallel(use_local_output=False)
    parallelize_module(tp, mesh, {"w1": colwise, "w2": RowwiseParallel()})

    checks = {}
    if gated_style:
        # Rank r holds rows r of the a-half and r of the b-half of the
        # single-process weight.
        h = ref.w1.out_features // 2
        rows = torch.arange(2 * h).reshape(2, WORLD, -1)[:, rank].reshape(-1)
        checks["local_weight_err"] = _max_err([(tp.w1.weight.to_local(), ref.w1.weight.detach()[rows]),
                                               (tp.w1.bias.to_local(), ref.w1.bias.detach()[rows])])

    xr = x.clone().requires_grad_(True)
    if double:  # a DTensor leaf: its gradient stays differentiable (see below)
        from torch.distributed.tensor import Replicate, distribute_tensor

        xt = distribute_tensor(x, mesh, [Replicate()]).requires_grad_(True)
    else:
        xt = x.clone().requires_grad_(True)
    yr = ref(xr)
    with CommDebugMode() as fwd:
        yt = tp(xt)
    if double:
        # A gradient penalty: the parameter gradients go through the double
        # backward ops. (torch.autograd.grad of a plain leaf that
        # ColwiseParallel wraps with from_local raises "A leaf node was passed
        # to _will_engine_execute_node"; a DTensor leaf with
        # backward(create_graph=True) works.)
        (yr * c).sum().backward(create_graph=True)
        (xr.grad ** 2).sum().backward()
        with CommDebugMode() as bwd:
            (yt * c).sum().backward(create_graph=True)
            (xt.grad ** 2).sum().backward()
    else:
        (yr * c).sum().backward()
        with CommDebugMode() as bwd:
            (yt * c).sum().backward()
    pairs = [(_full(yt), yr), (_full(xt.grad), xr.grad)]
    for (n1, p1), (n2, p2) in zip(ref.named_parameters(), tp.named_parameters()):
        pairs.append((_full(p2.grad), p1.grad))
    err = _max_err(pairs)
    out = {"max_err": err, "forward_comms": _comm_counts(fwd), "backward_comms": _comm_counts(bwd),
           "act_output_placement": None, **checks}
    # the placement the gated op produced
    with torch.no_grad():
        h_dt = tp.w1(x)
        out["w1_output_placement"] = str(getattr(h_dt, "placements", None))
        out["act_output_placement"] = str(getattr(tp.act(h_dt), "placements", None))
    tol = 1e-12
    out["ok"] = err < tol and checks.get("local_weight_err", 0.0) == 0.0
    return out


# ---------------------------------------------------------- TP learnable
def _learnable_stack(c):
    import torch_activations as ta

    torch.manual_seed(1)
    lut = ta.LUTActivation.from_activation("tanh", size=9, range=(-2.0, 2.0))
    mods = torch.nn.Sequential(ta.PReLU(c), ta.SReLU(c), ta.PadeActivation(c), lut).double()
    with torch.no_grad():  # distinct values per channel
        for p in mods.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return mods


def _tp_learnable(mesh, rank):
    """Colwise Linear -> learnable activations with channel-sharded weights -> Rowwise Linear."""
    import copy

    from torch.distributed.tensor import Replicate, Shard, distribute_tensor
    from torch.distributed.tensor.debug import CommDebugMode
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

    torch.manual_seed(2)
    ref = torch.nn.Sequential(torch.nn.Linear(8, 6), _learnable_stack(6), torch.nn.Linear(6, 8)).double()
    tp = copy.deepcopy(ref)
    parallelize_module(tp, mesh, {"0": ColwiseParallel(use_local_output=False), "2": RowwiseParallel()})
    for mod in tp[1]:
        for pname, p in list(mod.named_parameters()):
            # per-channel weights: [C] -> Shard(0), [P, C] -> Shard(1); tables replicated
            placement = Replicate() if pname == "table" else Shard(p.dim() - 1)
            mod.register_parameter(pname, torch.nn.Parameter(distribute_tensor(p.detach(), mesh, [placement])))
    x = torch.randn(4, 8, dtype=torch.float64)
    c = torch.randn(4, 8, dtype=torch.float64)
    xr, xt = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    yr = ref(xr)
    with CommDebugMode() as fwd:
        yt = tp(xt)
    (yr * c).sum().backward()
    with CommDebugMode() as bwd:
        (yt * c).sum().backward()
    pairs = [(_full(yt), yr), (xt.grad, xr.grad)]
    grads = {}
    for (n1, p1), (n2, p2) in zip(ref.named_parameters(), tp.named_parameters()):
        pairs.append((_full(p2.grad), p1.grad))
        grads[n2] = str(getattr(p2.grad, "placements", None))
    err = _max_err(pairs)
    return {"ok": err < 1e-12, "max_err": err, "forward_comms": _comm_counts(fwd),
            "backward_comms": _comm_counts(bwd), "grad_placements": grads}


def _dp_learnable(mesh, rank):
    """Batch-sharded input, replicated weights: grad_weight is Partial(sum)."""
    import copy

    from torch.distributed.tensor import Replicate, Shard, distribute_tensor

    ref = _learnable_stack(8)
    dp = copy.deepcopy(ref)
    for mod in dp:
        for pname, p in list(mod.named_parameters()):
            mod.register_parameter(pname, torch.nn.Parameter(distribute_tensor(p.detach(), mesh, [Replicate()])))
    torch.manual_seed(3)
    x = torch.randn(4, 8, 3, dtype=torch.float64)
    c = torch.randn(4, 8, 3, dtype=torch.float64)
    xr = x.clone().requires_grad_(True)
    xt = distribute_tensor(x, mesh, [Shard(0)]).requires_grad_(True)
    yr = ref(xr)
    yt = dp(xt)
    (yr * c).sum().backward()
    (yt * distribute_tensor(c, mesh, [Shard(0)])).sum().backward()
    pairs = [(_full(yt), yr), (_full(xt.grad), xr.grad)]
    grads = {}
    for (n1, p1), (n2, p2) in zip(ref.named_parameters(), dp.named_parameters()):
        pairs.append((_full(p2.grad), p1.grad))
        grads[n2] = str(p2.grad.placements)
    err = _max_err(pairs)
    return {"ok": err < 1e-12, "max_err": err, "output_placement": str(yt.placements),
            "grad_placements": grads}


# ------------------------------------------------------------------ FSDP2
def _fsdp2(mesh, rank):
    import copy

    import torch.distributed as dist
    import torch_activations as ta
    from torch.distributed.fsdp import fully_shard

    torch.manual_seed(4)
    lut = ta.LUTActivation.from_activation("tanh", size=9, range=(-2.0, 2.0))
    ref = torch.nn.Sequential(torch.nn.Linear(8, 6), ta.PReLU(6), torch.nn.Linear(6, 6), ta.SReLU(6), lut,
                              torch.nn.Linear(6, 2)).double()
    model = copy.deepcopy(ref)
    for m in model:
        if any(True for _ in m.parameters()):
            fully_shard(m, mesh=mesh)
    fully_shard(model, mesh=mesh)
    opt_r = torch.optim.SGD(ref.parameters(), lr=0.2)
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    losses_r, losses = [], []
    for step in range(3):
        x = torch.randn(8, 8, dtype=torch.float64)
        t = torch.randn(8, 2, dtype=torch.float64)
        loss_r = torch.nn.functional.mse_loss(ref(x), t)
        opt_r.zero_grad()
        loss_r.backward()
        opt_r.step()
        losses_r.append(loss_r.item())
        lx, lt = x.chunk(WORLD)[rank], t.chunk(WORLD)[rank]
        loss = torch.nn.functional.mse_loss(model(lx), lt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        mean = loss.detach().clone()
        dist.all_reduce(mean)
        losses.append(mean.item() / WORLD)
    pairs = [(torch.tensor(losses), torch.tensor(losses_r))]
    for (n1, p1), (n2, p2) in zip(ref.named_parameters(), model.named_parameters()):
        pairs.append((_full(p2.detach()), p1.detach()))
    err = _max_err(pairs)
    return {"ok": err < 1e-12, "max_err": err, "losses": losses, "losses_ref": losses_r,
            "param_placement": str(next(model.parameters()).placements)}


# ------------------------------------------------- the sharding cache key
def _cache_key(mesh, rank):
    """The non-tensor arguments are part of DTensor's sharding cache key: the
    same input placement, softmax over a sharded and an unsharded dim."""
    from torch.distributed.tensor import Shard, distribute_tensor

    x = torch.randn(4, 8, 4, dtype=torch.float64)
    xd = distribute_tensor(x, mesh, [Shard(1)])
    pairs, placements = [], []
    for dim in (0, 1, 2, 1, 0):
        y = torch.ops.torch_activations.softmax(xd, dim)
        placements.append(str(y.placements))
        pairs.append((y.full_tensor(), torch.ops.torch_activations.softmax(x, dim)))
    err = _max_err(pairs)
    # dim 0 and 2: Shard(1) passes; dim 1: redistributed first
    ok = err < 1e-15 and placements[0] == placements[2] == "(Shard(dim=1),)" != placements[1]
    return {"ok": ok, "max_err": err, "placements": placements}


# ------------------------------------------- every op, many placements
def _capture_calls():
    """The torch_activations op calls made by a forward, an in-place forward,
    a backward and a double backward of every activation."""
    import inspect

    import torch_activations as ta
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_map

    calls = {}

    def snap(v):
        return v.detach().clone() if isinstance(v, torch.Tensor) else v

    class Capture(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            if func.namespace != "torch_activations":
                return func(*args, **kwargs)
            before = tree_map(snap, (args, kwargs))
            out = func(*args, **kwargs)
            shapes = tuple(tuple(a.shape) for a in args if isinstance(a, torch.Tensor))
            scalars = tuple(a for a in args if not isinstance(a, torch.Tensor))
            key = f"{func}{shapes}{scalars}"
            if key not in calls and all(s and 0 not in s for s in shapes[:1]):  # not the empty probes
                expected = (args[0],) if func._schema.returns == [] else out
                calls[key] = (func, before, tree_map(snap, expected))
            return out

    # the second shape shards unevenly: N = 3, and the gated halves of 3
    shapes = [(4, 8, 4), (3, 6, 6)]

    def modules(info, shape):
        C = shape[1]
        cls = getattr(ta, info.module)
        params = inspect.signature(cls.__init__).parameters
        kw = dict(info.module_kwargs)
        if info.name == "lut":
            return [ta.LUTActivation.from_activation("tanh", size=9, range=(-2.0, 2.0))]
        if info.name == "maxout_linear":
            return [ta.MaxoutLinear(shape[-1], 3, 2)]
        if info.name == "dynamic_relu":
            return [ta.DynamicReLU(C, mode="B"), ta.DynamicReLU(C, mode="A")]
        if "pool_size" in params:
            kw["pool_size"] = 2
        if "num_features" in params:
            kw["num_features"] = C
        if "groups" in params:
            kw["groups"] = 2
        if "num_parameters" in params:
            return [cls(num_parameters=C, **kw), cls(**kw)]
        return [cls(**kw)]

    torch.manual_seed(5)
    with Capture():
        for info, shape in [(i, s) for s in shapes for i in ta.list_activations()
                            if s == shapes[0] or i.category != "pointwise"]:
            for mod in modules(info, shape):
                mod = mod.double().eval()  # eval: rrelu's deterministic form
                with torch.no_grad():
                    for p in mod.parameters():
                        p.add_(0.05 * torch.randn_like(p))
                x = (1.5 * torch.randn(shape, dtype=torch.float64)).requires_grad_(True)
                leaves = [x] + [p for p in mod.parameters()]
                y = mod(x)
                if isinstance(y, tuple):
                    y = y[0]
                gs = torch.autograd.grad(y, leaves, torch.randn_like(y), create_graph=True, allow_unused=True)
                s = sum((g * torch.randn_like(g)).sum() for g in gs if g is not None and g.requires_grad)
                if torch.is_tensor(s) and s.requires_grad:
                    torch.autograd.grad(s, leaves, allow_unused=True)
                if info.category == "pointwise" and "inplace" in inspect.signature(type(mod).__init__).parameters:
                    # in-place forward, and the backward from the result
                    ip = type(mod)(inplace=True).double().eval()
                    xl = x.detach().clone().requires_grad_(True)
                    yi = ip(xl.clone())
                    gi = torch.autograd.grad(yi, xl, torch.randn_like(yi), create_graph=True)[0]
                    if gi.requires_grad:
                        torch.autograd.grad((gi * torch.randn_like(gi)).sum(), xl, allow_unused=True)
                with torch.inference_mode():  # the forward op itself (rrelu dispatches leaky_relu under autograd)
                    mod(x.detach())
        # pointwise ops that autograd never calls (relu_backward: relu keeps
        # its result): every tensor argument has the input's shape
        from torch_activations import distributed as tad

        done = {str(func) for func, _, _ in calls.values()}
        shape = shapes[0]
        for op_name, family in tad.registered_ops().items():
            if family != "pointwise" or op_name in done:
                continue
            _, name, overload = op_name.split(".")
            op = getattr(getattr(torch.ops.torch_activations, name), overload)
            no_default = {"int": 2, "float": 0.5, "bool": False}  # e.g. a jet's order
            with torch.inference_mode():  # below autograd (rrelu_ -> leaky_relu_ above it)
                op(*[torch.randn(shape, dtype=torch.float64) if isinstance(a.type, torch.TensorType)
                     else a.default_value if a.has_default_value() else no_default[str(a.type)]
                     for a in op._schema.arguments])
        # a random op: rrelu in training mode
        xr = torch.randn(shape, dtype=torch.float64, requires_grad=True)
        ta.RReLU().train()(xr).sum().backward()
        with torch.inference_mode():
            ta.RReLU().train()(xr.detach())
    return calls


def _assignments(tensors, mesh, family):
    """Input placements to try: (label, [placement per tensor argument]).
    Pointwise ops share one rule: fewer of them, to save time."""
    from torch.distributed.tensor import Partial, Replicate, Shard
    from torch.distributed.tensor.placement_types import _StridedShard

    n = len(tensors)
    first = tensors[0]
    R = Replicate()

    def fits(t, d, need):
        return t.dim() > d and t.shape[d] >= need

    out = [("R", [R] * n), ("P_first", [Partial("sum")] + [R] * (n - 1)), ("first_S0", [Shard(0)] + [R] * (n - 1))]
    if n > 1:
        out.append(("P_all", [Partial("sum")] * n))
    for d in range(first.dim()):
        out.append((f"S{d}", [Shard(d) if fits(t, d, 2) else R for t in tensors]))
        out.append((f"SS{d}", [_StridedShard(d, split_factor=2) if fits(t, d, 4) else R for t in tensors]))
        if all(t.dim() == first.dim() for t in tensors) and len({t.shape[d] for t in tensors}) > 1:
            # two sizes along d (gated, crelu, maxout): pair the placements
            wide = [t.shape[d] == max(u.shape[d] for u in tensors) for t in tensors]
            ss, sh = _StridedShard(d, split_factor=2), Shard(d)
            out.append((f"pair_SS{d}_S{d}", [ss if w else sh for w in wide]))
            out.append((f"pair_S{d}_SS{d}", [sh if w else ss for w in wide]))
    if family == "pointwise":
        out = [(label, p) for label, p in out if label in ("R", "P_first", "P_all", "first_S0", "S1", "SS2")]
    return out


def _make_dtensor(t, mesh, placement, rank):
    from torch.distributed.tensor import DTensor, Partial, distribute_tensor

    t = t.clone()  # in-place ops must not change the recorded inputs
    if isinstance(placement, Partial):
        local = t * (0.25 if rank == 0 else 0.75)
        return DTensor.from_local(local, mesh, [placement], run_check=False)
    return distribute_tensor(t, mesh, [placement], src_data_rank=None)


def _check_out(out, expected, mesh):
    """Error of the local output against the expected global one (no
    communication unless the output is Partial)."""
    from torch.distributed.tensor import DTensor, Partial, distribute_tensor

    outs = out if isinstance(out, (tuple, list)) else (out,)
    exps = expected if isinstance(expected, (tuple, list)) else (expected,)
    err, places = 0.0, []
    for o, e in zip(outs, exps):
        if not isinstance(o, DTensor):
            return float("inf"), ["not a DTensor"]
        places.append(str(o.placements))
        if any(isinstance(p, Partial) for p in o.placements):
            got, want = o.full_tensor(), e
        else:
            got, want = o.to_local(), distribute_tensor(e, mesh, o.placements, src_data_rank=None).to_local()
        if got.shape != want.shape:
            return float("inf"), places
        if got.numel():
            scale = 1.0 + float(want.abs().max())
            err = max(err, float((got - want).abs().max()) / scale)
    return err, places


def _all_ops(mesh, rank):
    from torch.distributed.tensor import Partial
    from torch.distributed.tensor.debug import CommDebugMode
    from torch_activations import distributed as tad

    calls = _capture_calls()
    registered = tad.registered_ops()
    failures, comms, random_errors, runs, refused_inplace = [], {}, {}, 0, set()
    for key, (func, (args, kwargs), expected) in sorted(calls.items()):
        if str(func) not in registered:
            continue  # composite ops (evonorm): DTensor sees their aten ops
        tensors = [a for a in args if isinstance(a, torch.Tensor)]
        schema_args = func._schema.arguments
        values = {a.name: (args[i] if i < len(args) else kwargs.get(a.name, a.default_value))
                  for i, a in enumerate(schema_args)}
        is_random = any("Generator" in str(a.type) for a in schema_args) and values.get("training") is not False
        for label, places in _assignments(tensors, mesh, registered[str(func)]):
            it = iter(places)
            dargs = [(_make_dtensor(a, mesh, next(it), rank) if isinstance(a, torch.Tensor) else a) for a in args]
            runs += 1
            try:
                with CommDebugMode() as cm:
                    out = func(*dargs, **kwargs)
                if func._schema.returns == []:
                    out = (dargs[0],)
            except NotImplementedError as e:
                if is_random:
                    random_errors[key] = str(e)[:200]
                    break
                failures.append(f"{key} {label}: NotImplementedError {e}"[:400])
                continue
            except Exception as e:
                if (func._schema.returns == [] and isinstance(places[0], Partial)
                        and "in-place operations that require placement changes" in str(e)):
                    refused_inplace.add(str(func))  # f(a + b) != f(a) + f(b): refused, rightly
                    continue
                failures.append(f"{key} {label}: {type(e).__name__} {e}"[:400])
                continue
            if is_random:
                failures.append(f"{key} {label}: a random op ran on DTensor")
                break
            err, out_places = _check_out(out, expected, mesh)
            comms.setdefault(str(func), {})[f"{label}{tuple(t.shape for t in tensors)}"] = sum(
                cm.get_comm_counts().values())
            if not err < 1e-9:
                failures.append(f"{key} {label} in={[str(p) for p in places]} out={out_places}: err {err:.3g}")
    exercised = sorted({str(func) for func, _, _ in calls.values()} & set(registered))
    return {"ok": not failures, "failures": failures[:60], "n_failures": len(failures), "runs": runs,
            "comms": comms, "random_errors": random_errors,
            "refused_inplace_partial": sorted(refused_inplace), "exercised": exercised,
            "registered": registered, "linear_in_first": sorted(tad._linear_in_first)}


def _scenarios():
    out = []
    for name in _gated_ops():
        out.append((f"tp_mlp_{name}", lambda mesh, rank, name=name: _tp_mlp(mesh, rank, name)))
    out.append(("tp_mlp_swiglu_double_backward", lambda mesh, rank: _tp_mlp(mesh, rank, "swiglu", double=True)))
    out.append(("tp_mlp_swiglu_plain_colwise", lambda mesh, rank: _tp_mlp(mesh, rank, "swiglu", gated_style=False)))
    out += [("cache_key", _cache_key), ("tp_learnable", _tp_learnable), ("dp_learnable", _dp_learnable),
            ("fsdp2", _fsdp2), ("all_ops", _all_ops)]
    return out


_SCENARIOS = []


# ============================================================================
# The parent (pytest)
# ============================================================================
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(out_dir: str, ranks=range(WORLD), **extra_env):
    """Start the workers of ``ranks``; wait until they end, one fails, or the
    deadline; kill what is left. Returns (reason or None, logs, seconds)."""
    import torch_activations

    pkg_root = os.path.dirname(os.path.dirname(os.path.abspath(torch_activations.__file__)))
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", **extra_env)
    env["PYTHONPATH"] = os.pathsep.join([pkg_root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    port = _free_port()
    ranks = list(ranks)
    logs = [open(os.path.join(out_dir, f"rank{r}.log"), "w+") for r in ranks]
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", str(r), str(port), out_dir],
                              env=env, stdout=log, stderr=subprocess.STDOUT, cwd=out_dir)
             for r, log in zip(ranks, logs)]
    start = time.monotonic()
    reason = None
    while any(p.poll() is None for p in procs):
        if time.monotonic() - start > DEADLINE_S:
            reason = f"timed out after {DEADLINE_S} s"
            break
        if any(p.poll() not in (None, 0) for p in procs):
            reason = "a worker failed"
            time.sleep(2)  # let the other one write its traceback
            break
        time.sleep(0.1)
    for p in procs:
        if p.poll() is None:
            p.kill()
    for p in procs:
        p.wait(timeout=10)
    text = []
    for r, log, p in zip(ranks, logs, procs):
        log.seek(0)
        text.append(f"--- rank {r} (exit {p.returncode}) ---\n{log.read()[-4000:]}")
        log.close()
    if reason is None and any(p.returncode != 0 for p in procs):
        reason = "a worker failed"
    return reason, "\n".join(text), time.monotonic() - start


def _run_workers():
    with tempfile.TemporaryDirectory() as out_dir:
        reason, logs, seconds = _launch(out_dir)
        if reason is not None and ("EADDRINUSE" in logs or "address already in use" in logs.lower()):
            reason, logs, seconds = _launch(out_dir)  # the free port was taken meanwhile
        if reason is not None:
            return {"error": f"distributed workers: {reason}\n{logs}"}
        res = []
        for r in range(WORLD):
            with open(os.path.join(out_dir, f"rank{r}.json")) as f:
                res.append(json.load(f))
    res[0]["_wall_seconds"] = round(seconds, 1)
    return {"results": res}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The workers' results, computed once even when pytest-xdist spreads
    these tests over several processes (they share one file, under a lock)."""
    if not _HAVE_GLOO:
        pytest.skip("torch.distributed with gloo is not available")
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = _run_workers()
    else:
        import fcntl

        shared = tmp_path_factory.getbasetemp().parent / "ta_distributed_results.json"
        with open(str(shared) + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if shared.exists():
                    out = json.loads(shared.read_text())
                else:
                    out = _run_workers()
                    shared.write_text(json.dumps(out))
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    if "error" in out:
        pytest.fail(out["error"])
    return out["results"]


def _get(results, name):
    for r, res in enumerate(results):
        entry = res[name]
        assert entry.get("ok"), f"rank {r}: {name}: {json.dumps(entry, indent=1)[:6000]}"
    return results[0][name]


@pytest.mark.parametrize("name", ["glu", "geglu", "swiglu", "reglu"])
def test_megatron_mlp_gated(results, name):
    if f"tp_mlp_{name}" not in results[0]:
        pytest.skip(f"{name} is not a gated op of this build")
    entry = _get(results, f"tp_mlp_{name}")
    # column-parallel output: matching halves; the gated op: a plain shard
    assert entry["w1_output_placement"] == "(_StridedShard(dim=2, sf=2),)", entry
    assert entry["act_output_placement"] == "(Shard(dim=2),)", entry
    # one all-reduce (the row-parallel output), nothing around the gated op
    assert entry["forward_comms"] == {"all_reduce": 1}, entry
    assert entry["backward_comms"] == {"all_reduce": 1}, entry


def test_megatron_mlp_double_backward(results):
    _get(results, "tp_mlp_swiglu_double_backward")


def test_megatron_mlp_plain_colwise_is_still_correct(results):
    entry = _get(results, "tp_mlp_swiglu_plain_colwise")
    # Shard(-1) on the split dim cannot be computed locally: DTensor gathers it.
    assert entry["w1_output_placement"] == "(Shard(dim=2),)", entry
    assert entry["forward_comms"].get("all_gather_into_tensor", 0) >= 1, entry


def test_sharding_cache_key_has_the_scalar_args(results):
    _get(results, "cache_key")


def test_tensor_parallel_learnable(results):
    entry = _get(results, "tp_learnable")
    assert entry["forward_comms"] == {"all_reduce": 1}, entry
    assert entry["grad_placements"]["1.0.weight"] == "(Shard(dim=0),)", entry


def test_data_parallel_learnable_partial_weight_grad(results):
    entry = _get(results, "dp_learnable")
    assert entry["output_placement"] == "(Shard(dim=0),)", entry


def test_fsdp2_trains_like_one_process(results):
    entry = _get(results, "fsdp2")
    assert entry["param_placement"] == "(Shard(dim=0),)", entry


def test_every_op_under_dtensor(results):
    entry = _get(results, "all_ops")
    # every registered op ran (random ops: they must refuse)
    missing = sorted(set(entry["registered"]) - set(entry["exercised"]))
    assert not missing, f"registered but never exercised: {missing}"
    assert entry["random_errors"], "rrelu(training=True) should refuse DTensor"
    # no communication where the rule applies to the inputs as they are
    gated = set(_gated_ops())
    noisy, checked = [], 0
    for op, runs in entry["comms"].items():
        family, name = entry["registered"][op], op.split(".")[1]
        quiet = ["R(", "first_S0("]
        if op in entry["linear_in_first"]:
            quiet.append("P_first(")  # linear in grad_output (or grad_grad)
        if family == "pointwise":
            quiet += [f"{k}{d}(" for k in ("S", "SS") for d in range(3)]
        if family == "learnable":
            quiet.append("S1(")  # the channel dim, with the weight sharded to match
        if name.split("_")[0] in gated:
            quiet += ["SS2(", "pair_SS2_S2("]  # matching halves in, a plain shard out
        for label, n in runs.items():
            if label.startswith(tuple(quiet)):
                checked += 1
                if n:
                    noisy.append(f"{op} {label}: {n} collectives")
    assert not noisy, noisy
    assert checked > 500


def test_a_lost_peer_fails_in_bounded_time():
    """Only rank 0 starts: its init_process_group must give up after the
    timeout, and the launcher report the failure; nothing hangs."""
    if not _HAVE_GLOO:
        pytest.skip("torch.distributed with gloo is not available")
    with tempfile.TemporaryDirectory() as out_dir:
        reason, logs, seconds = _launch(out_dir, ranks=[0], TA_DIST_PG_TIMEOUT="3")
    assert reason == "a worker failed", logs
    assert seconds < 30, (seconds, logs)


# ----------------------------------------------------- in-process checks
def test_register_is_idempotent_and_needs_no_process_group():
    if not torch.distributed.is_available():
        pytest.skip("torch.distributed is not available")
    import torch_activations as ta
    from torch_activations import distributed as tad

    assert not torch.distributed.is_initialized()
    tad.register_sharding_rules()
    assert tad.register_sharding_rules() == []
    reg = tad.registered_ops()
    names = {str(op).split(".")[1] for op in reg}
    for info in ta.list_activations():
        if info.name in ("evonorm_b0", "evonorm_s0", "maxout_linear", "maxout"):
            continue  # composite (CompositeImplicitAutograd): DTensor sees their aten ops
        assert info.name in names, info.name
    # the derived ops are found by name
    for n in ("swiglu_backward", "swiglu_double_backward", "prelu_backward", "relu_", "tanh_backward_from_result"):
        assert n in names, n
    assert reg["torch_activations.swiglu.default"] == "dim"
    assert reg["torch_activations.srelu_double_backward.default"] == "learnable"


def test_ops_with_partial_first_argument_are_linear_in_it():
    """The Partial(first argument) rule assumes that the op is linear in its
    first tensor argument: check f(g1 + 2 g2) = f(g1) + 2 f(g2) for every op
    that the rule is given to."""
    if not torch.distributed.is_available():
        pytest.skip("torch.distributed is not available")
    from torch_activations import distributed as tad

    tad.register_sharding_rules()
    calls = _capture_calls()
    linear = set(tad._linear_in_first)
    assert len(linear) > 20
    seen = set()
    for key, (func, (args, kwargs), _) in calls.items():
        if str(func) not in linear:
            continue
        g1, g2 = torch.randn_like(args[0]), torch.randn_like(args[0])
        f = lambda g: func(g, *args[1:], **kwargs)  # noqa: E731
        a, b, c = f(g1 + 2 * g2), f(g1), f(g2)
        a, b, c = [(t if isinstance(t, (tuple, list)) else (t,)) for t in (a, b, c)]
        for ta_, tb, tc in zip(a, b, c):
            torch.testing.assert_close(ta_, tb + 2 * tc, rtol=1e-9, atol=1e-9, msg=key)
        seen.add(str(func))
    assert seen == linear, sorted(linear - seen)


def _main():
    global _SCENARIOS
    rank, port, out_dir = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    _SCENARIOS = _scenarios()
    _worker(rank, port, out_dir)


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--worker":
    _main()
