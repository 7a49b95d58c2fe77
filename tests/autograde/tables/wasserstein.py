"""03_wasserstein: known-wrong answers must fail exactly the listed test cells; alternatives pass all."""
from ..variants import Table, Variant

OT_FEASIBLE, OT_OPTIMAL = "test_optimal_transport_feasible", "test_optimal_transport_optimal"
DP_VALUE, DP_CRITIC = "test_dual_potential_value", "test_dual_potential_critic"

OT = "optimal_transport"
DP = "dual_potential"

SIGNATURES = {OT: "(p, q, cost)", DP: "(p, q, cost)"}

# The released answer cells start like this (imports and input conversion), then the student's code.
_OT_HEAD = """
import numpy as np
from scipy.optimize import linprog


def optimal_transport(p, q, cost):
    p, q, cost = np.asarray(p, dtype=float), np.asarray(q, dtype=float), np.asarray(cost, dtype=float)
    n, m = cost.shape
"""
_DP_HEAD = """
import numpy as np
from scipy.optimize import linprog


def dual_potential(p, q, cost):
    p, q, cost = np.asarray(p, dtype=float), np.asarray(q, dtype=float), np.asarray(cost, dtype=float)
    n = len(p)
"""
# Row-major vec(P) (numpy's ravel): P[i, j] is variable i * m + j.
_ROW_MAJOR_A = """
    rows = np.kron(np.eye(n), np.ones((1, m)))
    cols = np.kron(np.ones((1, n)), np.eye(m))
"""
# Every ordered pair i != j: f_i - f_j <= d_ij.
_ALL_PAIRS = """
    i, j = np.nonzero(~np.eye(n, dtype=bool))
    A_ub = np.zeros((len(i), n))
    A_ub[np.arange(len(i)), i] = 1.0
    A_ub[np.arange(len(i)), j] = -1.0
"""


def _ot(body: str) -> str:
    return _OT_HEAD + body


def _dp(body: str) -> str:
    return _DP_HEAD + body


TABLE = Table("03_wasserstein", "wasserstein", SIGNATURES, (
    # ---- optimal_transport: mistakes
    Variant("ot_marginals_swapped", OT, _ot(_ROW_MAJOR_A + """
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([q, p]))
    plan = res.x.reshape(n, m)
    return plan, float((plan * cost).sum())
    """), fails=(OT_FEASIBLE, OT_OPTIMAL), roundtrip=True),
    Variant("ot_rows_only", OT, _ot(_ROW_MAJOR_A + """
    res = linprog(cost.ravel(), A_eq=rows, b_eq=p)
    plan = res.x.reshape(n, m)
    return plan, float((plan * cost).sum())
    """), fails=(OT_FEASIBLE, OT_OPTIMAL)),
    Variant("ot_maximises", OT, _ot(_ROW_MAJOR_A + """
    res = linprog(-cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]))
    plan = res.x.reshape(n, m)
    return plan, float((plan * cost).sum())
    """), fails=(OT_OPTIMAL,)),
    Variant("ot_cost_flattened_column_major", OT, _ot(_ROW_MAJOR_A + """
    res = linprog(cost.ravel(order="F"), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]))
    plan = res.x.reshape(n, m)
    return plan, float((plan * cost).sum())
    """), fails=(OT_OPTIMAL,)),
    Variant("ot_constraints_column_major", OT, _ot("""
    rows = np.kron(np.ones((1, m)), np.eye(n))   # right for vec(P) in column-major order...
    cols = np.kron(np.eye(m), np.ones((1, n)))
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]))
    plan = res.x.reshape(n, m)                   # ...but the cost and the plan are row-major
    return plan, float((plan * cost).sum())
    """), fails=(OT_FEASIBLE, OT_OPTIMAL)),
    Variant("ot_free_bounds", OT, _ot(_ROW_MAJOR_A + """
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]), bounds=(None, None))
    plan = res.x.reshape(n, m)
    return plan, float((plan * cost).sum())
    """), fails=(OT_FEASIBLE, OT_OPTIMAL)),
    Variant("ot_independent_coupling", OT, _ot("""
    plan = np.outer(p, q)                        # feasible, but nothing is optimised
    return plan, float((plan * cost).sum())
    """), fails=(OT_OPTIMAL,)),
    Variant("ot_total_is_mass", OT, _ot(_ROW_MAJOR_A + """
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]))
    plan = res.x.reshape(n, m)
    return plan, float(plan.sum())
    """), fails=(OT_OPTIMAL,)),
    Variant("ot_flat_plan", OT, _ot(_ROW_MAJOR_A + """
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]))
    return res.x, float(res.fun)
    """), fails=(OT_FEASIBLE, OT_OPTIMAL)),
    Variant("ot_plan_as_tensor", OT, _ot(_ROW_MAJOR_A + """
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]))
    return torch.tensor(res.x.reshape(n, m)), float(res.fun)
    """), fails=(OT_FEASIBLE,)),
    Variant("ot_syntax_error", OT, _ot(_ROW_MAJOR_A + """
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q])
    plan = res.x.reshape(n, m)
    return plan, float((plan * cost).sum())
    """), fails=(OT_FEASIBLE, OT_OPTIMAL)),
    # ---- optimal_transport: correct alternatives
    Variant("ot_loops_column_major", OT, _ot("""
    # vec(P) in column-major order: P[i, j] is variable j * n + i.
    A = np.zeros((n + m, n * m))
    for i in range(n):
        for j in range(m):
            A[i, j * n + i] = 1.0
            A[n + j, j * n + i] = 1.0
    res = linprog(cost.flatten(order="F"), A_eq=A, b_eq=np.concatenate([p, q]), method="highs-ds")
    plan = res.x.reshape((n, m), order="F")
    return plan, res.fun
    """)),
    Variant("ot_sparse_ipm", OT, """
        import numpy as np
        import scipy.sparse as sp
        from scipy.optimize import linprog


        def optimal_transport(p, q, cost):
            p, q, cost = np.asarray(p, dtype=np.float32), np.asarray(q, dtype=np.float32), np.asarray(cost)
            n, m = cost.shape
            A = sp.vstack([sp.kron(sp.eye(n), np.ones((1, m))), sp.kron(np.ones((1, n)), sp.eye(m))]).tocsr()
            res = linprog(cost.reshape(-1), A_eq=A, b_eq=np.hstack([p, q]), method="highs-ipm")
            plan = res.x.reshape(n, m)
            return plan, float(np.sum(plan * cost))
        """),
    Variant("ot_redundant_row_dropped", OT, _ot(_ROW_MAJOR_A + """
    # the n + m equalities are linearly dependent (both blocks sum to 1): drop the last one
    A_eq, b_eq = np.vstack([rows, cols])[:-1], np.concatenate([p, q])[:-1]
    res = linprog(cost.ravel(), A_eq=A_eq, b_eq=b_eq, bounds=[(0, None)] * (n * m))
    plan = res.x.reshape(n, m)
    return plan, float(cost.ravel() @ res.x)
    """)),
    Variant("ot_einsum_indices", OT, _ot("""
    idx = np.arange(n * m).reshape(n, m)
    A = np.zeros((n + m, n * m))
    A[np.repeat(np.arange(n), m), idx.ravel()] = 1
    A[n + np.tile(np.arange(m), n), idx.ravel()] = 1
    res = linprog(c=cost.reshape(n * m), A_eq=A, b_eq=np.r_[p, q], method="highs")
    plan = np.clip(res.x, 0, None).reshape(n, m)
    return plan, float(np.einsum("ij,ij->", plan, cost))
    """)),
    # ---- dual_potential: mistakes
    Variant("dp_half_constraints", DP, _dp("""
    i, j = np.triu_indices(n, k=1)               # f_i - f_j <= d_ij for i < j only
    A_ub = np.zeros((len(i), n))
    A_ub[np.arange(len(i)), i] = 1.0
    A_ub[np.arange(len(i)), j] = -1.0
    res = linprog(-(p - q), A_ub=A_ub, b_ub=cost[i, j], bounds=(None, None))
    return res.x, float((p - q) @ res.x)
    """), fails=(DP_VALUE, DP_CRITIC)),
    Variant("dp_minimises", DP, _dp(_ALL_PAIRS + """
    res = linprog(p - q, A_ub=A_ub, b_ub=cost[i, j], bounds=(None, None))
    return res.x, float((p - q) @ res.x)
    """), fails=(DP_VALUE, DP_CRITIC)),
    Variant("dp_value_q_minus_p", DP, _dp(_ALL_PAIRS + """
    res = linprog(-(p - q), A_ub=A_ub, b_ub=cost[i, j], bounds=(None, None))
    return res.x, float((q - p) @ res.x)
    """), fails=(DP_VALUE,)),
    Variant("dp_value_is_res_fun", DP, _dp(_ALL_PAIRS + """
    res = linprog(-(p - q), A_ub=A_ub, b_ub=cost[i, j], bounds=(None, None))
    return res.x, float(res.fun)                 # the minimum of -(p - q) . f: the sign is wrong
    """), fails=(DP_VALUE,)),
    Variant("dp_potential_sign", DP, _dp(_ALL_PAIRS + """
    res = linprog(p - q, A_ub=A_ub, b_ub=cost[i, j], bounds=(None, None))
    return res.x, -float(res.fun)                # the value is right, but res.x minimises: it is -f
    """), fails=(DP_CRITIC,)),
    Variant("dp_unconstrained", DP, _dp("""
    res = linprog(-(p - q), bounds=(None, None))  # unbounded: res.x is None
    return res.x, float((p - q) @ res.x)
    """), fails=(DP_VALUE, DP_CRITIC)),
    Variant("dp_neighbours_only", DP, _dp("""
    # |f_(k+1) - f_k| <= d_(k,k+1): enough on a line, not for a general metric
    k = np.arange(n - 1)
    A_ub = np.zeros((2 * (n - 1), n))
    A_ub[k, k], A_ub[k, k + 1] = 1.0, -1.0
    A_ub[n - 1 + k, k], A_ub[n - 1 + k, k + 1] = -1.0, 1.0
    b_ub = np.tile(cost[k, k + 1], 2)
    res = linprog(-(p - q), A_ub=A_ub, b_ub=b_ub, bounds=(None, None))
    return res.x, float((p - q) @ res.x)
    """), fails=(DP_VALUE, DP_CRITIC)),
    Variant("dp_lipschitz_bound_one", DP, _dp(_ALL_PAIRS + """
    res = linprog(-(p - q), A_ub=A_ub, b_ub=np.ones(len(i)), bounds=(None, None))  # |f_i - f_j| <= 1
    return res.x, float((p - q) @ res.x)
    """), fails=(DP_VALUE, DP_CRITIC)),
    Variant("dp_bounded_critic", DP, _dp("""
    res = linprog(-(p - q), bounds=(-1, 1))      # |f_i| <= 1 gives the total variation, not W
    return res.x, float((p - q) @ res.x)
    """), fails=(DP_VALUE, DP_CRITIC)),
    Variant("dp_syntax_error", DP, _dp(_ALL_PAIRS + """
    res = linprog(-(p - q), A_ub=A_ub, b_ub=cost[i, j], bounds=(None, None)
    return res.x, float((p - q) @ res.x)
    """), fails=(DP_VALUE, DP_CRITIC)),
    # ---- dual_potential: correct alternatives
    Variant("dp_default_bounds_loops", DP, _dp("""
    # default bounds f >= 0 are harmless: shifting f by a constant changes nothing
    rows, rhs = [], []
    for i in range(n):
        for j in range(n):
            if i != j:
                row = np.zeros(n)
                row[i], row[j] = 1.0, -1.0
                rows.append(row)
                rhs.append(cost[i, j])
    res = linprog(q - p, A_ub=np.array(rows), b_ub=rhs, method="highs-ds")
    return res.x, -res.fun
    """), roundtrip=True),
    Variant("dp_sparse_pairs_normalised", DP, """
        import numpy as np
        import scipy.sparse as sp
        from scipy.optimize import linprog


        def dual_potential(p, q, cost):
            p, q, cost = np.asarray(p, dtype=np.float32), np.asarray(q, dtype=np.float32), np.asarray(cost)
            n = len(p)
            i, j = np.triu_indices(n, k=1)
            D = sp.csr_matrix((np.r_[np.ones(len(i)), -np.ones(len(i))],
                               (np.r_[np.arange(len(i)), np.arange(len(i))], np.r_[i, j])), shape=(len(i), n))
            res = linprog(-(p - q), A_ub=sp.vstack([D, -D]), b_ub=np.r_[cost[i, j], cost[i, j]],
                          bounds=[(None, None)] * n, method="highs-ipm")
            f = res.x - res.x[0]
            return f, float(f @ (p - q))
        """),
    Variant("dp_from_primal_duals", DP, _dp("""
    # solve the primal; its equality duals (u, v) satisfy u_i + v_j <= d_ij, and the c-transform
    # f_i = min_j (d_ij - v_j) is 1-Lipschitz and optimal for the Kantorovich-Rubinstein dual
    A_eq = np.vstack([np.kron(np.eye(n), np.ones((1, n))), np.kron(np.ones((1, n)), np.eye(n))])
    res = linprog(cost.ravel(), A_eq=A_eq, b_eq=np.concatenate([p, q]), method="highs")
    v = res.eqlin.marginals[n:]
    f = (cost - v[None, :]).min(axis=1)
    return f, float(f @ p - f @ q)
    """)),
    Variant("dp_with_diagonal_and_mean_zero", DP, _dp("""
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    i, j = i.ravel(), j.ravel()                  # the pairs i == j add 0 <= 0: harmless
    A_ub = np.eye(n)[i] - np.eye(n)[j]
    res = linprog(q - p, A_ub=A_ub, b_ub=cost[i, j], bounds=(None, None), method="highs-ipm")
    f = res.x - res.x.mean()
    return f, float(np.dot(p - q, f))
    """)),
))
