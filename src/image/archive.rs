//! Where an image's parts are: `manifest.json` (docker save) or
//! `index.json` → manifest → config and layers (OCI layout), in a folder or
//! a tar. A tar is read twice: once for the small JSON files, once for the
//! layers, so nothing is extracted or held whole.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Largest JSON file (manifest, index, config) kept from a tar.
const MAX_META_FILE: u64 = 4 * 1024 * 1024;
/// Total JSON kept from one tar.
const MAX_META_TOTAL: u64 = 64 * 1024 * 1024;
/// Nested OCI indexes followed.
const MAX_INDEX_DEPTH: usize = 4;

pub enum Source {
    Dir(PathBuf),
    Tar {
        path: PathBuf,
        meta: HashMap<String, Vec<u8>>,
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
}

impl Source {
    pub fn open(path: &Path) -> Result<Source, String> {
        if path.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        let meta = read_meta(path)?;
        Ok(Source::Tar {
            path: path.to_path_buf(),
            meta,
        })
    }

    fn display(&self) -> String {
        match self {
            Source::Dir(p) | Source::Tar { path: p, .. } => p.display().to_string(),
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
        &self,
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
            Source::Tar { path, .. } => {
                let wanted: HashMap<String, &String> = wanted
                    .iter()
                    .filter_map(|w| Some((normalize(w)?, w)))
                    .collect();
                let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
                let mut archive = tar::Archive::new(BufReader::new(file));
                let entries = archive
                    .entries()
                    .map_err(|e| format!("{}: not a tar archive: {e}", path.display()))?;
                for entry in entries {
                    let Ok(mut entry) = entry else { break };
                    let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
                    if let Some(original) = normalize(&name).and_then(|n| wanted.get(&n)) {
                        visit(original, &mut entry);
                    }
                }
                Ok(())
            }
        }
    }
}

/// The small JSON files of a tar, by normalized name.
fn read_meta(path: &Path) -> Result<HashMap<String, Vec<u8>>, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut archive = tar::Archive::new(BufReader::new(file));
    let entries = archive
        .entries()
        .map_err(|e| format!("{}: not a tar archive: {e}", path.display()))?;
    let mut meta = HashMap::new();
    let mut total = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("{}: broken tar: {e}", path.display()))?;
        let size = entry.size();
        if !entry.header().entry_type().is_file() || size > MAX_META_FILE {
            continue;
        }
        let Some(name) = normalize(&String::from_utf8_lossy(&entry.path_bytes())) else {
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

fn with_config(name: String, layers: Vec<String>, config: Option<&Value>) -> Image {
    let Some(config) = config else {
        let layer_steps = vec![None; layers.len()];
        return Image {
            name,
            layers,
            layer_steps,
            ..Image::default()
        };
    };
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
