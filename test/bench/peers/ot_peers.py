"""Peers of Monge's OT benchmark: GeomLoss (tensorized, CPU) and POT (log-domain stabilised), on the same problem.

Called by test/bench/ot-peers.ts with: ot_peers.py PEER X.f64 Y.f64 BLUR REACH SCALING THREADS OUT.f64
X, Y: raw little-endian float64 N×3 / M×3 point files (mm), uniform masses 1/N and 1/M. Writes the barycentric
matches y_hat_i = sum_j pi_ij y_j / sum_j pi_ij (N×3 float64) to OUT and prints one JSON line
{"seconds": …, "iterations": …, "threads": …, "warnings": […]}. The time covers the solve and the barycentric projection (what
Monge's `match` does), not the Python start-up, the imports or reading the files.

Conventions are GeomLoss's (Feydy et al. 2019): C = |x−y|²/2, eps = blur², rho = reach², and the unbalanced
objective <pi, C> + eps KL(pi | a⊗b) + rho KL(pi 1 | a) + rho KL(piᵀ 1 | b).
- GeomLoss: SamplesLoss("sinkhorn", p=2, blur, reach, scaling, debias=False, potentials=True,
  backend="tensorized") on float32 tensors (its defaults), torch threads = THREADS. The plan is
  pi_ij = a_i b_j exp((F_i + G_j − C_ij)/eps), evaluated in row blocks (never stored whole).
- POT 0.8 (ot.unbalanced.sinkhorn_stabilized_unbalanced, float64, its default stopThr 1e-6 and a cap of 2000
  iterations) solves <pi, M> + reg sum pi (log pi − 1) + reg_m KL(pi 1 | a') + reg_m KL(piᵀ 1 | b'). Expanding
  the KL terms, the two objectives have the same minimiser for M = C, reg = eps, reg_m = rho and
  a' = a^(1 + eps/rho), b' = b^(1 + eps/rho) (the conversion test/fixtures/ot/make_fixtures.py uses and
  test/unit/ot/pot-reference.test.ts checks). Its plan is formed whole (N×M float64), as POT does.
Exit code 3 when the peer's package is missing (the benchmark then skips it).
"""
import json
import sys
import time
import warnings

import numpy as np

peer, xf, yf, blur, reach, scaling, threads, outf = sys.argv[1:9]
blur, reach, scaling, threads = float(blur), float(reach), float(scaling), int(threads)
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
    torch.set_num_threads(threads)
    X = torch.from_numpy(x).float()
    Y = torch.from_numpy(y).float()
    with torch.no_grad():
        t0 = time.perf_counter()
        loss = SamplesLoss("sinkhorn", p=2, blur=blur, reach=reach, scaling=scaling, debias=False, potentials=True, backend="tensorized")
        F, G = loss(X, Y)
        F, G = F.reshape(-1), G.reshape(-1)
        # Barycentric projection from the potentials, in row blocks.
        b_log = torch.full((m,), -float(np.log(m)))
        out = np.empty((n, 3))
        for s in range(0, n, 2048):
            Xs = X[s : s + 2048]
            C = ((Xs[:, None, :] - Y[None, :, :]) ** 2).sum(-1) / 2
            w = torch.softmax((F[s : s + 2048, None] + G[None, :] - C) / eps + b_log[None, :], dim=1)
            out[s : s + 2048] = (w @ Y).double().numpy()
        seconds = time.perf_counter() - t0
    iterations = None
    notes = []
elif peer == "pot":
    try:
        import ot
    except ImportError as e:
        print(json.dumps({"missing": str(e)}))
        sys.exit(3)
    t0 = time.perf_counter()
    M = ot.dist(x, y, metric="sqeuclidean") / 2
    e = 1 + eps / rho
    a = np.full(n, 1 / n) ** e
    b = np.full(m, 1 / m) ** e
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan, log = ot.unbalanced.sinkhorn_stabilized_unbalanced(a, b, M, eps, rho, numItermax=2000, log=True)
    notes = sorted({str(w.message) for w in caught})
    del M
    out = (plan @ y) / plan.sum(1, keepdims=True)
    seconds = time.perf_counter() - t0
    # POT records its error every 10th iteration (0: it stopped in its first iteration, see its warnings)
    iterations = int(len(log["err"]) * 10)
else:
    raise SystemExit(f"unknown peer {peer}")

out.astype("<f8").tofile(outf)
print(json.dumps({"seconds": seconds, "iterations": iterations, "threads": threads, "warnings": notes}))
