//! `claudit image ARCHIVE...`: container images without a daemon.
//!
//! Reads `docker save` archives (classic and Docker ≥ 25, which writes an
//! OCI layout inside the tar) and OCI image layouts (a folder or a tar of
//! one). Layers are streamed, never extracted: gzip and zstd are sniffed
//! from magic bytes, and each layer's decompressed size and entry count are
//! bounded, so a hostile archive cannot exhaust memory or disk.
//!
//! Every regular file in every layer gets the same rules as a file in a
//! repository. A file deleted (whiteout) or overwritten in a later layer is
//! still in the image, so it is reported, saying so, with the layer and the
//! `created_by` step that added it.

mod archive;
mod env;
mod layer;
mod tarwalk;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::finding::Finding;
use crate::scan::{Notice, NoticeKind, ScanOutcome};

pub use archive::{Image, Source};
pub use layer::LayerResult;

/// Bounds on what one archive may make claudit read.
#[derive(Debug, Clone)]
pub struct ImageOptions {
    /// Decompressed bytes read from one layer; the rest is not read.
    pub max_layer_bytes: u64,
    /// Decompressed bytes read from one archive: all its layers together,
    /// and the archive itself when it is compressed as a whole.
    pub max_image_bytes: u64,
    /// Tar entries read from one layer.
    pub max_entries: u64,
    /// Larger files in a layer are skipped (and reported).
    pub max_file_size: u64,
}

pub const DEFAULT_MAX_LAYER_BYTES: u64 = 4 * 1024 * 1024 * 1024;
pub const DEFAULT_MAX_IMAGE_BYTES: u64 = 16 * 1024 * 1024 * 1024;

impl Default for ImageOptions {
    fn default() -> Self {
        ImageOptions {
            max_layer_bytes: DEFAULT_MAX_LAYER_BYTES,
            max_image_bytes: DEFAULT_MAX_IMAGE_BYTES,
            max_entries: 1_000_000,
            max_file_size: 64 * 1024 * 1024,
        }
    }
}

/// What [`scan`] found: the findings, and the names of the images (the
/// prefix of every location, `name!…`).
pub struct Scanned {
    pub outcome: ScanOutcome,
    pub images: Vec<String>,
}

/// Scans every image in the archive or layout at `path`.
pub fn scan(path: &Path, opts: &ImageOptions) -> Result<Scanned, String> {
    let mut source = Source::open(path, opts.max_image_bytes)?;
    let images = archive::images(&source)?;
    if images.is_empty() {
        return Err(format!(
            "{}: no image found (neither manifest.json nor index.json)",
            path.display()
        ));
    }
    let wanted: HashSet<String> = images
        .iter()
        .flat_map(|i| i.layers.iter().cloned())
        .collect();
    let mut layers = HashMap::new();
    let mut outcome = ScanOutcome::default();
    let mut budget = opts.max_image_bytes;
    source.for_each_blob(&wanted, |name, reader| {
        let result = layer::scan_layer(reader, opts, &mut budget);
        layers.insert(name.to_string(), result);
    })?;
    for note in source.notes() {
        outcome.notices.push(notice(
            &path.display().to_string(),
            NoticeKind::Skipped,
            note.clone(),
        ));
    }
    for image in &images {
        scan_config(image, &mut outcome);
        let results: Vec<Option<&LayerResult>> =
            image.layers.iter().map(|l| layers.get(l)).collect();
        for (index, layer_name) in image.layers.iter().enumerate() {
            let Some(result) = results[index] else {
                outcome.notices.push(notice(
                    &image.name,
                    NoticeKind::Unreadable,
                    format!("layer {layer_name} is missing from the archive"),
                ));
                continue;
            };
            report_layer(image, index, result, &results, &mut outcome);
        }
    }
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    for n in &mut outcome.notices {
        n.redact();
    }
    crate::finding::number_duplicates(&mut outcome.findings);
    Ok(Scanned {
        outcome,
        images: images.into_iter().map(|i| i.name).collect(),
    })
}

/// The image's `Env` (an execution context, like a Dockerfile's `ENV`) and
/// its `history[].created_by` lines (build args and `ENV` values leak there).
fn scan_config(image: &Image, outcome: &mut ScanOutcome) {
    if !image.env.is_empty() {
        let label = format!("{}!config!/Env", image.name);
        env::scan(&image.env, &label, outcome);
    }
    let created: String = image
        .created_by
        .iter()
        .map(|c| format!("{}\n", c.replace('\n', " ")))
        .collect();
    if !created.is_empty() {
        let label = format!("{}!config!/history", image.name);
        let scanned = crate::scan::scan_bytes("history.txt", created.as_bytes());
        let hashes = layer::line_hashes_for(created.as_bytes(), &scanned.findings);
        outcome.line_hashes.insert(label.clone(), hashes);
        for mut finding in scanned.findings {
            env::relabel(&mut finding, "history.txt", &label);
            outcome.findings.push(finding);
        }
    }
}

/// Adds one layer's findings, notes what later layers did to each file, and
/// counts the layer's files.
fn report_layer(
    image: &Image,
    index: usize,
    result: &LayerResult,
    all: &[Option<&LayerResult>],
    outcome: &mut ScanOutcome,
) {
    let label = &image.labels[index];
    let step = image
        .layer_steps
        .get(index)
        .and_then(|s| s.as_deref())
        .map(|s| format!(", added by `{}`", clip(s, 80)))
        .unwrap_or_default();
    for (path, findings) in &result.files {
        let fate = later_fate(path, index, all);
        let display = format!("{}!{label}!/{path}", image.name);
        for finding in findings {
            let mut f: Finding = finding.clone();
            env::relabel(&mut f, path, &display);
            f.message.push_str(&format!(" [in layer {label}{step}"));
            if let Some(fate) = &fate {
                f.message.push_str(&format!(
                    "; {fate}, but still in the image: anyone who pulls it can read it"
                ));
            }
            f.message.push(']');
            outcome.findings.push(f);
        }
        if let Some(hashes) = result.line_hashes.get(path) {
            outcome.line_hashes.insert(display, hashes.clone());
        }
    }
    for n in &result.notices {
        let mut n = n.clone();
        n.path = if n.path.is_empty() {
            format!("{}!{label}!", image.name)
        } else {
            format!("{}!{label}!/{}", image.name, n.path)
        };
        outcome.notices.push(n);
    }
    outcome.stats.files_scanned += result.files_read;
    outcome.stats.files_skipped += result.files_skipped;
    outcome.stats.bytes_scanned += result.bytes_read;
}

/// What a later layer does to `path`: deletes it (whiteout, opaque
/// directory) or overwrites it.
fn later_fate(path: &str, index: usize, all: &[Option<&LayerResult>]) -> Option<String> {
    for later in all.iter().skip(index + 1).flatten() {
        let under = |dir: &String| path.starts_with(&format!("{dir}/"));
        if later.whiteouts.iter().any(|w| w == path || under(w)) {
            return Some("deleted (whiteout) in a later layer".to_string());
        }
        if later.opaque_dirs.iter().any(under) {
            return Some("hidden by an opaque directory in a later layer".to_string());
        }
        if later.paths.contains(path) {
            return Some("overwritten in a later layer".to_string());
        }
    }
    None
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

fn notice(path: &str, kind: NoticeKind, message: String) -> Notice {
    Notice {
        path: path.to_string(),
        line: None,
        column: None,
        kind,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(whiteouts: &[&str], opaque: &[&str], paths: &[&str]) -> LayerResult {
        LayerResult {
            whiteouts: whiteouts.iter().map(|s| s.to_string()).collect(),
            opaque_dirs: opaque.iter().map(|s| s.to_string()).collect(),
            paths: paths.iter().map(|s| s.to_string()).collect(),
            ..LayerResult::default()
        }
    }

    #[test]
    fn later_layers_delete_hide_or_overwrite() {
        let l0 = layer(&[], &[], &["app/.env"]);
        let gone = layer(&["app/.env"], &[], &[]);
        let opaque = layer(&[], &["app"], &[]);
        let over = layer(&[], &[], &["app/.env"]);
        let none = layer(&["other"], &[], &[]);
        let fate = |l: &LayerResult| later_fate("app/.env", 0, &[Some(&l0), Some(l)]);
        assert!(fate(&gone).is_some_and(|f| f.contains("whiteout")));
        assert!(fate(&opaque).is_some_and(|f| f.contains("opaque")));
        assert!(fate(&over).is_some_and(|f| f.contains("overwritten")));
        assert_eq!(fate(&none), None);
        // A whiteout only affects lower layers, never its own.
        assert_eq!(later_fate("app/.env", 0, &[Some(&gone)]), None);
    }
}
