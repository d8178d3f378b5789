//! The dev outbox: every message appended as one JSON line to a file, readable by a
//! developer (and by the tests). The embedded default; never for production, since the
//! file holds the codes in clear.

use super::{Channel, Delivery, Message, NotifyError};
use crate::clock::{Clock as _, SystemClock};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt as _;
use tokio::sync::Mutex;

pub struct Outbox {
    path: PathBuf,
    /// One writer at a time, so lines never interleave.
    lock: Mutex<()>,
}

impl Outbox {
    pub fn new(path: PathBuf) -> Outbox {
        Outbox {
            path,
            lock: Mutex::new(()),
        }
    }

    async fn append(&self, message: &Message) -> Result<(), NotifyError> {
        let mut line =
            serde_json::to_value(message).map_err(|e| NotifyError::Permanent(e.to_string()))?;
        if let Some(obj) = line.as_object_mut() {
            obj.insert("at".into(), SystemClock.now().into());
        }
        let mut text = line.to_string();
        text.push('\n');
        let _guard = self.lock.lock().await;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| NotifyError::Temporary(format!("{}: {e}", dir.display())))?;
        }
        let mut options = tokio::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options
            .open(&self.path)
            .await
            .map_err(|e| NotifyError::Temporary(format!("{}: {e}", self.path.display())))?;
        file.write_all(text.as_bytes())
            .await
            .map_err(|e| NotifyError::Temporary(e.to_string()))?;
        file.flush()
            .await
            .map_err(|e| NotifyError::Temporary(e.to_string()))?;
        tracing::info!(outbox = %self.path.display(), subject = %message.subject, "message written to the dev outbox");
        Ok(())
    }
}

impl Channel for Outbox {
    fn deliver<'a>(&'a self, message: &'a Message) -> Delivery<'a> {
        Box::pin(self.append(message))
    }
}
