//! The search benchmark at national scale, until the CLI runs it:
//! `cargo run --release -p cnscd-bench --example search_bench -- [COMMUNES_CSV] [QUERIES] [DB_PATH]`.

use cnscd_bench::search::{run, SearchBenchOptions};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut opts = SearchBenchOptions::default();
    if let Some(path) = args.next() {
        opts.communes_csv = path.into();
    }
    if let Some(queries) = args.next() {
        opts.queries = queries.parse()?;
    }
    opts.db_path = args.next().map(Into::into);
    println!("{}", run(opts).await?);
    Ok(())
}
