-- Address globs compare lower(address) (target-filter-sql.ts), like names. The pattern index must
-- be on that expression: otherwise PostgreSQL can neither use it nor estimate how many rows match,
-- and a glob that selects every target was planned as if it selected 50 (a full sort per page).
DROP INDEX targets_by_address_pattern;
CREATE INDEX targets_by_address_pattern ON targets (lower(address) text_pattern_ops);
