import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sgdbalance.figures.scaling import scaling_law  # noqa: E402
from sgdbalance.nets import mlp  # noqa: E402


@pytest.fixture(scope="module")
def data():
    """A small 4-class problem: 40 samples, 6 inputs, one-hot targets."""
    rng = np.random.default_rng(np.random.SeedSequence(11))
    X = rng.normal(size=(40, 6))
    labels = rng.integers(0, 4, size=40)
    return X, np.eye(4)[labels]


def params(**changes):
    base = dict(
        depths=(1, 3),
        width=5,
        eta0=0.1,
        eta_fixed=0.05,
        batch=4,
        steps=60,
        n_runs=2,
        seed=5,
        n_checkpoints=8,
        n_tail=5,
    )
    return mlp.ScalingParams(**(base | changes))


def network(depth, rng, sizes=(6, 5, 3)):
    """A network with nonzero biases, so their gradients are tested too."""
    layer_sizes = [sizes[0]] + [sizes[1]] * depth + [sizes[2]]
    return mlp.init_layers(layer_sizes, "pytorch", 2.0, rng)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_gradient_equals_central_differences(depth):
    rng = np.random.default_rng(np.random.SeedSequence(depth))
    W, b = network(depth, rng)
    X, Y = rng.normal(size=(7, 6)), rng.normal(size=(7, 3))
    _, grad_W, grad_b = mlp.loss_and_grads(W, b, X, Y)
    h = 1e-6  # central differences: error O(h^2) ~ 1e-12, rounding ~ 1e-16 / h ~ 1e-10
    for params_, grads in ((W, grad_W), (b, grad_b)):
        for P, G in zip(params_, grads, strict=True):
            numeric = np.zeros_like(P)
            for i in np.ndindex(P.shape):
                old = P[i]
                P[i] = old + h
                up = mlp.loss_and_grads(W, b, X, Y)[0]
                P[i] = old - h
                down = mlp.loss_and_grads(W, b, X, Y)[0]
                P[i] = old
                numeric[i] = (up - down) / (2 * h)
            np.testing.assert_allclose(G, numeric, rtol=1e-6, atol=1e-8)


def test_loss_is_the_papers_squared_loss_without_a_half():
    rng = np.random.default_rng(np.random.SeedSequence(1))
    W, b = network(2, rng)
    X, Y = rng.normal(size=(9, 6)), rng.normal(size=(9, 3))
    f = np.tanh(np.tanh(X @ W[0] + b[0]) @ W[1] + b[1]) @ W[2] + b[2]
    loss = mlp.loss_and_grads(W, b, X, Y)[0]
    assert loss == pytest.approx(np.mean(np.sum((f - Y) ** 2, axis=1)), rel=1e-14)


def test_stacked_networks_match_networks_alone():
    rng = np.random.default_rng(np.random.SeedSequence(2))
    nets = [network(3, rng) for _ in range(3)]
    X, Y = rng.normal(size=(3, 8, 6)), rng.normal(size=(3, 8, 3))
    W = [np.stack([w[k] for w, _ in nets]) for k in range(4)]
    b = [np.stack([c[k] for _, c in nets]) for k in range(4)]
    loss, gW, gb = mlp.loss_and_grads(W, b, X, Y)
    for r, (w, c) in enumerate(nets):
        loss_r, gW_r, gb_r = mlp.loss_and_grads(w, c, X[r], Y[r])
        assert loss[r] == pytest.approx(loss_r, rel=1e-13)
        for k in range(4):
            np.testing.assert_allclose(gW[k][r], gW_r[k], rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(gb[k][r], gb_r[k], rtol=1e-12, atol=1e-15)


def test_first_step_is_eta_times_the_minibatch_mean_gradient(data):
    # Redo step 1 by hand from the run's own stream: S indices drawn with replacement.
    X, Y = data
    p = params(depths=(2,), steps=1, n_checkpoints=1, n_tail=1)
    stats = mlp.train_depth(p, X, Y, "inv_depth", 2)
    np.testing.assert_array_equal(mlp.eval_steps(p)[0], [0, 1])
    for run in range(p.n_runs):
        rng = mlp.run_rng(p.seed, "inv_depth", 2, run)
        W, b = mlp.init_layers([6, 5, 5, 4], p.init, p.init_gain, rng)
        idx = rng.integers(0, 40, size=(1, p.batch))[0]
        _, gW, gb = mlp.loss_and_grads(W, b, X[idx], Y[idx])
        eta = p.eta0 / 2
        before = mlp.loss_and_grads(W, b, X, Y)[0]
        W = [w - eta * g for w, g in zip(W, gW, strict=True)]
        b = [c - eta * g for c, g in zip(b, gb, strict=True)]
        after = mlp.loss_and_grads(W, b, X, Y)[0]
        assert stats["loss"][run, 0] == pytest.approx(before, rel=1e-13)
        assert stats["loss"][run, 1] == pytest.approx(after, rel=1e-13)
        assert after != pytest.approx(before, rel=1e-3)  # the step did move the network


def test_reproducible_and_seed_dependent(data):
    X, Y = data
    a = mlp.train_scaling(params(), X, Y)
    b = mlp.train_scaling(params(), X, Y)
    c = mlp.train_scaling(params(seed=6), X, Y)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["loss"], c["loss"])


def test_results_do_not_depend_on_which_depths_are_trained(data):
    X, Y = data
    both = mlp.train_scaling(params(depths=(1, 3)), X, Y)
    reversed_ = mlp.train_scaling(params(depths=(3, 1)), X, Y)
    alone = mlp.train_scaling(params(depths=(3,)), X, Y)
    for key in ("loss", "accuracy", "output_var", "tail_loss", "diverged_step"):
        np.testing.assert_array_equal(both[key][:, 1], reversed_[key][:, 0])
        np.testing.assert_array_equal(both[key][:, 1], alone[key][:, 0])
        np.testing.assert_array_equal(both[key][:, 0], reversed_[key][:, 1])
    np.testing.assert_array_equal(both["layer_norm2"][:, 1], alone["layer_norm2"][:, 0])


def test_a_run_does_not_depend_on_how_many_runs_train_beside_it(data):
    X, Y = data
    two = mlp.train_scaling(params(n_runs=2), X, Y)
    five = mlp.train_scaling(params(n_runs=5), X, Y)
    for key in ("loss", "layer_norm2", "output_var", "diverged_step"):
        np.testing.assert_array_equal(two[key], five[key][:, :, :2])


def test_shares_of_the_runs_merge_to_the_same_bits(data):
    """A network split into jobs (config key jobs) gives what one job gives."""
    X, Y = data
    p = params(n_runs=5, n_tail=16)  # past numpy's 8-way unrolled sums
    whole = mlp.train_scaling(p, X, Y)
    shares = (range(2, 5), range(1, 2), range(1))  # a share of one run sums differently
    merged = mlp.merge([mlp.train_scaling(p, X, Y, runs=r) for r in shares])
    assert merged.keys() == whole.keys()
    for key in whole:
        np.testing.assert_array_equal(merged[key], whole[key], err_msg=key)


def test_shapes_schedules_and_progress(data):
    X, Y = data
    calls = []
    p = params()
    stats = mlp.train_scaling(p, X, Y, progress=lambda done, total: calls.append((done, total)))
    K = stats["checkpoint_steps"].size
    assert stats["loss"].shape == (2, 2, 2, K) and stats["layer_norm2"].shape == (2, 2, 2, K, 4)
    np.testing.assert_allclose(stats["eta"], [[0.1, 0.1 / 3], [0.05, 0.05]])
    np.testing.assert_allclose(stats["temperature"], stats["eta"] / p.batch)
    assert np.isnan(stats["layer_norm2"][:, 0, :, :, 2:]).all()  # D = 1 has 2 weight matrices
    assert calls[-1] == (4 * p.steps, 4 * p.steps)
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:], strict=False))
    assert all(isinstance(v, np.ndarray | np.generic) and v.dtype != object for v in stats.values())
    assert (stats["loss"][..., -1] < stats["loss"][..., 0]).all()  # every run trained


def test_a_diverging_run_is_caught_and_stopped(data):
    X, Y = data
    stats = mlp.train_scaling(params(eta_fixed=50.0, init_gain=3.0), X, Y)
    div = stats["diverged_step"][1]
    assert (div >= 0).all() and (div < 60).all()
    assert np.isnan(stats["final_loss"][1]).all() and np.isnan(stats["output_var"][1]).all()
    assert np.isfinite(stats["final_loss"][0]).all()  # the eta0 / D runs are untouched


@pytest.mark.parametrize(
    "field, value",
    [
        ("depths", (0, 2)),
        ("depths", (2, 2)),
        ("width", 0),
        ("eta0", 0.0),
        ("eta_fixed", -1.0),
        ("batch", 0),
        ("steps", 0),
        ("n_runs", 0),
        ("init", "he"),
        ("init_gain", 0.0),
        ("n_probe", -1),
        ("tail_fraction", 1.5),
    ],
)
def test_bad_params_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        params(**{field: value})


def test_figure_on_tiny_stats(data):
    X, Y = data
    p = params(eta_fixed=50.0, init_gain=3.0)  # one schedule diverges: the figure copes
    fig = scaling_law(mlp.train_scaling(p, X, Y), p)
    assert isinstance(fig, plt.Figure)
    assert fig.get_suptitle().startswith("sklearn 8x8 digits, 40 images: ")
    assert len(fig.axes) == 3
    plt.close(fig)


def test_a_relu_network_is_not_split():
    from sgdbalance import nets

    spec = {"kind": "relu", "n": 50, "width": 4, "d_in": 3, "d_out": 3, "steps": 5, "n_runs": 2}
    with pytest.raises(ValueError, match="trains all its runs in one job"):
        nets.train(spec, runs=range(1))
