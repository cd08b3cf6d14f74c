"""Peers of Monge's OT benchmark: GeomLoss (tensorized, CPU) and POT (log-domain), on the same problem.

Called by test/bench/ot-peers.ts with: ot_peers.py PEER X.f64 Y.f64 BLUR REACH SCALING OUT.f64
X, Y: raw little-endian float64 N×3 / M×3 point files (mm). Writes the barycentric matches (N×3 float64) to OUT
and prints one JSON line {"seconds": …, "iterations": …}. Conventions are GeomLoss's: C = ½|x−y|², ε = blur²,
ρ = reach²; POT gets M = ½|x−y|², reg = ε, reg_m = ρ (its KL terms match GeomLoss's unbalanced objective).
Exit code 3 when the peer's package is missing (the benchmark then skips it).
"""
import json
import sys
import time

import numpy as np

peer, xf, yf, blur, reach, scaling, outf = sys.argv[1:8]
blur, reach, scaling = float(blur), float(reach), float(scaling)
x = np.fromfile(xf, dtype="<f8").reshape(-1, 3)
y = np.fromfile(yf, dtype="<f8").reshape(-1, 3)
n, m = len(x), len(y)
eps, rho = blur**2, reach**2

if peer == "geomloss":
    try:
        import torch
        from geomloss import SamplesLoss
    except ImportError as e:
        print(json.dumps({"missing": str(e)}))
        sys.exit(3)
    torch.set_num_threads(2)
    X = torch.from_numpy(x).float()
    Y = torch.from_numpy(y).float()
    t0 = time.perf_counter()
    loss = SamplesLoss("sinkhorn", p=2, blur=blur, reach=reach, scaling=scaling, debias=False, potentials=True, backend="tensorized")
    F, G = loss(X, Y)
    # Barycentric projection from the potentials, in row blocks (the plan itself is never stored whole).
    a_log = -np.log(n)
    b_log = torch.full((m,), -np.log(m))
    out = np.empty((n, 3))
    for s in range(0, n, 2048):
        Xs = X[s : s + 2048]
        C = ((Xs[:, None, :] - Y[None, :, :]) ** 2).sum(-1) / 2
        logp = (F[s : s + 2048, None] + G[None, :] - C) / eps + b_log[None, :]
        w = torch.softmax(logp, dim=1)
        out[s : s + 2048] = (w @ Y).double().numpy()
    seconds = time.perf_counter() - t0
    iterations = None
elif peer == "pot":
    try:
        import ot
    except ImportError as e:
        print(json.dumps({"missing": str(e)}))
        sys.exit(3)
    t0 = time.perf_counter()
    M = ot.dist(x, y, metric="sqeuclidean") / 2
    a = np.full(n, 1 / n)
    b = np.full(m, 1 / m)
    plan, log = ot.unbalanced.sinkhorn_stabilized_unbalanced(a, b, M, eps, rho, numItermax=2000, stopThr=1e-6, log=True)
    out = (plan @ y) / plan.sum(1, keepdims=True)
    seconds = time.perf_counter() - t0
    iterations = int(len(log["err"]) * 10)
else:
    raise SystemExit(f"unknown peer {peer}")

out.astype("<f8").tofile(outf)
print(json.dumps({"seconds": seconds, "iterations": iterations}))
