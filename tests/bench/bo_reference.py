#!/usr/bin/python3
"""bo_reference.py: an independent Python reference of Syne Tune 0.13.0's
GP-BO (``GPFIFOSearcher`` in a ``FIFOScheduler``) and random search, for the
sequential ask/tell harness of schedulers reference §7.4, written from
/work/shared/reference/schedulers.md (§1 sampling/encoding/midpoint, §2, §3,
§6.1 seeds, Appendix A/B). It is the yardstick hpolab's bayesopt searcher is
compared with (issue 4: Hartmann-6 after 10 evaluations).

Scope: float ``uniform`` domains only (Branin, Hartmann-6), one worker, no
pending evaluations (so no fantasies), mode min.

What it implements, all in numpy/scipy (use /usr/bin/python3: numpy 1.24.2,
scipy 1.10.1, the versions Syne Tune's reference runs used):
* seeds (§6.1): RandomState(master) -> searcher seed (1st randint(0, 2^31-1)),
  GP seed (2nd), as hpolab's bayesopt does since it gets the scheduler's
  second draw as ``model_seed``; ``--gp-seed hpolab`` uses what bayesopt
  derives for a scheduler built against ABI 1.0 (and did before 1.1):
  the 1st draw of RandomState(searcher seed);
* the midpoint first, then random configs drawn key by key in insertion
  order (``rs.uniform(l, u)``), duplicates by 7-digit match strings;
* random phase while fewer than num_init_random (3) configs are known;
* the GP (§3.4-3.5): population-std target normalisation (floor 1e-9),
  Matérn-5/2 ARD (squared distances through norms, then abs, sqrt(5D+1e-9)),
  constant mean, noise, penalties (Gamma(0.1, 0.1) noise, log-normal scale,
  normal mean, uniform bandwidths), jitter loop, log-space box; the NLL
  gradient is analytic (``--check-grad`` compares it with finite
  differences, as it does the EI gradient);
* the fit (§3.6): reset to the initial values; restart 0 from them, restart
  1 from clip(init + N(0,1)) (GP RNG, order [noise, scale, mean, bandwidths]);
  scipy ``minimize(method="L-BFGS-B", jac=True, tol=1e-6,
  options={"maxiter": 50})``; winner = restart with the smallest value ever
  evaluated, its final point kept; a restart whose evaluation raises is
  skipped;
* the posterior and incumbent (§3.8: min predictive mean over the observed
  configs), 250 candidates (searcher RNG, one config per pass over the keys,
  excluded ones dropped, refill rounds), thompson_indep scores (one
  ``rs.normal(mean, std)`` per candidate, de-normalised), stable ascending
  sort, ``fmin_l_bfgs_b(-EI, x0, bounds=[(0,1)]*d, maxiter=1000)`` from the
  best candidate; its end point always used (§3.9 [QUIRK]), clipped,
  decoded; duplicate handling (end point, else candidate, else the next).

Usage:
  bo_reference.py table [--method RS|BO|both] [--problem branin|hartmann6|both]
                  [--seeds N] [--gp-seed syne|hpolab]
      medians and quartiles at the §7.4 checkpoints (numpy linear quantiles)
  bo_reference.py trace --problem hartmann6 --seed S [--evals K]
                  [--follow FILE] [--gp-seed ...]
      one JSON object per model-based decision: fitted hyperparameters per
      restart, incumbent, first candidates, Thompson top 5, local search
      start/end/EI/iterations, the chosen config and its value. --follow
      FILE (JSON lines {"trial": i, "config": {...}}, e.g. from
      ``bench_bayesopt trace``) forces the history to those configs, so
      every decision is taken on the same data as hpolab's; the searcher
      RNG stays in step because every decision draws the same numbers.
  bo_reference.py compare --history FILE [--internals FILE] [--evals K]
      replays hpolab's history (``bench_bayesopt trace``) decision by
      decision: per trial how far the reference's choice is from hpolab's;
      with --internals (fitted theta, objective, incumbent, Thompson top,
      local search end of each decision, JSON lines; a debug build of the
      plugin has to print them) also the NLL at hpolab's theta, the fit
      objectives, the Thompson ranking and the local search on the same
      theta
  bo_reference.py check-grad      NLL and EI gradients vs finite differences
                                  (exit 1 beyond 1e-4 relative)

Measured (2026-11-29, /usr/bin/python3):
* RS: every median and quartile of §7.4's RS rows, both problems, exactly.
* BO Hartmann-6, 10 seeds: k=10 -1.1096 [-1.3405, -1.0189] (Syne Tune's row
  exactly: the first 7 model-based decisions of every seed agree with Syne
  Tune's; restart 1 wins 34 of those 70 fits, so the GP seed and the restart
  draw order are confirmed too); k=20 -1.6326, k=40 -2.9335, k=60 -3.2201
  (Syne Tune -1.5390, -3.1754, -3.3034: from about the 10th-20th trial
  floating-point differences in the L-BFGS runs send trajectories apart,
  so later checkpoints are statistical; 64 seeds: -0.9991, -1.4074, -3.0535,
  -3.2852).
* BO Branin, 20 seeds: k=10 1.8652 [1.4112, 4.0961], k=20 0.5982, k=30
  0.4037 [0.3991, 0.4251], k=50 0.3983 [0.3979, 0.3988] (Syne Tune 1.8652
  [1.4627, 4.0961], 0.5529, 0.4037, 0.3984).
* Runtime: ~4 s per Hartmann-6 run of 60 evaluations.
"""
import argparse
import json
import math
import sys

import numpy as np
from numpy.random import RandomState
import scipy.linalg as spl
from scipy.optimize import minimize, fmin_l_bfgs_b
from scipy.special import erfc, gammaln

# ---- problems (§7.3) --------------------------------------------------------

SPACES = {
    "branin": [("x1", -5.0, 10.0), ("x2", 0.0, 15.0)],
    "hartmann6": [("x%d" % i, 0.0, 1.0) for i in range(6)],
}
CHECKPOINTS = {"branin": (20, 50, [10, 20, 30, 50]),
               "hartmann6": (10, 60, [10, 20, 40, 60])}


def branin(c):
    x1, x2 = c["x1"], c["x2"]
    b, cc, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    u = x2 - b * x1 * x1 + cc * x1 - 6
    return u * u + 10 * (1 - t) * math.cos(x1) + 10


H_ALPHA = [1.0, 1.2, 3.0, 3.2]
H_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
       [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
       [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def hartmann6(c):
    x = [c["x%d" % j] for j in range(6)]
    s = 0.0
    for i in range(4):
        e = 0.0
        for j in range(6):
            t = x[j] - H_P[i][j] * 1e-4
            e += H_A[i][j] * t * t
        s += H_ALPHA[i] * math.exp(-e)
    return -s


FUNCS = {"branin": branin, "hartmann6": hartmann6}

# ---- configuration space (§1, uniform floats only) -------------------------


class Space:
    def __init__(self, entries):
        self.entries = entries                   # insertion order: sampling
        self.sorted = sorted(entries)            # sorted keys: encoding
        self.d = len(entries)

    def sample(self, rs):
        return {k: float(rs.uniform(lo, hi)) for k, lo, hi in self.entries}

    def midpoint(self):
        return {k: min(max(float((lo + hi) / 2), lo), hi)
                for k, lo, hi in self.entries}

    def encode(self, cfg):
        return np.array([0.0 if hi == lo else
                         min(max((cfg[k] - lo) / (hi - lo), 0.0), 1.0)
                         for k, lo, hi in self.sorted])

    def decode(self, t):
        return {k: float(lo if hi == lo else
                         min(max(lo + float(t[i]) * (hi - lo), lo), hi))
                for i, (k, lo, hi) in enumerate(self.sorted)}

    def match(self, cfg):
        return ",".join("%s:%s" % (k, format(cfg[k], ".6e"))
                        for k, _, _ in self.sorted)

# ---- GP: Matérn-5/2 ARD, constant mean, noise (§3.5) -----------------------


LOG = math.log
INIT_THETA_HEAD = [LOG(1e-3), 0.0, 0.0]        # log noise, log c, mean
NUM_JITTER = 1e-9


def theta_init(d):
    return np.array(INIT_THETA_HEAD + [0.0] * d)


def theta_bounds(d):
    return ([(LOG(1e-9), LOG(1e6)), (LOG(1e-3), LOG(1e3)), (None, None)] +
            [(LOG(1e-4), LOG(100.0))] * d)


def sq_dist(X1, X2, b):
    """Squared weighted distances as Syne Tune computes them (norms, abs)."""
    s1, s2 = X1 * b, X2 * b
    D = -2.0 * s1 @ s2.T
    D = D + np.sum(s1 * s1, 1)[:, None] + np.sum(s2 * s2, 1)[None, :]
    return np.abs(D)


def matern(D, c):
    B = np.sqrt(5.0 * D + NUM_JITTER)
    K = c * (1.0 + B + 5.0 / 3.0 * D) * np.exp(-B)
    dK = c * np.exp(-B) * (-5.0 / 6.0) * (1.0 + 5.0 * D / B)   # dK/dD
    return K, dK


def chol_jitter(K, sigsq):
    """AddJitterOp: sigsq, then sigsq + 1e-9 s 10^k, k = 0.. (s = max(1,
    mean diag K)) while the jitter is <= 1e3 s."""
    n = K.shape[0]
    s = max(1.0, float(np.mean(np.diag(K))))
    jit, upper = 0.0, 1e3 * s
    while jit <= upper:
        try:
            L = spl.cholesky(K + np.eye(n) * (sigsq + jit), lower=True)
            return L, jit
        except spl.LinAlgError:
            jit = 1e-9 * s if jit == 0.0 else jit * 10.0
    raise RuntimeError("jitter reached its upper bound %g" % upper)


def unpack(theta):
    return (math.exp(theta[0]), math.exp(theta[1]), float(theta[2]),
            np.exp(theta[3:]))


def penalty(theta, d):
    noise, c, mu, _ = unpack(theta)
    ns, cs = max(noise, 1e-12), max(c, 1e-12)
    pen = 0.9 * math.log(ns) + ns + gammaln(0.1)             # Gamma(0.1, 0.1)
    pen += math.log(cs) + 0.5 * math.log(cs) ** 2            # log-normal(0, 1)
    pen += 0.5 * mu * mu                                     # normal(0, 1)
    pen += d * math.log(100.0 - 1e-4)                        # uniform
    g = np.zeros(len(theta))
    g[0] = (0.9 + noise) if noise > 1e-12 else 0.0
    g[1] = (1.0 + math.log(c)) if c > 1e-12 else 0.0
    g[2] = mu
    return pen, g


def nll(theta, X, y, want_grad=True):
    """Negative log marginal likelihood + penalties and its gradient."""
    n, d = X.shape
    noise, c, mu, b = unpack(theta)
    D = sq_dist(X, X, b)
    K, dK = matern(D, c)
    L, _ = chol_jitter(K, noise)
    z = y - mu
    p = spl.solve_triangular(L, z, lower=True)
    val = 0.5 * (n * math.log(2 * math.pi) +
                 2.0 * np.sum(np.log(np.abs(np.diag(L))))) + 0.5 * p @ p
    pen, gpen = penalty(theta, d)
    val += pen
    if not want_grad:
        return val
    alpha = spl.solve_triangular(L, p, lower=True, trans="T")
    Ainv = spl.cho_solve((L, True), np.eye(n))
    W = Ainv - np.outer(alpha, alpha)
    g = gpen.copy()
    g[0] += 0.5 * np.trace(W) * noise
    g[1] += 0.5 * np.sum(W * K)
    g[2] += -np.sum(alpha)
    WdK = W * dK
    for l in range(d):
        diff2 = (X[:, l][:, None] - X[:, l][None, :]) ** 2
        g[3 + l] += np.sum(WdK * diff2) * b[l] ** 2
    return val, g


class Posterior:
    def __init__(self, theta, X, y):
        self.theta = theta
        self.X = X
        self.noise, self.c, self.mu, self.b = unpack(theta)
        K, _ = matern(sq_dist(X, X, self.b), self.c)
        self.L, self.jitter = chol_jitter(K, self.noise)
        p = spl.solve_triangular(self.L, y - self.mu, lower=True)
        self.alpha = spl.solve_triangular(self.L, p, lower=True, trans="T")

    def predict(self, Xs):
        """Normalised mean and latent variance (floored at 1e-12)."""
        k, _ = matern(sq_dist(self.X, Xs, self.b), self.c)
        V = spl.solve_triangular(self.L, k, lower=True)
        mean = k.T @ self.alpha + self.mu
        var = np.maximum(self.c - np.sum(V * V, 0), 1e-12)
        return mean, var

    def predict_grad(self, x):
        """mean, var at x and their gradients in x."""
        k, dk = matern(sq_dist(self.X, x[None, :], self.b), self.c)
        k, dk = k[:, 0], dk[:, 0]
        dkdx = dk[:, None] * 2.0 * (self.b ** 2)[None, :] * (x[None, :] - self.X)
        mean = k @ self.alpha + self.mu
        dmean = dkdx.T @ self.alpha
        v = spl.solve_triangular(self.L, k, lower=True)
        var = self.c - v @ v
        if var > 1e-12:
            w = spl.solve_triangular(self.L, v, lower=True, trans="T")
            dvar = -2.0 * dkdx.T @ w
        else:
            var, dvar = 1e-12, np.zeros_like(x)
        return mean, var, dmean, dvar


def norm_pdf(u):
    return math.exp(-0.5 * u * u) / math.sqrt(2 * math.pi)


def norm_cdf(u):
    return 0.5 * erfc(-u / math.sqrt(2))


class NegEI:
    """-EI (§3.9) on de-normalised predictions, with gradient in x."""

    def __init__(self, post, ym, ys, fstar, xi=0.01):
        self.post, self.ym, self.ys, self.fstar, self.xi = post, ym, ys, fstar, xi
        self.nevals = 0

    def __call__(self, x):
        self.nevals += 1
        m, v, dm, dv = self.post.predict_grad(np.asarray(x, float))
        mean = m * self.ys + self.ym
        sd = math.sqrt(v) * self.ys
        s = max(sd, 1e-10)
        u = (self.fstar - mean - self.xi) / s
        Phi, phi = norm_cdf(u), norm_pdf(u)
        val = -s * (u * Phi + phi)
        dsd = dv / (2.0 * math.sqrt(v)) * self.ys if v > 1e-12 else 0.0 * dv
        grad = Phi * dm * self.ys - phi * dsd
        return val, grad

# ---- searcher ---------------------------------------------------------------


def seed_draws(master, k):
    g = RandomState(master)
    return [int(g.randint(0, 2 ** 31 - 1)) for _ in range(k)]


class Searcher:
    """mode 'RS' or 'BO'; one worker, sequential (no pending)."""

    def __init__(self, space, master, mode, gp_seed="syne",
                 num_init_random=3, num_candidates=250, trace=False):
        self.space, self.mode = space, mode
        s = seed_draws(master, 2)
        self.rs = RandomState(s[0])
        if gp_seed == "hpolab":  # hpolab: first draw of RandomState(searcher seed)
            gseed = seed_draws(s[0], 1)[0]
        else:
            gseed = s[1]
        self.gp_rs = RandomState(gseed)
        self.seeds = (s[0], gseed)
        self.initial = [space.midpoint()]
        self.configs, self.ys = [], []         # observed, in trial order
        self.excl = set()                      # match strings of all trials
        self.rand_excl = set()                 # the inner RandomSearcher's list
        self.num_init_random = num_init_random
        self.num_candidates = num_candidates
        self.trace = trace
        self.last = None                       # trace of the last decision
        self.theta_given = None                # {n observations: theta}

    # §2 / §3.3 step 3: RandomSearcher.get_config sharing the RNG
    def _random_searcher(self):
        for _ in range(100):
            c = self.space.sample(self.rs)
            m = self.space.match(c)
            if m not in self.rand_excl:
                self.rand_excl.add(m)
                return c
        return None

    def _random(self):
        if self.mode == "RS":
            for _ in range(100):
                c = self.space.sample(self.rs)
                if self.space.match(c) not in self.excl:
                    return c
            return None
        for _ in range(50):
            c = self._random_searcher()
            if c is not None and self.space.match(c) not in self.excl:
                return c
        return None

    def suggest(self):
        self.last = None
        if self.initial:
            c = self.initial.pop(0)
        elif self.mode == "RS" or len(self.excl) < self.num_init_random \
                or not self.ys:
            c = self._random()
        else:
            c = self._model_based()
        if c is not None:
            self.excl.add(self.space.match(c))
        return c

    def tell(self, cfg, y):
        self.configs.append(cfg)
        self.ys.append(y)

    # §3.6 fit
    def _fit(self, X, yn):
        d = X.shape[1]
        init = theta_init(d)
        bounds = theta_bounds(d)
        best_val, best_theta, runs = None, init.copy(), []
        for r in range(2):
            if r == 0:
                start = init.copy()
            else:
                start = init + self.gp_rs.normal(0.0, 1.0, size=len(init))
                for i, (lo, hi) in enumerate(bounds):
                    start[i] = min(max(start[i], -np.inf if lo is None else lo),
                                   np.inf if hi is None else hi)
            seen = [np.inf]

            def f(th):
                v, g = nll(th, X, yn)
                seen[0] = min(seen[0], v)
                return v, g
            try:
                res = minimize(f, start, jac=True, method="L-BFGS-B",
                               bounds=bounds, tol=1e-6,
                               options={"maxiter": 50})
            except Exception as e:  # noqa: BLE001 (Syne Tune skips it)
                runs.append({"start": start.tolist(), "error": str(e)})
                continue
            runs.append({"start": start.tolist(), "end": res.x.tolist(),
                         "best_seen": seen[0], "final": float(res.fun),
                         "nit": int(res.nit), "nfev": int(res.nfev),
                         "message": str(res.message)})
            if best_val is None or seen[0] < best_val:
                best_val, best_theta = seen[0], res.x.copy()
        return best_theta, best_val, runs

    def _model_based(self):
        sp = self.space
        X = np.vstack([sp.encode(c) for c in self.configs])
        y = np.array(self.ys, float)
        ym = float(np.mean(y))
        ys = max(float(np.std(y)), 1e-9)
        yn = (y - ym) / ys
        theta, fval, runs = self._fit(X, yn)
        given = self.theta_given.get(len(self.ys)) if self.theta_given else None
        if given is not None:   # another fit's values (the GP RNG kept in step)
            own_theta, own_fval = theta, fval
            theta = np.array(given, float)
            fval = nll(theta, X, yn, False)
        post = Posterior(theta, X, yn)
        mean_obs, _ = post.predict(X)
        fstar = float(np.min(mean_obs * ys + ym))
        # §3.9 step 1: candidates, refill rounds when some are excluded
        want, cands = self.num_candidates, []
        for i in range(20):
            ask = min(want, (want - len(cands)) * (i + 1))
            new = [c for c in (sp.sample(self.rs) for _ in range(ask))
                   if sp.match(c) not in self.excl]
            cands += new[:want - len(cands)]
            if len(cands) == want:
                break
        if not cands:
            return None
        Xc = np.vstack([sp.encode(c) for c in cands])
        mc, vc = post.predict(Xc)
        means, stds = mc * ys + ym, np.sqrt(vc) * ys
        # §3.9 step 2: independent Thompson draws
        scores = [float(np.mean(self.rs.normal(np.array([m]), s)))
                  for m, s in zip(means, stds)]
        order = sorted(range(len(cands)), key=lambda i: scores[i])
        acq = NegEI(post, ym, ys, fstar)
        visited, chosen, ls = set(), None, []
        for i in order:
            m = sp.match(cands[i])
            if m in visited:
                continue
            visited.add(m)
            x0 = Xc[i]
            acq.nevals = 0
            a0 = acq(x0)[0]
            xo, fo, info = fmin_l_bfgs_b(acq, x0=x0,
                                         bounds=[(0.0, 1.0)] * sp.d,
                                         maxiter=1000)
            xo = np.clip(xo, 0.0, 1.0)   # [QUIRK] the end point always
            opt = sp.decode(xo)
            ls.append({"cand": i, "x0": x0.tolist(), "ei0": a0,
                       "x": xo.tolist(), "ei": float(fo),
                       "nit": int(info["nit"]), "nfev": acq.nevals,
                       "task": str(info["task"])})
            if sp.match(opt) not in self.excl:
                chosen = opt
                break
            if m not in self.excl:
                chosen = cands[i]
                break
        if self.trace:
            noise, c, mu, b = unpack(theta)
            self.last = {} if given is None else {
                "own_theta": own_theta.tolist(), "own_objective": own_fval}
            self.last.update({
                "n": len(y), "ymean": ym, "ystd": ys,
                "theta": theta.tolist(), "objective": fval,
                "noise": noise, "scale": c, "mean": mu, "inv_bw": b.tolist(),
                "restarts": runs, "jitter": post.jitter, "incumbent": fstar,
                "cand0": sp.encode(cands[0]).tolist(),
                "cand_last": sp.encode(cands[-1]).tolist(),
                "thompson_top5": [[i, scores[i], float(means[i]),
                                   float(stds[i])] for i in order[:5]],
                "local": ls,
            })
        return chosen


def quantiles(v):
    v = np.asarray(v, float)
    return (np.quantile(v, 0.5), np.quantile(v, 0.25), np.quantile(v, 0.75))


def run(problem, mode, seed, evals, gp_seed="syne", follow=None, trace=None,
        theta_given=None):
    sp = Space(SPACES[problem])
    f = FUNCS[problem]
    s = Searcher(sp, seed, mode, gp_seed, trace=trace is not None)
    s.theta_given = theta_given
    best, out = math.inf, []
    for i in range(evals):
        c = s.suggest()
        if c is None:
            raise RuntimeError("seed %d: no configuration at trial %d" % (seed, i))
        own = c
        if follow is not None and i < len(follow):
            c = follow[i]
            s.excl.discard(sp.match(own))
            s.excl.add(sp.match(c))
        y = f(c)
        s.tell(c, y)
        best = min(best, y)
        out.append(best)
        if trace is not None:
            rec = {"seed": seed, "trial": i, "config": own, "value": f(own)}
            if follow is not None and i < len(follow):
                rec["followed"] = c
                rec["followed_value"] = y
            if s.last is not None:
                rec.update(s.last)
            trace.write(json.dumps(rec) + "\n")
    return out


def table(args):
    probs = ["branin", "hartmann6"] if args.problem == "both" else [args.problem]
    methods = ["RS", "BO"] if args.method == "both" else [args.method]
    for p in probs:
        nseeds, evals, ks = CHECKPOINTS[p]
        if args.seeds:
            nseeds = args.seeds
        if args.evals:
            evals = min(evals, args.evals)
            ks = [k for k in ks if k <= evals]
        print("\n%s, %d seeds: median [25 %%, 75 %%] of the best after k" %
              (p, nseeds))
        for m in methods:
            per = [run(p, m, s, evals, args.gp_seed) for s in range(nseeds)]
            row = "%-4s" % m
            for k in ks:
                med, lo, hi = quantiles([b[k - 1] for b in per])
                row += "  k=%-3d %8.4f [%.4f, %.4f]" % (k, med, lo, hi)
            print(row)
            if args.per_seed:
                for k in ks:
                    print("  k=%d per seed: %s" % (k, " ".join(
                        "%.4f" % b[k - 1] for b in per)))
            sys.stdout.flush()


def trace(args):
    follow = None
    if args.follow:
        follow = []
        with open(args.follow) as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    if rec.get("seed", args.seed) == args.seed:
                        follow.append({k: float(v) for k, v in
                                       rec["config"].items()})
    theta_given = None
    if args.theta_from:
        theta_given = {}
        with open(args.theta_from) as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    if rec.get("seed", args.seed) == args.seed:
                        theta_given[rec["trial"]] = rec["theta"]
    run(args.problem, "BO", args.seed, args.evals, args.gp_seed, follow,
        sys.stdout, theta_given)


def load_jsonl(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def compare(args):
    """hpolab's history (bench_bayesopt trace) against the reference's
    decisions on the same data: per seed, the first trial where they differ;
    with --internals (JSON lines {seed, trial, theta, objective, top,
    local: [{x, ei}]}, from a debug build of the plugin) also the fit and
    the local search on hpolab's hyperparameters."""
    hist = load_jsonl(args.history)
    inter = {}
    if args.internals:
        for r in load_jsonl(args.internals):
            inter[(r["seed"], r["trial"])] = r
    seeds = sorted({r["seed"] for r in hist})
    for seed in seeds:
        follow = [{k: float(v) for k, v in r["config"].items()}
                  for r in sorted((r for r in hist if r["seed"] == seed),
                                  key=lambda r: r["trial"])][:args.evals]
        given = {t: r["theta"] for (sd, t), r in inter.items() if sd == seed}
        buf = _Lines()
        run(args.problem, "BO", seed, len(follow), args.gp_seed, follow, buf,
            given or None)
        first = None
        for rec in buf.recs:
            t = rec["trial"]
            if t < 3:
                continue
            hp = follow[t]
            dx = max(abs(rec["config"][k] - hp[k]) for k in hp)
            row = {"seed": seed, "trial": t, "dx_decision": dx,
                   "ref_value": rec["value"], "hp_value": rec["followed_value"]}
            h = inter.get((seed, t))
            if h is not None:
                row["nll_formula_diff"] = rec["objective"] - h["objective"]
                row["fit_own_minus_hp"] = rec["own_objective"] - h["objective"]
                row["theta_dmax"] = max(abs(a - b) for a, b in
                                        zip(rec["own_theta"], h["theta"]))
                row["same_top"] = rec["thompson_top5"][0][0] == h["top"][0]
                row["top_score_diff"] = rec["thompson_top5"][0][1] - h["top"][1]
                row["incumbent_diff"] = rec["incumbent"] - h["incumbent"]
                rl, hl = rec["local"][0], h["local"][0]
                row["local_dx"] = max(abs(a - b) for a, b in zip(rl["x"], hl["x"]))
                row["local_ei_ref_minus_hp"] = rl["ei"] - hl["ei"]
                row["ref_on_bound"] = sum(v in (0.0, 1.0) for v in rl["x"])
                row["hp_near_bound"] = sum(min(v, 1 - v) < 1e-4 and
                                           v not in (0.0, 1.0) for v in hl["x"])
            if first is None and dx > 1e-6:
                first = t
            print(json.dumps(row))
        print(json.dumps({"seed": seed, "first_different_decision": first}))
        sys.stdout.flush()


class _Lines:
    def __init__(self):
        self.recs = []

    def write(self, line):
        self.recs.append(json.loads(line))


def check_grad(_args):
    rs = RandomState(1)
    worst = 0.0
    for n, d in [(4, 2), (9, 6), (20, 6)]:
        X = rs.uniform(0, 1, size=(n, d))
        y = rs.normal(size=n)
        for _ in range(5):
            th = np.concatenate([[rs.uniform(-6, 0), rs.uniform(-1, 1),
                                  rs.normal()], rs.uniform(-2, 2, size=d)])
            v, g = nll(th, X, y)
            for i in range(len(th)):
                e = np.zeros(len(th))
                e[i] = 1e-6
                fd = (nll(th + e, X, y, False) - nll(th - e, X, y, False)) / 2e-6
                err = abs(fd - g[i]) / max(1.0, abs(fd))
                worst = max(worst, err)
        post = Posterior(th, X, y)
        acq = NegEI(post, 0.3, 1.7, float(np.min(post.predict(X)[0])) * 1.7 + 0.3)
        for _ in range(5):
            x = rs.uniform(0, 1, size=d)
            v, g = acq(x)
            for i in range(d):
                e = np.zeros(d)
                e[i] = 1e-6
                fd = (acq(x + e)[0] - acq(x - e)[0]) / 2e-6
                err = abs(fd - g[i]) / max(1e-3, abs(fd))
                worst = max(worst, err)
    print("largest relative gradient error (NLL, EI): %.2e" % worst)
    return 0 if worst < 1e-4 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("table")
    t.add_argument("--method", default="both", choices=["RS", "BO", "both"])
    t.add_argument("--problem", default="both",
                   choices=["branin", "hartmann6", "both"])
    t.add_argument("--seeds", type=int, default=0)
    t.add_argument("--gp-seed", default="syne", choices=["syne", "hpolab"])
    t.add_argument("--per-seed", action="store_true")
    t.add_argument("--evals", type=int, default=0,
                   help="stop after this many evaluations (fewer checkpoints)")
    r = sub.add_parser("trace")
    r.add_argument("--problem", default="hartmann6", choices=list(SPACES))
    r.add_argument("--seed", type=int, required=True)
    r.add_argument("--evals", type=int, default=10)
    r.add_argument("--follow")
    r.add_argument("--gp-seed", default="syne", choices=["syne", "hpolab"])
    r.add_argument("--theta-from",
                   help="JSON lines {seed, trial, theta}: decide with these "
                   "hyperparameters (trial = number of observations)")
    c = sub.add_parser("compare")
    c.add_argument("--history", required=True,
                   help="bench_bayesopt trace output (JSON lines)")
    c.add_argument("--internals")
    c.add_argument("--problem", default="hartmann6", choices=list(SPACES))
    c.add_argument("--evals", type=int, default=10)
    c.add_argument("--gp-seed", default="hpolab", choices=["syne", "hpolab"])
    sub.add_parser("check-grad")
    args = ap.parse_args()
    if args.cmd == "table":
        table(args)
    elif args.cmd == "trace":
        trace(args)
    elif args.cmd == "compare":
        compare(args)
    else:
        return check_grad(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
