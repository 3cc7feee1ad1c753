-- Per-chat limits (wrong invitation codes, reports, writes) count a chat's recent audit
-- entries; erasure finds a chat's entries to pseudonymise them. Both read by actor.
CREATE INDEX audit_log_actor ON audit_log (actor, at);
