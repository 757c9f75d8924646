-- Issue 23: the knowledge base (知识库). An article answers one question with the policy it rests
-- on, owned by the unit that reviews it; `tokens` are its CJK search tokens (app/src/search.rs),
-- space-padded so that a token is found with LIKE '% tok %' on both backends. Civil dates are
-- YYYY-MM-DD text, so "expired" is a text comparison with today's date.
CREATE TABLE knowledge_articles (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    source TEXT NOT NULL,
    valid_from TEXT,
    valid_until TEXT,
    review_at TEXT,
    status TEXT NOT NULL,          -- draft | proposed | published | retired
    uses BIGINT NOT NULL,
    version BIGINT NOT NULL,
    proposed_from TEXT,            -- the consultation case it was drafted from
    tokens TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT,
    notified TEXT,                 -- the last expiry/review notice sent (expired:DATE | review:DATE)
    doc TEXT NOT NULL              -- JSON: {"history": [{at, by, action, note}]}
);
CREATE INDEX knowledge_articles_status ON knowledge_articles (status, unit);
CREATE INDEX knowledge_articles_proposed_from ON knowledge_articles (proposed_from);
-- Which case an article answered (直接办结), once per case.
CREATE TABLE knowledge_uses (
    article_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    used_at BIGINT NOT NULL,
    used_by TEXT,
    PRIMARY KEY (article_id, case_id)
);
CREATE INDEX knowledge_uses_case ON knowledge_uses (case_id);
