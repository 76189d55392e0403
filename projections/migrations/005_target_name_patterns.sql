-- Prefix globs on names (`name:web-*`) become `lower(name) LIKE 'web-%'`; under a non-C collation
-- only a pattern-ops index can serve them.
CREATE INDEX targets_by_name_pattern ON targets (lower(name) text_pattern_ops);
CREATE INDEX targets_by_address_pattern ON targets (address text_pattern_ops);
