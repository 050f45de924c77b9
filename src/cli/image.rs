//! `claudit image ARCHIVE...`

use std::path::PathBuf;

use clap::Args;

use super::{ExitCode, OutputArgs, output};
use crate::image::{self, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_LAYER_BYTES, ImageOptions};
use crate::scan::ScanOutcome;

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// `docker save` archives (plain, gzip or zstd), OCI image layouts (folders) or tars of them.
    #[arg(required = true)]
    pub archives: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Stop reading a layer after this many decompressed bytes (reported).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LAYER_BYTES)]
    pub max_layer_size: u64,
    /// Stop reading an archive after this many decompressed bytes, over all
    /// its layers (and the archive itself when compressed as a whole); reported.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_IMAGE_BYTES)]
    pub max_image_size: u64,
    /// Stop reading a layer after this many tar entries (reported).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_entries: u64,
    /// Skip (and report) files in layers larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_file_size: u64,
}

pub fn run(args: &ImageArgs) -> ExitCode {
    let opts = ImageOptions {
        max_layer_bytes: args.max_layer_size,
        max_image_bytes: args.max_image_size,
        max_entries: args.max_entries,
        max_file_size: args.max_file_size,
    };
    let mut all = ScanOutcome::default();
    for archive in &args.archives {
        match image::scan(archive, &opts) {
            Ok(outcome) => merge(&mut all, outcome),
            Err(message) => {
                eprintln!("claudit: error: {message}");
                return ExitCode::Fatal;
            }
        }
    }
    output::emit_with(&all, &args.output, &output::View::default())
}

fn merge(all: &mut ScanOutcome, outcome: ScanOutcome) {
    all.findings.extend(outcome.findings);
    all.notices.extend(outcome.notices);
    all.stats.files_scanned += outcome.stats.files_scanned;
    all.stats.files_skipped += outcome.stats.files_skipped;
    all.stats.files_unreadable += outcome.stats.files_unreadable;
    all.stats.bytes_scanned += outcome.stats.bytes_scanned;
}
