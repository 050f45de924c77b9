//! One layer: sniff the compression, stream the tar, scan each regular
//! file, note whiteouts. Bounded in decompressed bytes and entries.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use super::ImageOptions;
use super::archive::normalize;
use super::tarwalk;
use crate::finding::Finding;
use crate::scan::{Notice, NoticeKind};

#[derive(Debug, Default)]
pub struct LayerResult {
    /// Files with findings, by path inside the image.
    pub files: Vec<(String, Vec<Finding>)>,
    /// Every regular file's path (to tell when a later layer overwrites one).
    pub paths: HashSet<String>,
    /// Paths deleted by `.wh.<name>` entries.
    pub whiteouts: Vec<String>,
    /// Directories made opaque by `.wh..wh..opq`.
    pub opaque_dirs: Vec<String>,
    pub notices: Vec<Notice>,
    /// Line hashes of the files with findings, by path and line.
    pub line_hashes: HashMap<String, HashMap<usize, String>>,
    pub files_read: usize,
    pub files_skipped: usize,
    pub bytes_read: u64,
}

/// Reads at most `limit` bytes, then fails, and remembers that it did.
pub struct Bounded<R> {
    pub inner: R,
    pub left: u64,
    pub hit: Rc<Cell<bool>>,
    /// Bytes read so far.
    pub used: Rc<Cell<u64>>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            self.hit.set(true);
            return Err(io::Error::other("decompressed size limit reached"));
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        self.used.set(self.used.get() + n as u64);
        Ok(n)
    }
}

/// A stream decompressed by its magic bytes: gzip, zstd, or as it is.
pub fn decompressed<'a, R: Read + 'a>(reader: R) -> io::Result<Box<dyn Read + 'a>> {
    let mut buffered = BufReader::new(reader);
    let head = buffered.fill_buf()?.to_vec();
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(buffered)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let decoder = ruzstd::decoding::StreamingDecoder::new(buffered)
            .map_err(|e| io::Error::other(format!("zstd: {e}")))?;
        Ok(Box::new(decoder))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Scans one layer. `budget` is what is left of the archive's total
/// decompressed size (`--max-image-size`); the layer's own limit applies
/// too, whichever is smaller, and what the layer used is taken from it.
pub fn scan_layer(reader: &mut dyn Read, opts: &ImageOptions, budget: &mut u64) -> LayerResult {
    let mut result = LayerResult::default();
    if *budget == 0 {
        result.notices.push(notice(
            "",
            NoticeKind::Skipped,
            format!(
                "the archive's layers already decompressed to --max-image-size ({} bytes); layer not read",
                opts.max_image_bytes
            ),
        ));
        return result;
    }
    let stream = match decompressed(reader) {
        Ok(s) => s,
        Err(e) => {
            result
                .notices
                .push(notice("", NoticeKind::Unreadable, format!("layer: {e}")));
            return result;
        }
    };
    let hit = Rc::new(Cell::new(false));
    let limit = opts.max_layer_bytes.min(*budget);
    let used = Rc::new(Cell::new(0u64));
    let bounded = Bounded {
        inner: stream,
        left: limit,
        hit: hit.clone(),
        used: used.clone(),
    };
    let mut archive = tar::Archive::new(bounded);
    walk_layer(&mut archive, opts, &hit, limit, *budget, &mut result);
    *budget = budget.saturating_sub(used.get());
    result
}

fn walk_layer<R: Read>(
    archive: &mut tar::Archive<R>,
    opts: &ImageOptions,
    hit: &Cell<bool>,
    limit: u64,
    budget: u64,
    result: &mut LayerResult,
) {
    let entries = match tarwalk::walk(archive) {
        Ok(e) => e,
        Err(e) => {
            result
                .notices
                .push(notice("", NoticeKind::Unreadable, format!("layer: {e}")));
            return;
        }
    };
    let mut count = 0u64;
    for step in entries {
        count += 1;
        if count > opts.max_entries {
            result.notices.push(notice(
                "",
                NoticeKind::Skipped,
                format!(
                    "layer has more than {} entries; the rest was not read",
                    opts.max_entries
                ),
            ));
            break;
        }
        let (raw, mut entry, note) = match step {
            Ok(tarwalk::Step::Member { name, entry, note }) => {
                (String::from_utf8_lossy(&name).into_owned(), entry, note)
            }
            Ok(tarwalk::Step::Skipped(why)) => {
                result.notices.push(notice("", NoticeKind::Skipped, why));
                continue;
            }
            Ok(tarwalk::Step::Stop(why)) => {
                result.notices.push(notice("", NoticeKind::Skipped, why));
                break;
            }
            Err(e) => {
                let why = if !hit.get() {
                    format!("broken layer tar: {e}")
                } else if limit < opts.max_layer_bytes && limit == budget {
                    format!(
                        "the archive's layers decompress to more than --max-image-size ({} bytes); the rest was not read",
                        opts.max_image_bytes
                    )
                } else {
                    format!(
                        "layer decompresses to more than {} bytes (a decompression bomb?); the rest was not read",
                        opts.max_layer_bytes
                    )
                };
                result.notices.push(notice("", NoticeKind::Skipped, why));
                break;
            }
        };
        let climbs = raw.split('/').any(|p| p == "..");
        let Some(path) = (if climbs {
            sanitize(&raw)
        } else {
            normalize(&raw)
        }) else {
            continue;
        };
        if let Some(why) = note {
            result.notices.push(notice(&path, NoticeKind::Skipped, why));
        }
        if climbs {
            // Never extracted anywhere, so never followed; but its content is
            // in the image archive, so it is scanned under its sanitized name.
            result.notices.push(notice(
                &path,
                NoticeKind::Skipped,
                format!(
                    "entry path `{}` climbs out of the image root (`..`); not followed, scanned as `{path}`",
                    clip(&raw, 200)
                ),
            ));
            if entry.header().entry_type().is_file() {
                scan_entry(&path, &mut entry, opts, result, Some(&raw));
            }
            continue;
        }
        if note_whiteout(&path, result) || !entry.header().entry_type().is_file() {
            continue;
        }
        result.paths.insert(path.clone());
        scan_entry(&path, &mut entry, opts, result, None);
    }
}

/// `../../etc/x` → `etc/x`: a climbing name with its `..` parts left out.
fn sanitize(name: &str) -> Option<String> {
    let parts: Vec<&str> = name
        .split('/')
        .filter(|p| !matches!(*p, "" | "." | ".."))
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Reads and scans one regular file. `climbing` is the entry's name as
/// written when it climbs out of the root (`../x`).
fn scan_entry(
    path: &str,
    entry: &mut dyn Read,
    opts: &ImageOptions,
    result: &mut LayerResult,
    climbing: Option<&str>,
) {
    let mut bytes = Vec::new();
    let read = entry
        .take(opts.max_file_size.saturating_add(1))
        .read_to_end(&mut bytes);
    if read.is_err() {
        return; // the next entry reports the broken stream
    }
    if bytes.len() as u64 > opts.max_file_size {
        result.files_skipped += 1;
        result.notices.push(notice(
            path,
            NoticeKind::Skipped,
            "larger than --max-file-size; not scanned".to_string(),
        ));
        return;
    }
    result.files_read += 1;
    result.bytes_read += bytes.len() as u64;
    let mut findings = crate::scan::scan_bytes(path, &bytes).findings;
    if findings.is_empty() {
        return;
    }
    if let Some(raw) = climbing {
        for f in &mut findings {
            f.message.push_str(&format!(
                " [entry written as `{}`, which climbs out of the image root; scanned, not followed]",
                clip(raw, 200)
            ));
        }
    }
    result
        .line_hashes
        .insert(path.to_string(), line_hashes_for(&bytes, &findings));
    result.files.push((path.to_string(), findings));
}

/// `primaryLocationLineHash` of the lines the findings start on, computed
/// now, while the file's content is at hand (it is not on disk later).
pub fn line_hashes_for(bytes: &[u8], findings: &[Finding]) -> HashMap<usize, String> {
    let all = crate::report::line_hash::line_hashes(bytes);
    findings
        .iter()
        .map(|f| f.region.map_or(1, |r| r.start.line))
        .filter_map(|line| Some((line, all.get(line.checked_sub(1)?)?.clone())))
        .collect()
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Records `.wh.<name>` and `.wh..wh..opq` entries; true when `path` is one.
fn note_whiteout(path: &str, result: &mut LayerResult) -> bool {
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (d, n),
        None => ("", path),
    };
    let Some(target) = name.strip_prefix(".wh.") else {
        return false;
    };
    let join = |n: &str| {
        if dir.is_empty() {
            n.to_string()
        } else {
            format!("{dir}/{n}")
        }
    };
    if target == ".wh..opq" {
        result.opaque_dirs.push(dir.to_string());
    } else {
        result.whiteouts.push(join(target));
    }
    true
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

    #[test]
    fn whiteouts_and_opaque_directories() {
        let mut r = LayerResult::default();
        assert!(note_whiteout("app/.wh.secret.env", &mut r));
        assert!(note_whiteout("etc/.wh..wh..opq", &mut r));
        assert!(!note_whiteout("app/secret.env", &mut r));
        assert_eq!(r.whiteouts, ["app/secret.env"]);
        assert_eq!(r.opaque_dirs, ["etc"]);
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        // 64 MB of zeros, gzipped to a few tens of KB.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..64 {
            std::io::Write::write_all(&mut gz, &zeros).expect("gzip");
        }
        let bomb = gz.finish().expect("gzip");
        let opts = ImageOptions {
            max_layer_bytes: 1024 * 1024,
            ..ImageOptions::default()
        };
        let r = scan_layer(&mut bomb.as_slice(), &opts, &mut u64::MAX.clone());
        assert!(r.files.is_empty());
    }

    fn one_file_tar(name: &str, content: &[u8]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(content.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, content).expect("tar");
        b.into_inner().expect("tar")
    }

    /// `--max-image-size`: the layers of one archive share one budget.
    #[test]
    fn layers_share_the_archive_budget() {
        let layer = one_file_tar("a.txt", &vec![b'a'; 300 * 1024]);
        let opts = ImageOptions {
            max_image_bytes: 500 * 1024,
            ..ImageOptions::default()
        };
        let mut budget = opts.max_image_bytes;
        let first = scan_layer(&mut layer.as_slice(), &opts, &mut budget);
        assert!(first.notices.is_empty(), "{:?}", first.notices);
        assert_eq!(first.files_read, 1);
        assert!(budget < 200 * 1024, "{budget}");
        let second = scan_layer(&mut layer.as_slice(), &opts, &mut budget);
        assert_eq!(second.files_read, 0);
        assert!(
            second.notices[0].message.contains("--max-image-size"),
            "{:?}",
            second.notices
        );
        assert_eq!(budget, 0);
        let third = scan_layer(&mut layer.as_slice(), &opts, &mut budget);
        assert!(third.notices[0].message.contains("layer not read"));
    }

    /// An entry whose name climbs out of the root is scanned under its
    /// sanitized name, and reported.
    #[test]
    fn a_climbing_entry_is_scanned_under_its_sanitized_name() {
        let key = crate::testkeys::key("api03", 7);
        let content = format!("ANTHROPIC_API_KEY={key}\n");
        let mut h = tar::Header::new_gnu();
        h.set_size(content.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        let name = b"../../etc/evil.env";
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_cksum();
        let mut b = tar::Builder::new(Vec::new());
        b.append(&h, content.as_bytes()).expect("tar");
        let layer = b.into_inner().expect("tar");
        let r = scan_layer(
            &mut layer.as_slice(),
            &ImageOptions::default(),
            &mut u64::MAX.clone(),
        );
        let (path, findings) = &r.files[0];
        assert_eq!(path, "etc/evil.env");
        assert!(findings.iter().any(|f| f.rule_id == "CLD101"));
        assert!(findings[0].message.contains("climbs out of the image root"));
        assert!(r.notices[0].message.contains("not followed"));
        assert!(
            !r.paths.contains("etc/evil.env"),
            "not part of the image's tree"
        );
    }
}
