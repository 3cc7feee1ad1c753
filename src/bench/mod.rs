//! Benchmarks run from the command line on realistic data, each kept from rotting by a test
//! that runs it on a tiny data set.

pub mod registration;
pub mod report;
pub mod search;
pub mod serve;

pub use registration::{registration_bench, BenchReport};
