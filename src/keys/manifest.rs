//! The keys directory: `keys.json` (the manifest) and one `<kid>.pem` per key. Every
//! write goes to a temporary file first and is renamed into place, so a crash never
//! leaves a half-written manifest or key.

use super::material::{Material, from_pem, to_pem};
use super::{KeyError, KeyInfo, KeyStatus, SigningAlg};
use std::path::{Path, PathBuf};

const MANIFEST: &str = "keys.json";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_owned(),
        source,
    }
}

pub fn read(dir: &Path) -> Result<Vec<KeyInfo>, KeyError> {
    let path = dir.join(MANIFEST);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            serde_json::from_str(&text).map_err(|e| KeyError::Manifest(path, e.to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(KeyError::Io { path, source: e }),
    }
}

pub fn read_pem(dir: &Path, kid: &str) -> Result<Vec<u8>, KeyError> {
    let path = pem_path(dir, kid);
    let text = std::fs::read_to_string(&path).map_err(|e| KeyError::KeyFile {
        kid: kid.to_owned(),
        problem: format!("{}: {e}", path.display()),
    })?;
    from_pem(&text).ok_or_else(|| KeyError::KeyFile {
        kid: kid.to_owned(),
        problem: "not a PKCS#8 PEM".into(),
    })
}

pub fn still_published(k: &KeyInfo, now: i64) -> bool {
    k.status == KeyStatus::Active || k.publish_until.is_some_and(|t| t > now)
}

fn pem_path(dir: &Path, kid: &str) -> PathBuf {
    dir.join(format!("{kid}.pem"))
}

/// A new active key for `alg`; the previous active one is retired and stays published
/// for `keep_published` seconds. Retired keys past their time are deleted.
pub fn generate(
    dir: &Path,
    alg: SigningAlg,
    now: i64,
    keep_published: i64,
) -> Result<KeyInfo, KeyError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut infos = read(dir)?;
    let (_, pkcs8) = Material::generate(alg)?;
    let kid = crate::secret::random_b64(12);
    write_atomic(&pem_path(dir, &kid), to_pem(&pkcs8).as_bytes(), true)?;
    for k in infos
        .iter_mut()
        .filter(|k| k.alg == alg && k.status == KeyStatus::Active)
    {
        k.status = KeyStatus::Retired;
        k.retired_at = Some(now);
        k.publish_until = Some(now + keep_published);
    }
    let fresh = KeyInfo {
        kid,
        alg,
        status: KeyStatus::Active,
        created_at: now,
        retired_at: None,
        publish_until: None,
    };
    infos.push(fresh.clone());
    let (keep, drop): (Vec<KeyInfo>, Vec<KeyInfo>) = infos
        .into_iter()
        .partition(|k| k.status == KeyStatus::Active || k.publish_until.is_some_and(|t| t >= now));
    write_manifest(dir, &keep)?;
    for k in drop {
        let _ = std::fs::remove_file(pem_path(dir, &k.kid));
    }
    Ok(fresh)
}

/// `generate` for every algorithm that has an active key, or only for `only`.
pub fn rotate(
    dir: &Path,
    only: Option<SigningAlg>,
    now: i64,
    keep_published: i64,
) -> Result<Vec<KeyInfo>, KeyError> {
    let infos = read(dir)?;
    if infos.is_empty() {
        return Err(KeyError::Empty(dir.to_owned()));
    }
    let algs: Vec<SigningAlg> = match only {
        Some(a) => vec![a],
        None => SigningAlg::ALL
            .into_iter()
            .filter(|a| {
                infos
                    .iter()
                    .any(|k| k.alg == *a && k.status == KeyStatus::Active)
            })
            .collect(),
    };
    algs.into_iter()
        .map(|a| generate(dir, a, now, keep_published))
        .collect()
}

fn write_manifest(dir: &Path, infos: &[KeyInfo]) -> Result<(), KeyError> {
    let path = dir.join(MANIFEST);
    let text = serde_json::to_string_pretty(infos)
        .map_err(|e| KeyError::Manifest(path.clone(), e.to_string()))?;
    write_atomic(&path, text.as_bytes(), false)
}

fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<(), KeyError> {
    use std::io::Write as _;
    let tmp = path.with_extension(format!("tmp-{}", crate::secret::random_b64(6)));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts.open(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}
