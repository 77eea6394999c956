//! Small numeric helpers shared by the analysis: piecewise-linear interpolation
//! of a sampled series onto a grid, lookups on a uniform grid, and moving
//! averages. They live apart so that every analysis step interpolates and smooths
//! the same way (and in O(n), whatever the window).

/// Interpolates the samples `(xs[i], ys[i])` (with `xs` strictly increasing)
/// onto `grid` (increasing): linear between samples, held flat before the first
/// and after the last. Empty samples give zeros. O(samples + grid).
pub(crate) fn interpolate_onto(xs: &[f64], ys: &[f64], grid: &[f64]) -> Vec<f64> {
    let n = xs.len().min(ys.len());
    if n == 0 {
        return vec![0.0; grid.len()];
    }
    let mut out = Vec::with_capacity(grid.len());
    let mut j = 0;
    for &g in grid {
        while j + 1 < n && xs[j + 1] <= g {
            j += 1;
        }
        let value = if g <= xs[0] {
            ys[0]
        } else if j + 1 >= n {
            ys[n - 1]
        } else {
            let (x0, x1) = (xs[j], xs[j + 1]);
            let f = ((g - x0) / (x1 - x0)).clamp(0.0, 1.0);
            ys[j] + (ys[j + 1] - ys[j]) * f
        };
        out.push(value);
    }
    out
}

/// Like [`interpolate_onto`] but for stepped channels (gear): the value of the
/// last sample at or before each grid point (the first sample before it).
pub(crate) fn hold_onto(xs: &[f64], ys: &[i32], grid: &[f64]) -> Vec<i32> {
    let n = xs.len().min(ys.len());
    if n == 0 {
        return vec![0; grid.len()];
    }
    let mut j = 0;
    grid.iter()
        .map(|&g| {
            while j + 1 < n && xs[j + 1] <= g {
                j += 1;
            }
            ys[j]
        })
        .collect()
}

/// The value of `values`, sampled on the uniform grid `0, 1/(n-1), ..., 1`, at the
/// normalised distance `d` (clamped to 0..1), linearly interpolated.
pub(crate) fn value_at(values: &[f64], d: f64) -> f64 {
    let n = values.len();
    match n {
        0 => return 0.0,
        1 => return values[0],
        _ => {}
    }
    let d = if d.is_nan() { 0.0 } else { d.clamp(0.0, 1.0) };
    let position = d * (n - 1) as f64;
    let i = (position.floor() as usize).min(n - 2);
    let f = position - i as f64;
    if f <= 0.0 {
        values[i]
    } else if f >= 1.0 {
        values[i + 1]
    } else {
        values[i] + (values[i + 1] - values[i]) * f
    }
}

/// Index of the grid point nearest to the normalised distance `d` on a uniform
/// grid of `n` points.
pub(crate) fn index_at(n: usize, d: f64) -> usize {
    if n < 2 || d.is_nan() {
        return 0;
    }
    ((d.clamp(0.0, 1.0) * (n - 1) as f64).round() as usize).min(n - 1)
}

/// Moving average over `2 * half + 1` points; near the ends the window shrinks
/// to the points that exist. O(n) through prefix sums.
pub(crate) fn moving_average(values: &[f64], half: usize) -> Vec<f64> {
    let n = values.len();
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for &v in values {
        let last = prefix[prefix.len() - 1];
        prefix.push(last + v);
    }
    (0..n)
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(n);
            (prefix[hi] - prefix[lo]) / (hi - lo) as f64
        })
        .collect()
}

/// Mean and population standard deviation (0 and 0 for no values).
pub(crate) fn mean_and_std(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, variance.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_is_linear_inside_and_flat_outside() {
        let out = interpolate_onto(&[1.0, 2.0, 4.0], &[10.0, 20.0, 0.0], &[0.0, 1.0, 1.5, 3.0, 4.0, 5.0]);
        assert_eq!(out, vec![10.0, 10.0, 15.0, 10.0, 0.0, 0.0]);
        assert_eq!(interpolate_onto(&[], &[], &[0.5]), vec![0.0]);
        assert_eq!(hold_onto(&[0.0, 0.5], &[3, 4], &[0.0, 0.4, 0.5, 0.9]), vec![3, 3, 4, 4]);
    }

    #[test]
    fn uniform_grid_lookups_and_smoothing() {
        let values = [0.0, 10.0, 20.0];
        assert_eq!(value_at(&values, 0.25), 5.0);
        assert_eq!(value_at(&values, 1.0), 20.0);
        assert_eq!(value_at(&values, f64::NAN), 0.0);
        assert_eq!(index_at(3, 0.74), 1);
        assert_eq!(index_at(3, 0.76), 2);
        assert_eq!(moving_average(&[0.0, 3.0, 6.0, 9.0], 1), vec![1.5, 3.0, 6.0, 7.5]);
        assert_eq!(mean_and_std(&[1.0, 3.0]), (2.0, 1.0));
    }
}
