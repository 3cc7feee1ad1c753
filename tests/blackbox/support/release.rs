//! The release build of `cnscd`, for the tests whose figures depend on its speed (a crash
//! test in the debug build sends so slowly that the window it measures hides).

use std::path::PathBuf;
use std::sync::OnceLock;

/// Set to a binary's path to run the release tests with it instead (an old build, to see
/// a test fail on the old behaviour; one already built elsewhere).
pub const BINARY_VAR: &str = "CNSCD_TEST_BINARY";

/// The path of the release `cnscd`, built once per test run (`cargo build --release`, which
/// does nothing when it is fresh) by the cargo running the tests; or the binary
/// [`BINARY_VAR`] names.
pub fn release_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if let Some(path) = std::env::var_os(BINARY_VAR).filter(|p| !p.is_empty()) {
                return PathBuf::from(path);
            }
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            cnscd_fakes::crowd::release_binary(root, "cnscd", "cnscd")
                .expect("the release binary builds")
        })
        .clone()
}
