//! Tar entries with bounded header extensions.
//!
//! The tar crate reads a GNU long-name (`L`), long-link (`K`) or PAX (`x`)
//! entry whole into memory before the member it describes: a 520 KB gzipped
//! layer holding one 512 MB long-name entry costs 512 MB or more. So the
//! entries are read raw and the extensions are applied here: a long name or
//! PAX header up to [`MAX_EXTENSION`] bytes is read and applied, a larger one
//! is reported and never read (its data is skipped as it streams past), and
//! link names and global PAX headers, which claudit does not use, are never
//! read at all.
//!
//! Raw entries are framed by their header's size. Two things change the
//! framing in ways only the crate's own processing follows: a PAX `size`
//! record that differs from the header (files over 8 GiB) and GNU sparse
//! files with extension headers. Both are reported, and the rest of the tar
//! is not read rather than misread.

use std::io::{self, Read};

/// Largest GNU long name or PAX header read (PATH_MAX is 4 KiB; PAX headers
/// with a few xattrs stay well under this).
pub const MAX_EXTENSION: u64 = 64 * 1024;

/// One step of the walk.
pub enum Step<'a, R: Read + 'a> {
    /// A member, with its full name (long name or PAX path applied) and,
    /// when an extension was refused, why its name may be the short one.
    Member {
        name: Vec<u8>,
        entry: Box<tar::Entry<'a, R>>,
        note: Option<String>,
    },
    /// An oversized extension at the end, with no member after it.
    Skipped(String),
    /// The rest of the tar cannot be framed reliably; the walk ends.
    Stop(String),
}

/// Walks `entries` (a raw iterator, see [`walk`]).
pub struct Walk<'a, R: Read + 'a> {
    entries: tar::Entries<'a, R>,
    long_name: Option<Vec<u8>>,
    pax_path: Option<Vec<u8>>,
    pax_size: Option<u64>,
    refused: Option<String>,
    done: bool,
}

/// The entries of `archive`, read raw.
pub fn walk<R: Read>(archive: &mut tar::Archive<R>) -> io::Result<Walk<'_, R>> {
    Ok(Walk {
        entries: archive.entries()?.raw(true),
        long_name: None,
        pax_path: None,
        pax_size: None,
        refused: None,
        done: false,
    })
}

impl<'a, R: Read + 'a> Iterator for Walk<'a, R> {
    type Item = io::Result<Step<'a, R>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            let Some(next) = self.entries.next() else {
                self.done = true;
                // An oversized extension with no member after it.
                return self.refused.take().map(|why| Ok(Step::Skipped(why)));
            };
            let mut entry = match next {
                Ok(e) => e,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            let kind = entry.header().entry_type();
            let size = entry.size();
            let extension = if kind.is_gnu_longname() {
                Some("GNU long-name")
            } else if kind.is_pax_local_extensions() {
                Some("PAX")
            } else {
                None
            };
            if let Some(what) = extension {
                if size > MAX_EXTENSION {
                    // Not read: the crate skips its data as the stream goes on.
                    let why = format!(
                        "a {what} header of {size} bytes (more than {MAX_EXTENSION}) was not read"
                    );
                    self.refused = Some(why);
                    continue;
                }
                let mut data = Vec::new();
                if let Err(e) = (&mut entry).take(MAX_EXTENSION).read_to_end(&mut data) {
                    self.done = true;
                    return Some(Err(e));
                }
                if kind.is_gnu_longname() {
                    // NUL-terminated.
                    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
                    data.truncate(end);
                    self.long_name = Some(data);
                } else {
                    for ext in tar::PaxExtensions::new(&data).flatten() {
                        match ext.key_bytes() {
                            b"path" => self.pax_path = Some(ext.value_bytes().to_vec()),
                            b"size" => {
                                self.pax_size = ext.value().ok().and_then(|v| v.parse().ok())
                            }
                            _ => {}
                        }
                    }
                }
                continue;
            }
            if kind.is_gnu_longlink() || kind.is_pax_global_extensions() {
                continue; // never used, never read
            }
            let pax_size = self.pax_size.take();
            let name = self
                .pax_path
                .take()
                .or(self.long_name.take())
                .unwrap_or_else(|| entry.path_bytes().into_owned());
            let note = self
                .refused
                .take()
                .map(|why| format!("{why}; the entry is read under its short header name"));
            if pax_size.is_some_and(|s| s != size) {
                self.done = true;
                return Some(Ok(Step::Stop(
                    "an entry's size is given only in a PAX record (a file over 8 GiB?); the rest was not read"
                        .to_string(),
                )));
            }
            let extended_sparse =
                kind.is_gnu_sparse() && entry.header().as_gnu().is_some_and(|g| g.is_extended());
            if extended_sparse {
                self.done = true;
                return Some(Ok(Step::Stop(
                    "a GNU sparse file with extension headers; the rest was not read".to_string(),
                )));
            }
            return Some(Ok(Step::Member {
                name,
                entry: Box::new(entry),
                note,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(kind: tar::EntryType, name: &[u8], size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(0o644);
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_cksum();
        h
    }

    fn names(tar: &[u8]) -> Vec<String> {
        let mut archive = tar::Archive::new(tar);
        walk(&mut archive)
            .expect("walk")
            .map(|s| match s.expect("step") {
                Step::Member { name, note, .. } => {
                    let name = String::from_utf8_lossy(&name).into_owned();
                    match note {
                        Some(why) => format!("{name} ({why})"),
                        None => name,
                    }
                }
                Step::Skipped(why) => format!("skipped: {why}"),
                Step::Stop(why) => format!("stop: {why}"),
            })
            .collect()
    }

    #[test]
    fn long_names_and_pax_paths_apply_within_the_cap() {
        let long = format!("{}/file.env", "d".repeat(150));
        let mut b = tar::Builder::new(Vec::new());
        // The builder writes a GNU long-name entry for a long path.
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_mode(0o644);
        b.append_data(&mut h, &long, &b"x\n"[..]).expect("append");
        let record = "path=pax/named/file.txt\n";
        // `<length> <key>=<value>\n`, the length counting itself.
        let pax = format!("{} {record}", record.len() + 3);
        b.append(
            &header(tar::EntryType::XHeader, b"pax", pax.len() as u64),
            pax.as_bytes(),
        )
        .expect("pax");
        b.append(&header(tar::EntryType::Regular, b"short", 1), &b"y"[..])
            .expect("file");
        let tar = b.into_inner().expect("tar");
        assert_eq!(names(&tar), [long.as_str(), "pax/named/file.txt"]);
    }

    #[test]
    fn an_oversized_long_name_is_skipped_unread() {
        let size = MAX_EXTENSION * 4;
        let mut b = tar::Builder::new(Vec::new());
        let big = vec![b'a'; size as usize];
        b.append(
            &header(tar::EntryType::GNULongName, b"././@LongLink", size),
            &big[..],
        )
        .expect("long name");
        b.append(&header(tar::EntryType::Regular, b"short.env", 1), &b"y"[..])
            .expect("file");
        let tar = b.into_inner().expect("tar");
        let got = names(&tar);
        assert_eq!(
            got,
            [
                "short.env (a GNU long-name header of 262144 bytes (more than 65536) was not read; \
              the entry is read under its short header name)"
            ]
        );
        // At the very end, with nothing after it.
        let mut b = tar::Builder::new(Vec::new());
        b.append(&header(tar::EntryType::XHeader, b"pax", size), &big[..])
            .expect("pax");
        let tar = b.into_inner().expect("tar");
        assert_eq!(
            names(&tar),
            ["skipped: a PAX header of 262144 bytes (more than 65536) was not read"]
        );
    }
}
