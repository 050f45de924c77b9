//! `claudit image ARCHIVE...`

use std::path::PathBuf;

use clap::Args;

use super::{DEFAULT_SARIF_CATEGORY, ExitCode, OutputArgs, SarifRun, output};
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
    let mut names: Vec<String> = Vec::new();
    for archive in &args.archives {
        match image::scan(archive, &opts) {
            Ok(scanned) => {
                merge(&mut all, scanned.outcome);
                for name in scanned.images {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            Err(message) => {
                eprintln!("claudit: error: {message}");
                return ExitCode::Fatal;
            }
        }
    }
    let mut output = args.output.clone();
    output.sarif_runs = sarif_runs(&names, &output.sarif_category);
    output::emit_with(&all, &output, &output::View::default())
}

/// One SARIF run per image, categorised `claudit/image/<image-ref>/`, so an
/// image's upload never replaces a repository's alerts (`claudit/`) or
/// another image's. An explicit `--sarif-category` puts every image in one
/// run under that category.
fn sarif_runs(images: &[String], category: &str) -> Vec<SarifRun> {
    if category != DEFAULT_SARIF_CATEGORY {
        return Vec::new();
    }
    images
        .iter()
        .map(|name| SarifRun {
            category: image_category(name),
            path_prefix: format!("{name}!"),
        })
        .collect()
}

/// `claudit/image/<image-ref>/`.
pub fn image_category(name: &str) -> String {
    format!("claudit/image/{name}/")
}

fn merge(all: &mut ScanOutcome, outcome: ScanOutcome) {
    all.findings.extend(outcome.findings);
    all.notices.extend(outcome.notices);
    all.line_hashes.extend(outcome.line_hashes);
    all.stats.files_scanned += outcome.stats.files_scanned;
    all.stats.files_skipped += outcome.stats.files_skipped;
    all.stats.files_unreadable += outcome.stats.files_unreadable;
    all.stats.bytes_scanned += outcome.stats.bytes_scanned;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_run_per_image_unless_a_category_is_given() {
        let images = ["app:1".to_string(), "db:2".to_string()];
        let runs = sarif_runs(&images, DEFAULT_SARIF_CATEGORY);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].category, "claudit/image/app:1/");
        assert_eq!(runs[1].path_prefix, "db:2!");
        assert!(sarif_runs(&images, "mine/").is_empty());
    }
}
