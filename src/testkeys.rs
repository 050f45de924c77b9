//! Key-shaped test values built at run time, so that no key-shaped literal is
//! ever committed. Used by the demo, the catalog examples and the tests.
//!
//! Bodies come from a small deterministic generator: the same seed gives the
//! same key, which keeps demo output and fingerprints stable.

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// `len` characters of `[A-Za-z0-9_-]` that pass the placeholder filter.
pub fn body(len: usize, seed: u64) -> String {
    let mut state = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0xD1B5_4A32_D192_ED03);
    (0..len)
        .map(|_| {
            // xorshift64*: plenty for spreading characters.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let v = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
            ALPHABET[(v >> 58) as usize] as char
        })
        .collect()
}

/// A full token of the given family tag (`api03`, `admin01`, `api01`, `oat01`,
/// `ort01`, `sid01`, `cc`, `si`), in the shape claudit treats as exact.
pub fn key(tag: &str, seed: u64) -> String {
    let prefix = ["sk", "ant", tag].join("-");
    match tag {
        "cc" | "si" => format!(
            "{prefix}-eyJ{}.eyJ{}.{}",
            body(30, seed),
            body(60, seed + 1),
            body(43, seed + 2)
        ),
        _ => format!("{prefix}-{}AA", body(93, seed)),
    }
}

/// A gateway-style credential that is not `sk-ant-` shaped.
pub fn gateway_token(seed: u64) -> String {
    format!("gw_{}", body(32, seed))
}

/// `len` characters of `[A-Za-z0-9]`.
fn alnum(len: usize, seed: u64) -> String {
    body(len * 3, seed)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(len)
        .collect()
}

/// `len` characters drawn from `alphabet`.
fn from_alphabet(alphabet: &[u8], len: usize, seed: u64) -> String {
    body(len, seed)
        .bytes()
        .map(|b| alphabet[b as usize % alphabet.len()] as char)
        .collect()
}

/// A credential in another vendor's format, for the Claude-config secret
/// rules: `github`, `aws` (access key id), `aws-secret`, `slack`, `stripe`,
/// `openai`, `google`, `npm`, `supabase`, `jwt`. Unknown kinds give a gateway token.
pub fn vendor_token(kind: &str, seed: u64) -> String {
    let join = |parts: &[&str]| parts.concat();
    match kind {
        "github" => join(&["ghp", "_", &alnum(36, seed)]),
        "aws" => join(&[
            "AK",
            "IA",
            &from_alphabet(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, seed),
        ]),
        "aws-secret" => join(&[&alnum(20, seed), "/", &alnum(19, seed + 1)]),
        "slack" => join(&[
            "xo",
            "xb-",
            "1234567890",
            "-",
            "1234567890123",
            "-",
            &alnum(24, seed),
        ]),
        "stripe" => join(&["sk", "_live_", &alnum(24, seed)]),
        "openai" => join(&["sk", "-proj-", &body(120, seed)]),
        "google" => join(&["AI", "za", &alnum(35, seed)]),
        "npm" => join(&["npm", "_", &alnum(36, seed)]),
        "supabase" => join(&["sbp", "_", &from_alphabet(b"0123456789abcdef", 40, seed)]),
        // {"alg":"HS256","typ":"JWT"} . {"sub":"ci-bot","iat":1700000000} . signature
        "jwt" => join(&[
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
            ".",
            "eyJzdWIiOiJjaS1ib3QiLCJpYXQiOjE3MDAwMDAwMDB9",
            ".",
            &alnum(43, seed),
        ]),
        _ => gateway_token(seed),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn deterministic_and_shaped() {
        assert_eq!(super::key("api03", 7), super::key("api03", 7));
        assert_ne!(super::key("api03", 7), super::key("api03", 8));
        assert_eq!(super::key("api03", 7).len(), 108);
        assert_eq!(super::key("admin01", 7).len(), 110);
    }
}
