-- Concurrency policy of each job (and of each stored version). Rows written before it existed
-- take the default, which is also what their events upgrade to on read.
ALTER TABLE jobs ADD COLUMN concurrency jsonb NOT NULL DEFAULT '{"policy": "ALLOW", "max": 1}';
ALTER TABLE job_versions ADD COLUMN concurrency jsonb NOT NULL DEFAULT '{"policy": "ALLOW", "max": 1}';
