import numpy as np
import pytest

from explorer.maths import latent


def test_interpolations_start_and_end_at_the_endpoints():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(16), rng.standard_normal(16)
    for method in ("linear", "spherical"):
        path = latent.interpolate(a, b, 7, method)
        assert path.shape == (7, 16)
        np.testing.assert_allclose(path[0], a, atol=1e-5)
        np.testing.assert_allclose(path[-1], b, atol=1e-5)


def test_slerp_interpolates_the_norm_linearly_and_lerp_cuts_inside():
    a = np.array([3.0, 0.0])
    b = np.array([0.0, 3.0])
    spherical = latent.interpolate(a, b, 5, "spherical")
    linear = latent.interpolate(a, b, 5, "linear")
    np.testing.assert_allclose(np.linalg.norm(spherical, axis=1), 3.0, atol=1e-5)
    assert np.linalg.norm(linear[2]) == pytest.approx(3.0 / np.sqrt(2), abs=1e-5)


def test_slerp_of_parallel_or_zero_vectors_falls_back_to_a_line():
    a = np.array([1.0, 1.0])
    np.testing.assert_allclose(latent.slerp(a, 2 * a, np.array([0.5])), [[1.5, 1.5]], atol=1e-6)
    np.testing.assert_allclose(latent.slerp(np.zeros(2), a, np.array([0.5])), [[0.5, 0.5]], atol=1e-6)


def test_interpolate_rejects_unknown_method_and_single_frame():
    with pytest.raises(ValueError, match="spherical"):
        latent.interpolate(np.zeros(2), np.ones(2), 4, "cubic")
    with pytest.raises(ValueError, match="2 frames"):
        latent.interpolate(np.zeros(2), np.ones(2), 1)


def test_traversal_rows_sweep_one_dimension_each():
    z = np.array([0.5, -1.0, 2.0])
    values = np.linspace(-3, 3, 4)
    grid = latent.traversal_grid(z, values).reshape(3, 4, 3)
    for dim in range(3):
        np.testing.assert_allclose(grid[dim, :, dim], values)
        others = [d for d in range(3) if d != dim]
        np.testing.assert_allclose(grid[dim][:, others], np.tile(z[others], (4, 1)))


def test_plane_grid_runs_left_to_right_and_top_to_bottom():
    grid = latent.plane_grid(3, extent=2.0)
    np.testing.assert_allclose(grid[0], [-2, 2])
    np.testing.assert_allclose(grid[2], [2, 2])
    np.testing.assert_allclose(grid[-1], [2, -2])


def test_prior_and_posterior_samples_are_seeded_and_scaled():
    np.testing.assert_array_equal(latent.sample_prior(4, 3, seed=5), latent.sample_prior(4, 3, seed=5))
    samples = latent.sample_posterior(np.array([10.0, -10.0]), np.array([0.01, 2.0]), 4000, seed=0)
    np.testing.assert_allclose(samples.mean(axis=0), [10, -10], atol=0.1)
    np.testing.assert_allclose(samples.std(axis=0), [0.01, 2.0], rtol=0.1)


def test_truncation_pulls_towards_the_mean():
    z = np.array([[2.0, -4.0], [1.0, 1.0]], "float32")
    np.testing.assert_allclose(latent.truncate(z, 1.0), z)
    np.testing.assert_allclose(latent.truncate(z, 0.0), np.zeros_like(z))
    np.testing.assert_allclose(latent.truncate(z, 0.5), z / 2)
    np.testing.assert_allclose(latent.truncate(z, 0.5, mean=np.array([2.0, 0.0])), [[2.0, -2.0], [1.5, 0.5]])


@pytest.mark.parametrize("text, seed", [("0", 0), (" 42 ", 42), ("1_000", 1000), ("4294967295", 2**32 - 1)])
def test_seeds_parse(text, seed):
    assert latent.parse_seed(text) == seed


@pytest.mark.parametrize("text", ["abc", "", "-1", "3.5", "4294967296", "1e9", "٣", "x" * 500])
def test_bad_seeds_get_a_sentence(text):
    with pytest.raises(latent.SeedError, match="A seed is a whole number from 0 to 4,294,967,295"):
        latent.parse_seed(text)


def test_kl_per_dimension_is_zero_for_the_prior_and_grows_with_information():
    from explorer.maths.latent import kl_per_dimension

    mu = np.array([[0.0, 1.0, 0.0], [0.0, -1.0, 0.0]])
    sigma = np.array([[1.0, 1.0, 0.5], [1.0, 1.0, 0.5]])
    kl = kl_per_dimension(mu, sigma)
    np.testing.assert_allclose(kl, [0.0, 0.5, 0.5 * (0.25 - 1) - np.log(0.5)], atol=1e-12)


def test_interpolated_distributions_start_and_end_at_the_two_posteriors():
    rng = np.random.default_rng(2)
    mu_a, mu_b = rng.standard_normal(8), rng.standard_normal(8)
    sigma_a, sigma_b = rng.uniform(0.05, 1, 8), rng.uniform(0.05, 1, 8)
    means, sigmas = latent.interpolate_distributions(mu_a, sigma_a, mu_b, sigma_b, 6)
    assert means.shape == sigmas.shape == (6, 8)
    np.testing.assert_allclose(means[[0, -1]], [mu_a, mu_b], atol=1e-6)
    np.testing.assert_allclose(sigmas[[0, -1]], [sigma_a, sigma_b], atol=1e-6)
    assert (sigmas > 0).all(), "every frame is a distribution"
    samples = latent.distribution_samples(means, sigmas, 500, seed=3)
    assert samples.shape == (6, 500, 8)
    # the first frame's samples are draws from the first posterior: their spread is its σ
    np.testing.assert_allclose(samples[0].std(0), sigma_a, rtol=0.15)
    np.testing.assert_array_equal(samples, latent.distribution_samples(means, sigmas, 500, seed=3))
    with pytest.raises(ValueError):
        latent.interpolate_distributions(mu_a, sigma_a, mu_b, sigma_b, 1)


def test_bilinear_weights_sum_to_one_and_hit_the_four_corners():
    weights = latent.bilinear_weights(5)
    assert weights.shape == (25, 4) and (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(1), 1, atol=1e-6)
    np.testing.assert_allclose(weights[[0, 4, 20, 24]], np.eye(4), atol=1e-6)
    corners = np.random.default_rng(0).standard_normal((4, 3))
    grid = latent.blend(corners, weights)
    np.testing.assert_allclose(grid[12], corners.mean(0), atol=1e-5)  # the centre: all four alike


def test_barycentric_weights_make_a_triangle_that_hits_its_three_corners():
    positions, weights = latent.barycentric_weights(4)
    assert len(positions) == len(weights) == 1 + 2 + 3 + 4
    assert (positions[:, 1] <= positions[:, 0]).all(), "row r holds r + 1 cells"
    assert (weights >= -1e-7).all()
    np.testing.assert_allclose(weights.sum(1), 1, atol=1e-6)
    corner_cells = [list(map(tuple, positions)).index(cell) for cell in [(0, 0), (3, 0), (3, 3)]]
    np.testing.assert_allclose(weights[corner_cells], np.eye(3), atol=1e-6)
    with pytest.raises(ValueError):
        latent.barycentric_weights(1)


def test_classes_are_drawn_with_the_data_odds_and_seeded():
    shares = [0.7, 0.2, 0.1, 0.0]
    drawn = latent.draw_classes(5000, 4, shares, 3)
    np.testing.assert_allclose(np.bincount(drawn, minlength=4) / 5000, shares, atol=0.02)
    np.testing.assert_array_equal(drawn, latent.draw_classes(5000, 4, shares, 3))
    alike = np.bincount(latent.draw_classes(4000, 4, (), 0), minlength=4) / 4000  # no shares: every class alike
    np.testing.assert_allclose(alike, 0.25, atol=0.03)
