//! Signing keys: which key a commit signature names, read from the signature itself.
//!
//! Takes the armored signature a commit carries (OpenPGP or SSH); gives the key it names: the
//! OpenPGP issuer fingerprint (or 64-bit key id), or the SSH public key's SHA-256 fingerprint as
//! `ssh-keygen -l` prints it. The signature is not verified (that needs the signer's public key
//! and a trust decision the report cannot make); a key id says whose key was claimed, which is
//! what "was this landing signed like the others" needs. Every read is bounds-checked: the
//! signature is attacker-controlled bytes.

use base64::Engine as _;

/// The key a signature names, or `None` when it cannot be read.
pub fn key_id(armored: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(armored).ok()?;
    if text.contains("BEGIN PGP SIGNATURE") {
        pgp_key(&dearmor(text)?)
    } else if text.contains("BEGIN SSH SIGNATURE") {
        ssh_key(&dearmor(text)?)
    } else {
        None
    }
}

/// The base64 body between the armor lines, without armor headers or the CRC line.
fn dearmor(text: &str) -> Option<Vec<u8>> {
    let mut body = String::new();
    let mut inside = false;
    let mut headers = true;
    for line in text.lines().map(str::trim) {
        if line.starts_with("-----BEGIN") {
            inside = true;
            continue;
        }
        if line.starts_with("-----END") {
            break;
        }
        if !inside {
            continue;
        }
        if headers {
            // OpenPGP armor headers ("Comment: …") end at a blank line; SSH armor has none.
            if line.is_empty() {
                headers = false;
                continue;
            }
            if line.contains(": ") {
                continue;
            }
            headers = false;
        }
        if line.starts_with('=') {
            continue;
        }
        body.push_str(line);
    }
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.b.len() {
            return None;
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Some(h)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<usize> {
        self.take(2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
    }
    fn u32(&mut self) -> Option<usize> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// An OpenPGP signature packet (RFC 4880 / 9580): the issuer fingerprint subpacket (33), else
/// the issuer key id (16), from the hashed then the unhashed area.
fn pgp_key(packet: &[u8]) -> Option<String> {
    let mut r = Reader { b: packet };
    let first = r.u8()?;
    if first & 0x80 == 0 {
        return None;
    }
    let (tag, len) = if first & 0x40 != 0 {
        let l0 = r.u8()? as usize;
        let len = match l0 {
            0..=191 => l0,
            192..=223 => ((l0 - 192) << 8) + r.u8()? as usize + 192,
            255 => r.u32()?,
            _ => return None, // partial lengths are not used for signatures
        };
        (first & 0x3f, len)
    } else {
        let len = match first & 3 {
            0 => r.u8()? as usize,
            1 => r.u16()?,
            2 => r.u32()?,
            _ => r.b.len(),
        };
        ((first >> 2) & 0x0f, len)
    };
    if tag != 2 {
        return None;
    }
    let mut body = Reader {
        b: r.take(len.min(r.b.len()))?,
    };
    let version = body.u8()?;
    if !(4..=6).contains(&version) {
        return None;
    }
    body.take(3)?; // signature type, public-key algorithm, hash algorithm
    let wide = version == 6;
    let mut found: Option<String> = None;
    for _area in 0..2 {
        let n = if wide { body.u32()? } else { body.u16()? };
        let mut area = Reader { b: body.take(n)? };
        while !area.b.is_empty() {
            let l0 = area.u8()? as usize;
            let len = match l0 {
                0..=191 => l0,
                192..=254 => ((l0 - 192) << 8) + area.u8()? as usize + 192,
                _ => area.u32()?,
            };
            let sub = area.take(len)?;
            let (&kind, data) = sub.split_first()?;
            match kind & 0x7f {
                33 if data.len() > 1 => return Some(hex(&data[1..])),
                16 if data.len() == 8 && found.is_none() => found = Some(hex(data)),
                _ => {}
            }
        }
    }
    found
}

/// An SSHSIG blob (OpenSSH PROTOCOL.sshsig): the signer's public key, as its SHA-256
/// fingerprint.
fn ssh_key(blob: &[u8]) -> Option<String> {
    use sha2::Digest;
    let mut r = Reader { b: blob };
    if r.take(6)? != b"SSHSIG" {
        return None;
    }
    r.u32()?; // version
    let n = r.u32()?;
    let key = r.take(n)?;
    let sum = sha2::Sha256::digest(key);
    Some(format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(sum)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made with `gpg --quick-gen-key ... ed25519` and `gpg --armor --detach-sign`; the key's
    /// fingerprint is 3091E4899795017F1D8CE60BD922B170F1607CF7.
    const PGP: &str = "-----BEGIN PGP SIGNATURE-----

iHUEABYIAB0WIQQwkeSJl5UBfx2M5gvZIrFw8WB89wUCawmZuwAKCRDZIrFw8WB8
96J5AQDa51czhzXD793s3bcamy1FzKBFxSDky8ct9xZKSnZxDQD/SgWxEEDjBxUw
o8db4HlA7/+0KZH96pVUrLoAxD4+fAw=
=ojhA
-----END PGP SIGNATURE-----
";

    #[test]
    fn openpgp_issuer_fingerprint() {
        assert_eq!(
            key_id(PGP.as_bytes()).as_deref(),
            Some("3091E4899795017F1D8CE60BD922B170F1607CF7")
        );
    }

    #[test]
    fn garbage_and_truncation_give_none_not_a_panic() {
        assert_eq!(
            key_id(b"-----BEGIN PGP SIGNATURE-----\n\n!!!\n-----END"),
            None
        );
        let cut: String = PGP.chars().take(90).collect();
        let _ = key_id(cut.as_bytes());
        for n in 0..40 {
            let _ = pgp_key(&[0xc2, 0xff, 0xff, 0xff, 0xff, 0xff][..n.min(6)]);
            let _ = ssh_key(&b"SSHSIG\0\0\0\x01\xff\xff\xff\xff"[..n.min(14)]);
        }
        assert_eq!(key_id(&[0xff, 0xfe]), None);
    }
}
