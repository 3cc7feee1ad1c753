-- A message is claimed by one sender before it goes out, so two workers (or two replicas)
-- never send it twice; a claim older than a minute is taken to have died with its sender.
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
