-- A crawl store as store version 1 made it (frozen: do not edit).
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE pages (url TEXT PRIMARY KEY, site TEXT NOT NULL, kind TEXT NOT NULL, status INTEGER, etag TEXT,
    last_modified TEXT, content_type TEXT, encoding TEXT, body BLOB, body_hash TEXT, fetched_at TEXT,
    error TEXT, error_detail TEXT, redirect_to TEXT);
CREATE TABLE articles (url TEXT PRIMARY KEY, site TEXT NOT NULL, title TEXT NOT NULL, published TEXT,
    department TEXT, source TEXT, column_name TEXT, body TEXT NOT NULL, images TEXT NOT NULL DEFAULT '[]',
    attachments TEXT NOT NULL DEFAULT '[]', content_hash TEXT NOT NULL, fetched_at TEXT, first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL, removed_at TEXT, removed_by TEXT, removed_reason TEXT, seq INTEGER NOT NULL);
CREATE INDEX articles_seq ON articles(seq);
CREATE INDEX articles_site ON articles(site);
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, started_at TEXT NOT NULL,
    finished_at TEXT, fetched INTEGER NOT NULL DEFAULT 0, new INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0, removed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'running');
CREATE TABLE failures (run_id INTEGER NOT NULL, url TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT, at TEXT NOT NULL);
INSERT INTO meta VALUES ('store_version', '1'), ('seq', '2');
INSERT INTO pages (url, site, kind, status, body, fetched_at) VALUES
    ('http://x/info/1/1.htm', 'demo', 'article', 200, X'3c68746d6c3e', '2025-01-01T00:00:00+00:00');
INSERT INTO articles VALUES
    ('http://x/info/1/1.htm', 'demo', '旧版本的文章', '2024-05-01', '教务处', NULL, '学院新闻', '正文一',
     '[]', '[]', 'h1', '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00',
     NULL, NULL, NULL, 1),
    ('http://x/info/1/2.htm', 'demo', '已撤下的文章', '2024-05-02', NULL, NULL, '学院新闻', '正文二',
     '[]', '[]', 'h2', '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00',
     '2025-02-01T00:00:00+00:00', 'operator', '误发', 2);
INSERT INTO runs (site, started_at, finished_at, fetched, new, status) VALUES
    ('demo', '2025-01-01T00:00:00+00:00', '2025-01-01T00:01:00+00:00', 3, 2, 'ok');
INSERT INTO failures VALUES (1, 'http://x/bad.htm', 'no-title', 'no title', '2025-01-01T00:00:30+00:00');
