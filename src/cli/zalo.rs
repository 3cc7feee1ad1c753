//! `cnscd zalo token set|info`.

use std::io::Write;

use super::CliError;
use crate::config::ZaloCommand;
use crate::engine::Engine;

pub async fn run(
    _engine: &Engine,
    _command: ZaloCommand,
    _out: &mut impl Write,
) -> Result<(), CliError> {
    Err(CliError::Refused("not built yet".into()))
}
