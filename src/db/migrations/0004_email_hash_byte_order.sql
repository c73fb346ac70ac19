-- email_hash is the hex sha256 of the lower-cased address: byte order is all its indexes need.
-- Under the database's linguistic collation every comparison went through strcoll, several
-- times slower than comparing bytes (imports, suppression lookups, the fan-out's join). Only the
-- indexes on these columns are rebuilt; the tables are not rewritten.
ALTER TABLE subscribers ALTER COLUMN email_hash TYPE text COLLATE "C";
ALTER TABLE suppressions ALTER COLUMN email_hash TYPE text COLLATE "C";

-- email_hash already makes an address unique whatever its case (sha256 of the lower-cased
-- address) and no query looks addresses up by lower(email): this second unique index only
-- doubled the cost of every insert.
DROP INDEX subscribers_email_key;
