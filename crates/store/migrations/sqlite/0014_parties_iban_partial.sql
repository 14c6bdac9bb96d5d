-- Statement matching looks parties up by IBAN (`iban = ?`, which implies
-- NOT NULL): parties without one need no entry. Half the index, and half
-- the sort when a bulk import builds it again at its end.
DROP INDEX parties_iban;
CREATE INDEX parties_iban ON parties (iban) WHERE iban IS NOT NULL;
