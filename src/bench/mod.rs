//! Benchmarks at national scale, runnable from tests (a tiny scale keeps them compiling and
//! working) and in release for real figures.

pub mod report;
