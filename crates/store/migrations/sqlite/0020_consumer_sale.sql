-- A claim for the price in a consumer sale is time-barred after 2 years
-- (art. 7:28 BW), other claims after 5 (art. 3:307 BW). The client says
-- which in its file (column consumer_sale).
ALTER TABLE claims ADD COLUMN consumer_sale INTEGER NOT NULL DEFAULT 0;
