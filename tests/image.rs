//! `claudit image`: `docker save` archives and OCI layouts built at run
//! time (tar + gzip/zstd written here), keys from `claudit::testkeys`.

mod common;

use std::io::Write;
use std::path::Path;

use claudit::testkeys;
use common::{claudit, json};
use sha2::{Digest, Sha256};

/// A tar of `(path, content)` files; a path may be any bytes (`..` too).
fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_cksum();
        builder.append(&header, *content).expect("tar");
    }
    builder.into_inner().expect("tar")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).expect("gzip");
    gz.finish().expect("gzip")
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

fn sha(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn findings(run: &common::Run) -> Vec<serde_json::Value> {
    json(run)["findings"].as_array().expect("findings").clone()
}

/// The keys [`classic_archive`] plants.
struct Planted {
    key: String,
    env_key: String,
    arg_key: String,
    /// The first layer's diff_id (the SHA-256 of its tar).
    diff_id: String,
}

/// A classic `docker save` archive in `dir/app.tar`: a key in one layer,
/// deleted by a whiteout in the next; credentials in the config's Env and
/// history; the config's `rootfs` lists the layers' diff_ids.
fn classic_archive(dir: &Path) -> (Vec<u8>, Planted) {
    let key = testkeys::key("api03", 91);
    let env_key = testkeys::key("api03", 92);
    let arg_key = testkeys::key("admin01", 93);
    let env_file = format!("ANTHROPIC_API_KEY={key}\n");
    let layer1 = tar_of(&[
        ("app/.env", env_file.as_bytes()),
        ("app/main.py", b"print(1)\n"),
    ]);
    let layer2 = tar_of(&[("app/.wh..env", b"")]);
    let config = serde_json::json!({
        "config": {"Env": ["PATH=/usr/bin", "CLAUDE_CODE_USE_BEDROCK=1", format!("ANTHROPIC_API_KEY={env_key}")]},
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{}", sha(&layer1)), format!("sha256:{}", sha(&layer2))]},
        "history": [
            {"created_by": "COPY app /app"},
            {"created_by": format!("RUN |1 TOKEN={arg_key} /bin/sh -c rm app/.env")},
        ]
    });
    let manifest = serde_json::json!([{
        "Config": "cfg.json",
        "RepoTags": ["example/app:1"],
        "Layers": ["aaaaaaaaaaaaaaaa/layer.tar", "bbbbbbbbbbbbbbbb/layer.tar"]
    }]);
    let archive = tar_of(&[
        ("manifest.json", manifest.to_string().as_bytes()),
        ("cfg.json", config.to_string().as_bytes()),
        ("aaaaaaaaaaaaaaaa/layer.tar", &layer1),
        ("bbbbbbbbbbbbbbbb/layer.tar", &layer2),
    ]);
    std::fs::write(dir.join("app.tar"), &archive).expect("write");
    let diff_id = sha(&layer1)[..12].to_string();
    (
        archive,
        Planted {
            key,
            env_key,
            arg_key,
            diff_id,
        },
    )
}

#[test]
fn docker_save_reports_a_whited_out_key_and_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, planted) = classic_archive(dir.path());
    let run = claudit(dir.path(), &["image", "app.tar", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for k in [&planted.key, &planted.env_key, &planted.arg_key] {
        assert!(!run.stdout.contains(k.as_str()), "a key is printed");
    }
    let found = findings(&run);
    // The layer is labelled by its diff_id, not by the layer ID of the folder.
    let at = format!("example/app:1!sha256:{}!/app/.env", planted.diff_id);
    let deleted = found
        .iter()
        .find(|f| f["path"] == at.as_str() && f["rule_id"] == "CLD101")
        .unwrap_or_else(|| panic!("{found:#?}"));
    let message = deleted["message"].as_str().expect("message");
    assert!(
        message.contains("deleted (whiteout) in a later layer"),
        "{message}"
    );
    assert!(message.contains("COPY app /app"), "{message}");
    assert!(
        found
            .iter()
            .any(|f| f["path"] == "example/app:1!config!/Env" && f["rule_id"] == "CLD101"),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f["path"] == "example/app:1!config!/history" && f["rule_id"] == "CLD102"),
        "{found:#?}"
    );
    // Env is an execution context: Bedrock on and an API key set conflict,
    // said of the image's config, not of a `.env` file that does not exist.
    let conflict = found
        .iter()
        .find(|f| f["path"] == "example/app:1!config!/Env" && f["rule_id"] == "CLD202")
        .unwrap_or_else(|| panic!("{found:#?}"));
    let text = conflict.to_string();
    assert!(!text.contains(".env") && !text.contains("dotenv"), "{text}");
    assert!(!text.contains("Dockerfile"), "{text}");
    for related in conflict["related"].as_array().expect("related") {
        assert_eq!(related["path"], "example/app:1!config!/Env", "{text}");
    }
    assert_eq!(conflict["line"], 3, "the third Env entry: {text}");
    // A provider baked into the image, as for a Dockerfile.
    assert!(
        found
            .iter()
            .any(|f| f["path"] == "example/app:1!config!/Env" && f["rule_id"] == "CLD220"),
        "{found:#?}"
    );
}

/// A classic `docker save` layer without a diff_id is named by its folder,
/// which is a layer ID, not a digest.
#[test]
fn a_layer_id_is_not_called_a_digest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = testkeys::key("api03", 95);
    let layer = tar_of(&[("app/.env", format!("ANTHROPIC_API_KEY={key}\n").as_bytes())]);
    let manifest = serde_json::json!([{
        "Config": "cfg.json",
        "RepoTags": ["plain:1"],
        "Layers": ["cccccccccccccccc/layer.tar"]
    }]);
    let config = serde_json::json!({"config": {}, "history": []});
    let archive = tar_of(&[
        ("manifest.json", manifest.to_string().as_bytes()),
        ("cfg.json", config.to_string().as_bytes()),
        ("cccccccccccccccc/layer.tar", &layer),
    ]);
    std::fs::write(dir.path().join("plain.tar"), &archive).expect("write");
    let run = claudit(dir.path(), &["image", "plain.tar", "--format", "json"]);
    let found = findings(&run);
    assert!(
        found
            .iter()
            .any(|f| f["path"] == "plain:1!layer-cccccccccccc!/app/.env"),
        "{found:#?}"
    );
}

/// `docker save | gzip` and `| zstd`: the archive itself is compressed.
#[test]
fn a_compressed_archive_is_read_as_it_streams() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (archive, planted) = classic_archive(dir.path());
    std::fs::write(dir.path().join("app.tar.gz"), gzip(&archive)).expect("write");
    std::fs::write(dir.path().join("app.tar.zst"), zstd(&archive)).expect("write");
    let at = format!("example/app:1!sha256:{}!/app/.env", planted.diff_id);
    for name in ["app.tar.gz", "app.tar.zst"] {
        let run = claudit(dir.path(), &["image", name, "--format", "json"]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        let found = findings(&run);
        assert!(
            found.iter().any(|f| f["path"] == at.as_str()),
            "{name}: {found:#?}"
        );
    }
}

/// SARIF of an image: a category of its own (never the repository's
/// `claudit/`), and `primaryLocationLineHash` from the layer's content.
#[test]
fn image_sarif_has_a_category_per_image_and_line_hashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    classic_archive(dir.path());
    let run = claudit(dir.path(), &["image", "app.tar", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    if let Some(out) = std::env::var_os("CLAUDIT_SARIF_OUT") {
        std::fs::write(out, &run.stdout).expect("write SARIF");
    }
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).expect("schema");
    let validator = jsonschema::options().build(&schema).expect("schema");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(
        runs[0]["automationDetails"]["id"],
        "claudit/image/example/app:1/"
    );
    let results = runs[0]["results"].as_array().expect("results");
    assert!(results.len() >= 4, "{results:#?}");
    for r in results {
        let hash = &r["partialFingerprints"]["primaryLocationLineHash"];
        assert!(
            hash.as_str().is_some_and(|h| h.contains(':')),
            "no line hash: {r:#}"
        );
    }
    // The same content gives the same hash wherever it is: line 1 of the
    // layer's `.env` is `ANTHROPIC_API_KEY=<key>`, as in a file on disk.
    common::write(
        dir.path(),
        "same/.env",
        format!("ANTHROPIC_API_KEY={}\n", classic_key()),
    );
    let disk = claudit(dir.path(), &["scan", "same", "--format", "sarif"]);
    let disk: serde_json::Value = serde_json::from_str(&disk.stdout).expect("SARIF");
    let hash_of = |results: &serde_json::Value, suffix: &str| {
        results
            .as_array()
            .expect("results")
            .iter()
            .find(|r| {
                r["ruleId"] == "CLD101"
                    && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .is_some_and(|u| u.ends_with(suffix))
            })
            .map(|r| r["partialFingerprints"]["primaryLocationLineHash"].clone())
            .unwrap_or_else(|| panic!("no CLD101 at {suffix}"))
    };
    assert_eq!(
        hash_of(&runs[0]["results"], "/app/.env"),
        hash_of(&disk["runs"][0]["results"], "same/.env")
    );

    // Two images: two runs, each with its own category; an explicit
    // category puts them in one.
    let other = tar_of(&[
        (
            "manifest.json",
            serde_json::json!([{"Config": "c.json", "RepoTags": ["other:2"], "Layers": []}])
                .to_string()
                .as_bytes(),
        ),
        (
            "c.json",
            serde_json::json!({"config": {"Env": ["CLAUDE_CODE_USE_VERTEX=1"]}})
                .to_string()
                .as_bytes(),
        ),
    ]);
    std::fs::write(dir.path().join("other.tar"), other).expect("write");
    let both = claudit(
        dir.path(),
        &["image", "app.tar", "other.tar", "--format", "sarif"],
    );
    let doc: serde_json::Value = serde_json::from_str(&both.stdout).expect("SARIF");
    let ids: Vec<&str> = doc["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        ["claudit/image/example/app:1/", "claudit/image/other:2/"]
    );
    assert!(
        doc["runs"][1]["results"]
            .as_array()
            .expect("results")
            .iter()
            .all(
                |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("other"))
            ),
        "{doc:#}"
    );
    let one = claudit(
        dir.path(),
        &[
            "image",
            "app.tar",
            "other.tar",
            "--format",
            "sarif",
            "--sarif-category",
            "images/",
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&one.stdout).expect("SARIF");
    assert_eq!(doc["runs"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["runs"][0]["automationDetails"]["id"], "images/");
}

fn classic_key() -> String {
    testkeys::key("api03", 91)
}

/// A header extension (GNU long name, PAX) larger than the cap is reported
/// and never read; the entry it describes is read under its short name.
#[test]
fn oversized_tar_header_extensions_are_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = testkeys::key("api03", 96);
    let content = format!("ANTHROPIC_API_KEY={key}\n");
    // 8 MiB: well over the 64 KiB cap, small enough to build quickly.
    let size = 8 * 1024 * 1024u64;
    let huge = vec![b'a'; size as usize];
    let mut layers = Vec::new();
    for (kind, name) in [
        (tar::EntryType::GNULongName, "././@LongLink"),
        (tar::EntryType::XHeader, "PaxHeaders/x"),
    ] {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(size);
        header.set_mode(0o644);
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, huge.as_slice()).expect("tar");
        let mut file = tar::Header::new_gnu();
        file.set_size(content.len() as u64);
        file.set_mode(0o644);
        builder
            .append_data(&mut file, "app/.env", content.as_bytes())
            .expect("tar");
        layers.push(gzip(&builder.into_inner().expect("tar")));
    }
    let manifest = serde_json::json!([{
        "Config": "missing.json",
        "RepoTags": ["hostile:1"],
        "Layers": ["l/layer.tar", "p/layer.tar"]
    }]);
    let archive = tar_of(&[
        ("manifest.json", manifest.to_string().as_bytes()),
        ("l/layer.tar", &layers[0]),
        ("p/layer.tar", &layers[1]),
    ]);
    assert!(archive.len() < 256 * 1024, "{}", archive.len());
    std::fs::write(dir.path().join("hostile.tar"), &archive).expect("write");
    let run = claudit(dir.path(), &["image", "hostile.tar", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let doc = json(&run);
    let notices = doc["notices"].to_string();
    for what in ["GNU long-name", "PAX"] {
        assert!(
            notices.contains(&format!("a {what} header of {size} bytes")),
            "{what}: {notices}"
        );
    }
    let found = findings(&run);
    for layer in ["layer-l", "layer-p"] {
        let at = format!("hostile:1!{layer}!/app/.env");
        assert!(
            found
                .iter()
                .any(|f| f["path"] == at.as_str() && f["rule_id"] == "CLD101"),
            "{at}: {found:#?}"
        );
    }
}

/// `--max-image-size`: the layers of one archive share one budget.
#[test]
fn the_archive_has_a_total_decompressed_budget() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = vec![b'x'; 300 * 1024];
    let layer = gzip(&tar_of(&[("a.txt", &big)]));
    let layer2 = gzip(&tar_of(&[("b.txt", &big)]));
    let manifest = serde_json::json!([{
        "Config": "missing.json",
        "RepoTags": ["two:1"],
        "Layers": ["a/layer.tar", "b/layer.tar"]
    }]);
    let archive = tar_of(&[
        ("manifest.json", manifest.to_string().as_bytes()),
        ("a/layer.tar", &layer),
        ("b/layer.tar", &layer2),
    ]);
    std::fs::write(dir.path().join("two.tar"), &archive).expect("write");
    let all = claudit(dir.path(), &["image", "two.tar", "--format", "json"]);
    assert!(!all.stdout.contains("--max-image-size"), "{}", all.stdout);
    let run = claudit(
        dir.path(),
        &[
            "image",
            "two.tar",
            "--format",
            "json",
            "--max-image-size",
            "500000",
        ],
    );
    let doc = json(&run);
    let notices = doc["notices"].to_string();
    assert!(notices.contains("--max-image-size"), "{notices}");
    assert_eq!(doc["summary"]["files_scanned"], 1, "{doc:#}");
}

/// An OCI layout folder: gzip and zstd layers, an opaque directory.
#[test]
fn oci_layout_with_gzip_zstd_and_an_opaque_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("layout");
    let key = testkeys::key("oat01", 94);
    let creds = format!("{{\"claudeAiOauth\": {{\"accessToken\": \"{key}\"}}}}\n");
    let layer1 = gzip(&tar_of(&[(
        "root/.claude/.credentials.json",
        creds.as_bytes(),
    )]));
    let layer2 = zstd(&tar_of(&[("root/.claude/.wh..wh..opq", b"")]));
    let config = serde_json::json!({"config": {}, "history": []}).to_string();
    let blobs = [layer1.clone(), layer2.clone(), config.clone().into_bytes()];
    for blob in &blobs {
        common::write(&root, &format!("blobs/sha256/{}", sha(blob)), blob);
    }
    let manifest = serde_json::json!({
        "config": {"digest": format!("sha256:{}", sha(config.as_bytes()))},
        "layers": [
            {"digest": format!("sha256:{}", sha(&layer1))},
            {"digest": format!("sha256:{}", sha(&layer2))},
        ]
    })
    .to_string();
    common::write(
        &root,
        &format!("blobs/sha256/{}", sha(manifest.as_bytes())),
        &manifest,
    );
    let index = serde_json::json!({"manifests": [{
        "digest": format!("sha256:{}", sha(manifest.as_bytes())),
        "annotations": {"org.opencontainers.image.ref.name": "oci/app:2"}
    }]});
    common::write(&root, "index.json", index.to_string());
    common::write(&root, "oci-layout", r#"{"imageLayoutVersion": "1.0.0"}"#);

    let run = claudit(dir.path(), &["image", "layout", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let found = findings(&run);
    let f = found
        .iter()
        .find(|f| f["rule_id"] == "CLD104")
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert!(
        f["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("oci/app:2!sha256:")
                && p.ends_with("!/root/.claude/.credentials.json")),
        "{f}"
    );
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("opaque directory")),
        "{f}"
    );
}

/// A `..` entry is reported, never followed; a decompression bomb stops at
/// the limit and is reported.
#[test]
fn traversal_and_bomb_are_bounded_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = testkeys::key("api03", 97);
    let evil = format!("ANTHROPIC_API_KEY={key}\n");
    let traversal = tar_of(&[("../../etc/evil", evil.as_bytes())]);
    // One 32 MB file of zeros: a few tens of KB gzipped.
    let zeros = vec![0u8; 32 * 1024 * 1024];
    let bomb_tar = tar_of(&[("big", &zeros)]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&bomb_tar).expect("gzip");
    let bomb = gz.finish().expect("gzip");
    let manifest = serde_json::json!([{
        "Config": "missing.json",
        "RepoTags": ["bad:1"],
        "Layers": ["t/layer.tar", "b/layer.tar"]
    }]);
    let archive = tar_of(&[
        ("manifest.json", manifest.to_string().as_bytes()),
        ("t/layer.tar", &traversal),
        ("b/layer.tar", &bomb),
    ]);
    std::fs::write(dir.path().join("bad.tar"), &archive).expect("write");
    let run = claudit(
        dir.path(),
        &[
            "image",
            "bad.tar",
            "--format",
            "json",
            "--max-layer-size",
            "1048576",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let doc = json(&run);
    let notices = doc["notices"].to_string();
    assert!(
        notices.contains("climbs out of the image root"),
        "{notices}"
    );
    // Not followed, but its content is in the archive: scanned, under its
    // sanitized name.
    let found = findings(&run);
    let leak = found
        .iter()
        .find(|f| f["path"] == "bad:1!layer-t!/etc/evil" && f["rule_id"] == "CLD101")
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert!(
        leak["message"]
            .as_str()
            .is_some_and(|m| m.contains("climbs out of the image root")),
        "{leak}"
    );
    assert!(!run.stdout.contains(&key));
    assert!(notices.contains("decompression bomb"), "{notices}");
    assert!(!Path::new("/etc/evil").exists());
}

#[test]
fn not_an_image_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("x.tar"), tar_of(&[("a.txt", b"a")])).expect("write");
    let run = claudit(dir.path(), &["image", "x.tar"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no image found"), "{}", run.stderr);
}
