//! Portals as the protocol endpoints see them, kept in memory for a second.
//!
//! Every token, authorization, userinfo and logout request reads its portal; on a busy
//! server that read was the only database round trip of a client_credentials request
//! and two of the code flow's. A write through this store (the management API, the
//! CLI in the server's own process) drops the entry at once; a change made by another
//! process or node (the CLI beside a running server, a second node on PostgreSQL) is
//! seen within `FRESH`. Unknown ids are not remembered, so guessing ids cannot fill the
//! memory or hide a portal registered a moment later.

use super::records::ClientRecord;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a portal read from the database is served from memory.
pub const FRESH: Duration = Duration::from_secs(1);
/// At most this many portals are kept (far more than a deployment has); past it the
/// stale entries are dropped, and if none is stale, nothing new is kept.
const MAX_ENTRIES: usize = 4096;

#[derive(Default)]
pub(super) struct ClientCache {
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    read_at: Instant,
    client: Arc<ClientRecord>,
}

impl ClientCache {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves a usable map (every change is one
        // insert or remove), so poisoning is ignored.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The portal if it was read less than `FRESH` ago.
    pub fn get(&self, id: &str, now: Instant) -> Option<Arc<ClientRecord>> {
        let entries = self.lock();
        let e = entries.get(id)?;
        (now.duration_since(e.read_at) < FRESH).then(|| Arc::clone(&e.client))
    }

    /// Remember a portal read from the database at `read_at` (taken before the read,
    /// so a write that lands during the read is never hidden for longer than `FRESH`).
    pub fn put(&self, client: Arc<ClientRecord>, read_at: Instant) {
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&client.id) {
            entries.retain(|_, e| read_at.duration_since(e.read_at) < FRESH);
            if entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        entries.insert(client.id.clone(), Entry { read_at, client });
    }

    /// Forget a portal (after this process changed or removed it).
    pub fn forget(&self, id: &str) {
        self.lock().remove(id);
    }
}

#[cfg(test)]
#[expect(
    clippy::disallowed_methods,
    reason = "ages of cache entries, not the time of day"
)]
mod tests {
    use super::*;
    use crate::store::records::ClientSettings;

    fn portal(id: &str) -> Arc<ClientRecord> {
        Arc::new(ClientRecord {
            id: id.to_owned(),
            secret_hash: None,
            name: "Портал".to_owned(),
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            scopes: vec![],
            grant_types: vec![],
            auth_method: "none".to_owned(),
            id_token_alg: "ES256".to_owned(),
            min_trust_level: "simplified".to_owned(),
            created_at: 0,
            settings: ClientSettings::default(),
        })
    }

    #[test]
    fn an_entry_is_served_for_a_second_and_forgotten_on_a_write() {
        let cache = ClientCache::default();
        let t0 = Instant::now();
        cache.put(portal("tax"), t0);
        assert!(cache.get("tax", t0 + Duration::from_millis(999)).is_some());
        assert!(cache.get("tax", t0 + FRESH).is_none(), "stale after FRESH");
        assert!(cache.get("pension", t0).is_none());
        cache.forget("tax");
        assert!(cache.get("tax", t0).is_none(), "forgotten at once");
    }

    #[test]
    fn a_full_cache_makes_room_from_stale_entries_only() {
        let cache = ClientCache::default();
        let t0 = Instant::now();
        for i in 0..MAX_ENTRIES {
            cache.put(portal(&format!("p{i}")), t0);
        }
        cache.put(portal("late"), t0);
        assert!(
            cache.get("late", t0).is_none(),
            "no room while all are fresh"
        );
        assert!(cache.get("p0", t0).is_some());
        let later = t0 + FRESH;
        cache.put(portal("late"), later);
        assert!(
            cache.get("late", later).is_some(),
            "stale entries made room"
        );
        assert_eq!(cache.lock().len(), 1);
    }
}
