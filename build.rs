//! Compiles the rule catalog (`rules/*.toml`) into the binary: every file in
//! `rules/` is included, so a rule cannot be added without being shipped.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut files: Vec<String> = fs::read_dir("rules")
        .expect("rules/ directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    files.sort();
    // Paths are resolved when the crate compiles (`CARGO_MANIFEST_DIR`), not
    // written out absolute here: a build-script output reused from a build of
    // another checkout (pre-commit's clone sharing the target dir) stays valid.
    let mut out = String::from("pub static RULE_SOURCES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed=rules/{f}");
        out.push_str(&format!(
            "    ({f:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/rules/{f}\"))),\n"
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("rule_sources.rs");
    fs::write(dest, out).expect("write rule_sources.rs");
}
