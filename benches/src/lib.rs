//! Placeholder library target; the benchmarks live in `benches/`.
