//! One layer: sniff the compression, stream the tar, scan each regular
//! file, note whiteouts. Bounded in decompressed bytes and entries.

use std::cell::Cell;
use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use super::ImageOptions;
use super::archive::normalize;
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
    pub files_read: usize,
    pub files_skipped: usize,
    pub bytes_read: u64,
}

/// Reads at most `limit` bytes, then fails, and remembers that it did.
struct Bounded<R> {
    inner: R,
    left: u64,
    hit: Rc<Cell<bool>>,
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
        Ok(n)
    }
}

/// The decompressed stream of a layer, by its magic bytes.
fn decompressed<'a>(reader: &'a mut dyn Read) -> io::Result<Box<dyn Read + 'a>> {
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

pub fn scan_layer(reader: &mut dyn Read, opts: &ImageOptions) -> LayerResult {
    let mut result = LayerResult::default();
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
    let bounded = Bounded {
        inner: stream,
        left: opts.max_layer_bytes,
        hit: hit.clone(),
    };
    let mut archive = tar::Archive::new(bounded);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            result
                .notices
                .push(notice("", NoticeKind::Unreadable, format!("layer: {e}")));
            return result;
        }
    };
    let mut count = 0u64;
    for entry in entries {
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
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let why = if hit.get() {
                    format!(
                        "layer decompresses to more than {} bytes (a decompression bomb?); the rest was not read",
                        opts.max_layer_bytes
                    )
                } else {
                    format!("broken layer tar: {e}")
                };
                result.notices.push(notice("", NoticeKind::Skipped, why));
                break;
            }
        };
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(path) = normalize(&raw) else {
            if raw.split('/').any(|p| p == "..") {
                result.notices.push(notice(
                    &raw.replace("../", ""),
                    NoticeKind::Skipped,
                    "entry path climbs out of the image root (`..`); not followed".to_string(),
                ));
            }
            continue;
        };
        if note_whiteout(&path, &mut result) || !entry.header().entry_type().is_file() {
            continue;
        }
        result.paths.insert(path.clone());
        if entry.size() > opts.max_file_size {
            result.files_skipped += 1;
            result.notices.push(notice(
                &path,
                NoticeKind::Skipped,
                "larger than --max-file-size; not scanned".to_string(),
            ));
            continue;
        }
        let mut bytes = Vec::new();
        if (&mut entry)
            .take(opts.max_file_size)
            .read_to_end(&mut bytes)
            .is_err()
        {
            continue; // the next entry reports the broken stream
        }
        result.files_read += 1;
        result.bytes_read += bytes.len() as u64;
        let findings = crate::scan::scan_bytes(&path, &bytes).findings;
        if !findings.is_empty() {
            result.files.push((path, findings));
        }
    }
    result
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
        let r = scan_layer(&mut bomb.as_slice(), &opts);
        assert!(r.files.is_empty());
    }
}
