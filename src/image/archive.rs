//! Where an image's parts are: `manifest.json` (docker save) or
//! `index.json` → manifest → config and layers (OCI layout), in a folder or
//! a tar. A tar is read twice: once for the small JSON files, once for the
//! layers, so nothing is extracted or held whole.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::tarwalk::{self, Step};

use serde_json::Value;

/// Largest JSON file (manifest, index, config) kept from a tar.
const MAX_META_FILE: u64 = 4 * 1024 * 1024;
/// Total JSON kept from one tar.
const MAX_META_TOTAL: u64 = 64 * 1024 * 1024;
/// Nested OCI indexes followed.
const MAX_INDEX_DEPTH: usize = 4;

pub enum Source {
    Dir(PathBuf),
    /// A tar, possibly gzip- or zstd-compressed as a whole (`docker save |
    /// gzip`), decompressed as it streams.
    Tar {
        path: PathBuf,
        meta: HashMap<String, Vec<u8>>,
        /// Decompressed bytes read from the tar at most (`--max-image-size`).
        limit: u64,
        /// What reading it left out (oversized tar header extensions).
        notes: Vec<String>,
    },
}

/// One image: its name, its layers (names inside the archive, lowest first),
/// and what its config says.
#[derive(Debug, Default)]
pub struct Image {
    pub name: String,
    pub layers: Vec<String>,
    /// `config.Env`, `KEY=VALUE` each.
    pub env: Vec<String>,
    /// Every `history[].created_by`.
    pub created_by: Vec<String>,
    /// The `created_by` of the step that made each layer, when known.
    pub layer_steps: Vec<Option<String>>,
    /// How findings name each layer: see [`layer_label`].
    pub labels: Vec<String>,
}

impl Source {
    pub fn open(path: &Path, limit: u64) -> Result<Source, String> {
        if path.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        let mut notes = Vec::new();
        let meta = read_meta(path, limit, &mut notes)?;
        Ok(Source::Tar {
            path: path.to_path_buf(),
            meta,
            limit,
            notes,
        })
    }

    fn display(&self) -> String {
        match self {
            Source::Dir(p) | Source::Tar { path: p, .. } => p.display().to_string(),
        }
    }

    /// What reading the archive itself left out, for notices.
    pub fn notes(&self) -> &[String] {
        match self {
            Source::Dir(_) => &[],
            Source::Tar { notes, .. } => notes,
        }
    }

    /// A small JSON file of the archive, parsed.
    fn json(&self, name: &str) -> Option<Value> {
        let name = normalize(name)?;
        let bytes = match self {
            Source::Dir(dir) => {
                let file = File::open(dir.join(&name)).ok()?;
                let mut bytes = Vec::new();
                file.take(MAX_META_FILE).read_to_end(&mut bytes).ok()?;
                bytes
            }
            Source::Tar { meta, .. } => meta.get(&name)?.clone(),
        };
        serde_json::from_slice(&bytes).ok()
    }

    /// Calls `visit(name, reader)` for each file of the archive named in `wanted`.
    pub fn for_each_blob(
        &mut self,
        wanted: &HashSet<String>,
        mut visit: impl FnMut(&str, &mut dyn Read),
    ) -> Result<(), String> {
        match self {
            Source::Dir(dir) => {
                for name in wanted {
                    let Some(rel) = normalize(name) else { continue };
                    if let Ok(file) = File::open(dir.join(&rel)) {
                        visit(name, &mut BufReader::new(file));
                    }
                }
                Ok(())
            }
            Source::Tar {
                path, limit, notes, ..
            } => {
                let wanted: HashMap<String, &String> = wanted
                    .iter()
                    .filter_map(|w| Some((normalize(w)?, w)))
                    .collect();
                let (reader, hit) = open_tar(path, *limit)?;
                let mut archive = tar::Archive::new(reader);
                let entries = tarwalk::walk(&mut archive)
                    .map_err(|e| format!("{}: not a tar archive: {e}", path.display()))?;
                for step in entries {
                    let (name, mut entry, note) = match step {
                        Ok(Step::Member { name, entry, note }) => (name, entry, note),
                        Ok(Step::Skipped(why) | Step::Stop(why)) => {
                            notes.push(why);
                            continue;
                        }
                        Err(_) => {
                            if hit.get() {
                                notes.push(limit_note(*limit));
                            }
                            break;
                        }
                    };
                    notes.extend(note);
                    let name = String::from_utf8_lossy(&name).into_owned();
                    if let Some(original) = normalize(&name).and_then(|n| wanted.get(&n)) {
                        visit(original, &mut entry);
                    }
                }
                Ok(())
            }
        }
    }
}

/// Set when a bounded stream reached its limit.
type LimitHit = Rc<Cell<bool>>;

/// The tar at `path`, decompressed when it is gzip or zstd as a whole, and
/// bounded to `limit` decompressed bytes (the flag says when it was hit).
fn open_tar(path: &Path, limit: u64) -> Result<(Box<dyn Read>, LimitHit), String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let stream =
        super::layer::decompressed(file).map_err(|e| format!("{}: {e}", path.display()))?;
    let hit = Rc::new(Cell::new(false));
    let bounded = super::layer::Bounded {
        inner: stream,
        left: limit,
        hit: hit.clone(),
        used: Rc::new(Cell::new(0)),
    };
    Ok((Box::new(bounded), hit))
}

fn limit_note(limit: u64) -> String {
    format!(
        "the archive decompresses to more than --max-image-size ({limit} bytes); the rest was not read"
    )
}

/// The small JSON files of a tar, by normalized name.
fn read_meta(
    path: &Path,
    limit: u64,
    notes: &mut Vec<String>,
) -> Result<HashMap<String, Vec<u8>>, String> {
    let (reader, hit) = open_tar(path, limit)?;
    let mut archive = tar::Archive::new(reader);
    let entries = tarwalk::walk(&mut archive)
        .map_err(|e| format!("{}: not a tar archive: {e}", path.display()))?;
    let mut meta = HashMap::new();
    let mut total = 0u64;
    for step in entries {
        let (name, mut entry) = match step {
            Ok(Step::Member { name, entry, .. }) => (name, entry),
            // Reported once, when the layers are read.
            Ok(Step::Skipped(_) | Step::Stop(_)) => continue,
            Err(_) if hit.get() => {
                notes.push(limit_note(limit));
                break;
            }
            Err(e) if meta.is_empty() => {
                return Err(format!("{}: not a tar archive: {e}", path.display()));
            }
            Err(e) => return Err(format!("{}: broken tar: {e}", path.display())),
        };
        let size = entry.size();
        if !entry.header().entry_type().is_file() || size > MAX_META_FILE {
            continue;
        }
        let Some(name) = normalize(&String::from_utf8_lossy(&name)) else {
            continue;
        };
        let mut first = [0u8; 1];
        if entry.read_exact(&mut first).is_err() || !matches!(first[0], b'{' | b'[') {
            continue; // layers are tar/gzip/zstd, not JSON
        }
        if total + size > MAX_META_TOTAL {
            break;
        }
        let mut bytes = vec![first[0]];
        (&mut entry)
            .take(MAX_META_FILE)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        total += size;
        meta.insert(name, bytes);
    }
    Ok(meta)
}

/// `./a/b` → `a/b`; `None` for names that climb out (`..`) or are empty.
pub fn normalize(name: &str) -> Option<String> {
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The images in the archive: from `manifest.json` when present (docker
/// save), else from `index.json` (OCI layout).
pub fn images(source: &Source) -> Result<Vec<Image>, String> {
    let fallback = Path::new(&source.display())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".to_string());
    if let Some(Value::Array(entries)) = source.json("manifest.json") {
        return Ok(entries
            .iter()
            .map(|e| docker_image(source, e, &fallback))
            .collect());
    }
    let mut images = Vec::new();
    if let Some(index) = source.json("index.json") {
        collect_oci(source, &index, &fallback, 0, &mut images);
    }
    Ok(images)
}

fn docker_image(source: &Source, entry: &Value, fallback: &str) -> Image {
    let name = entry["RepoTags"][0]
        .as_str()
        .unwrap_or(fallback)
        .to_string();
    let layers = strings(&entry["Layers"]);
    let config = entry["Config"].as_str().and_then(|c| source.json(c));
    with_config(name, layers, config.as_ref())
}

fn collect_oci(source: &Source, index: &Value, fallback: &str, depth: usize, out: &mut Vec<Image>) {
    let Some(manifests) = index["manifests"].as_array() else {
        return; // `"manifests": null` (moby#47210) and friends
    };
    for m in manifests {
        let Some(doc) = m["digest"]
            .as_str()
            .and_then(|d| source.json(&blob_name(d)))
        else {
            continue;
        };
        if doc["manifests"].is_array() {
            if depth < MAX_INDEX_DEPTH {
                collect_oci(source, &doc, fallback, depth + 1, out);
            }
            continue;
        }
        let name = m["annotations"]["io.containerd.image.name"]
            .as_str()
            .or(m["annotations"]["org.opencontainers.image.ref.name"].as_str())
            .unwrap_or(fallback)
            .to_string();
        let layers = doc["layers"]
            .as_array()
            .map(|ls| {
                ls.iter()
                    .filter_map(|l| l["digest"].as_str().map(blob_name))
                    .collect()
            })
            .unwrap_or_default();
        let config = doc["config"]["digest"]
            .as_str()
            .and_then(|d| source.json(&blob_name(d)));
        out.push(with_config(name, layers, config.as_ref()));
    }
}

/// A layer's label in locations (`image!label!/path`): `sha256:` and the
/// first 12 hex digits of a real digest. That is the layer's `diff_id` from
/// the config's `rootfs` when the config lists one per layer (the same for
/// a classic `docker save`, Docker 25's OCI-in-tar and an OCI layout of one
/// image), else the blob's digest when the layer is a content-addressed blob
/// (`blobs/sha256/<hex>`). A classic `docker save` layer folder is named by
/// the layer's ID, which is not a digest: `layer-<first 12 of the ID>`.
fn layer_label(index: usize, layer: &str, diff_ids: &[String]) -> String {
    let short =
        |algorithm: &str, hex: &str| format!("{algorithm}:{}", hex.get(..12).unwrap_or(hex));
    if let Some((algorithm, hex)) = diff_ids.get(index).and_then(|d| d.split_once(':')) {
        return short(algorithm, hex);
    }
    let parts: Vec<&str> = layer
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if let ["blobs", algorithm, hex] = parts.as_slice() {
        return short(algorithm, hex);
    }
    match parts.iter().find(|p| **p != "layer.tar") {
        Some(id) => format!("layer-{}", id.get(..12).unwrap_or(id)),
        None => format!("layer-{index}"),
    }
}

fn labels(layers: &[String], diff_ids: &[String]) -> Vec<String> {
    // A config whose diff_ids do not line up with the layers says nothing.
    let diff_ids = if diff_ids.len() == layers.len() {
        diff_ids
    } else {
        &[]
    };
    layers
        .iter()
        .enumerate()
        .map(|(i, l)| layer_label(i, l, diff_ids))
        .collect()
}

fn with_config(name: String, layers: Vec<String>, config: Option<&Value>) -> Image {
    let Some(config) = config else {
        let layer_steps = vec![None; layers.len()];
        let labels = labels(&layers, &[]);
        return Image {
            name,
            layers,
            layer_steps,
            labels,
            ..Image::default()
        };
    };
    let labels = labels(&layers, &strings(&config["rootfs"]["diff_ids"]));
    let env = strings(&config["config"]["Env"]);
    let history = config["history"].as_array().cloned().unwrap_or_default();
    let created_by: Vec<String> = history
        .iter()
        .filter_map(|h| h["created_by"].as_str().map(str::to_string))
        .collect();
    // Steps that made a layer, in order, line up with the layers.
    let mut layer_steps: Vec<Option<String>> = history
        .iter()
        .filter(|h| h["empty_layer"].as_bool() != Some(true))
        .map(|h| h["created_by"].as_str().map(str::to_string))
        .collect();
    layer_steps.resize(layers.len(), None);
    Image {
        name,
        layers,
        env,
        created_by,
        layer_steps,
        labels,
    }
}

/// `sha256:abc` → `blobs/sha256/abc`.
fn blob_name(digest: &str) -> String {
    let (algorithm, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
    format!("blobs/{algorithm}/{hex}")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalized_and_traversal_refused() {
        assert_eq!(
            normalize("./blobs/sha256/ab").as_deref(),
            Some("blobs/sha256/ab")
        );
        assert_eq!(normalize("/etc//passwd").as_deref(), Some("etc/passwd"));
        assert_eq!(normalize("../../etc/passwd"), None);
        assert_eq!(normalize("./"), None);
    }

    #[test]
    fn layer_labels_are_digests_or_say_they_are_not() {
        let hex = "0123456789abcdef0123";
        // Classic docker save: the folder is the layer ID, not a digest.
        assert_eq!(
            labels(&[format!("{hex}/layer.tar")], &[]),
            ["layer-0123456789ab"]
        );
        // ... unless the config's rootfs gives the diff_id.
        assert_eq!(
            labels(
                &[format!("{hex}/layer.tar")],
                &["sha256:fedcba9876543210".into()]
            ),
            ["sha256:fedcba987654"]
        );
        // A content-addressed blob is named by its digest.
        assert_eq!(
            labels(&[format!("blobs/sha256/{hex}")], &[]),
            ["sha256:0123456789ab"]
        );
        // diff_ids that do not line up with the layers are not used.
        assert_eq!(
            labels(
                &[format!("blobs/sha256/{hex}"), "b/layer.tar".into()],
                &["sha256:fedcba9876543210".into()]
            ),
            ["sha256:0123456789ab", "layer-b"]
        );
    }

    #[test]
    fn layer_steps_skip_empty_layers() {
        let config: Value = serde_json::from_str(
            r#"{"config": {"Env": ["A=1"]},
                "history": [{"created_by": "ADD rootfs"},
                            {"created_by": "ENV A=1", "empty_layer": true},
                            {"created_by": "RUN make"}]}"#,
        )
        .expect("json");
        let image = with_config("i".into(), vec!["l0".into(), "l1".into()], Some(&config));
        assert_eq!(image.env, ["A=1"]);
        assert_eq!(image.created_by.len(), 3);
        assert_eq!(
            image.layer_steps,
            [Some("ADD rootfs".to_string()), Some("RUN make".to_string())]
        );
    }
}
