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

/// A classic `docker save` archive: a key in one layer, deleted by a
/// whiteout in the next; credentials in the config's Env and history.
#[test]
fn docker_save_reports_a_whited_out_key_and_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
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
    std::fs::write(dir.path().join("app.tar"), &archive).expect("write");

    let run = claudit(dir.path(), &["image", "app.tar", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for k in [&key, &env_key, &arg_key] {
        assert!(!run.stdout.contains(k.as_str()), "a key is printed");
    }
    let found = findings(&run);
    let deleted = found
        .iter()
        .find(|f| {
            f["path"] == "example/app:1!sha256:aaaaaaaaaaaa!/app/.env" && f["rule_id"] == "CLD101"
        })
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
    // Env is an execution context: Bedrock on and an API key set conflict.
    assert!(
        found
            .iter()
            .any(|f| f["path"] == "example/app:1!config!/Env" && f["rule_id"] == "CLD202"),
        "{found:#?}"
    );
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
    let traversal = tar_of(&[("../../etc/evil", b"x\n")]);
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
    assert!(
        run.code == 0 || run.code == 3,
        "{}{}",
        run.stdout,
        run.stderr
    );
    let doc = json(&run);
    let notices = doc["notices"].to_string();
    assert!(
        notices.contains("climbs out of the image root"),
        "{notices}"
    );
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
