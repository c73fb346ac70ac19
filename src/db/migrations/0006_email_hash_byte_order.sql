-- email_hash is the hex sha256 of the lower-cased address: byte order is all its indexes need.
-- Under the database's linguistic collation every comparison went through strcoll, several
-- times slower than comparing bytes (imports, suppression lookups, the fan-out's join). Only the
-- indexes on these columns are rebuilt; the tables are not rewritten.
ALTER TABLE subscribers ALTER COLUMN email_hash TYPE text COLLATE "C";
ALTER TABLE suppressions ALTER COLUMN email_hash TYPE text COLLATE "C";

-- The same for the unique index on lower(email), which keeps an address unique whatever its case
-- even where a hash were wrong: in byte order it refuses exactly the same duplicates (equality
-- is byte equality under both collations), and no query reads it in order.
DROP INDEX subscribers_email_key;
CREATE UNIQUE INDEX subscribers_email_key ON subscribers ((lower(email) COLLATE "C"));
