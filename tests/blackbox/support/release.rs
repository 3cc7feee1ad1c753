//! The release build of `cnscd`, for the tests whose figures depend on its speed (a crash
//! test in the debug build sends so slowly that the window it measures hides).

use std::path::PathBuf;
use std::sync::OnceLock;

/// Set to a binary's path to run the release tests with it instead (an old build, to see
/// a test fail on the old behaviour; one already built elsewhere).
pub const BINARY_VAR: &str = "CNSCD_TEST_BINARY";

/// The path of the release `cnscd`, built once per test run (`cargo build --release`, which
/// does nothing when it is fresh) into this build's own target folder; or the binary
/// [`BINARY_VAR`] names.
pub fn release_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if let Some(path) = std::env::var_os(BINARY_VAR).filter(|p| !p.is_empty()) {
                return PathBuf::from(path);
            }
            let debug = PathBuf::from(env!("CARGO_BIN_EXE_cnscd"));
            // …/target/debug/cnscd → …/target
            let target = debug
                .parent()
                .and_then(|profile| profile.parent())
                .expect("the binary lives in target/<profile>/")
                .to_owned();
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = std::process::Command::new(cargo)
                .args(["build", "--release", "--bin", "cnscd", "--manifest-path"])
                .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
                .env("CARGO_TARGET_DIR", &target)
                .status()
                .expect("cargo runs");
            assert!(status.success(), "the release binary builds");
            target.join("release").join("cnscd")
        })
        .clone()
}
