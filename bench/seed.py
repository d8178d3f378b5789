#!/usr/bin/env python3
"""Seed citizens' accounts in bulk for the benchmark, in SQL.

    bench/seed.py DATABASE_URL TOTAL CLIENT_ID

Account 1 was made by `propusk user add` (phone +79000000001); its Argon2id hash (the
configured parameters) is copied into accounts 2..TOTAL, whose phones are
+7900NNNNNNN. Every account gets a remembered consent for CLIENT_ID's `email` and
`offline_access`, as a citizen who has used that portal before. Idempotent: only the
missing accounts are added. SQLite goes through Python's sqlite3, PostgreSQL through
psql (generate_series).
"""

import subprocess
import sqlite3
import sys
import time

ACCOUNT_COLUMNS = (
    "id, family_name, given_name, middle_name, phone, email, snils, phone_verified, "
    "email_verified, password_hash, trust_level, status, created_at, updated_at"
)
CONSENT_SCOPES = '["email","offline_access"]'


def sqlite_seed(path, total, client):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    (hash_,) = db.execute(
        "SELECT password_hash FROM accounts WHERE phone = '+79000000001'"
    ).fetchone()
    (have,) = db.execute("SELECT count(*) FROM accounts").fetchone()
    now = int(time.time())
    if have < total:
        db.execute(
            f"""WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO accounts ({ACCOUNT_COLUMNS})
            SELECT printf('bench%07d', i), 'Иванов', 'Иван', 'Иванович', printf('+7900%07d', i),
                   printf('citizen%d@bench.example', i), NULL, 1, 1, ?, 'simplified', 'active', ?, ?
            FROM n""",
            (have + 1, total, hash_, now, now),
        )
    db.execute(
        """INSERT INTO consents (account_id, client_id, scopes, granted_at)
           SELECT a.id, ?, ?, ? FROM accounts a
           WHERE NOT EXISTS (SELECT 1 FROM consents c WHERE c.account_id = a.id AND c.client_id = ?)""",
        (client, CONSENT_SCOPES, now, client),
    )
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    # Copy the bulk insert out of the write-ahead log now: the running server keeps the
    # database open, so the log is not folded in at close, and otherwise the first
    # checkpoint during the measurement (hundreds of MB) stalls its writers.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (count,) = db.execute("SELECT count(*) FROM accounts").fetchone()
    db.close()
    return count


def postgres_seed(url, total, client):
    def psql(sql):
        return subprocess.run(
            ["psql", url, "-v", "ON_ERROR_STOP=1", "-Atq", "-c", sql],
            check=True, capture_output=True, text=True,
        ).stdout.strip()

    hash_ = psql("SELECT password_hash FROM accounts WHERE phone = '+79000000001'")
    have = int(psql("SELECT count(*) FROM accounts"))
    now = int(time.time())
    if have < total:
        psql(
            f"""INSERT INTO accounts ({ACCOUNT_COLUMNS})
            SELECT 'bench' || lpad(i::text, 7, '0'), 'Иванов', 'Иван', 'Иванович',
                   '+7900' || lpad(i::text, 7, '0'), 'citizen' || i || '@bench.example', NULL, 1, 1,
                   '{hash_}', 'simplified', 'active', {now}, {now}
            FROM generate_series({have + 1}, {total}) AS i"""
        )
    psql(
        f"""INSERT INTO consents (account_id, client_id, scopes, granted_at)
        SELECT a.id, '{client}', '{CONSENT_SCOPES}', {now} FROM accounts a
        WHERE NOT EXISTS (SELECT 1 FROM consents c WHERE c.account_id = a.id AND c.client_id = '{client}')"""
    )
    psql("ANALYZE")
    return int(psql("SELECT count(*) FROM accounts"))


def main():
    url, total, client = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    started = time.time()
    if url.startswith("sqlite://"):
        count = sqlite_seed(url[len("sqlite://"):].split("?")[0], total, client)
    else:
        count = postgres_seed(url, total, client)
    print(f"seeded: {count} accounts in {time.time() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
