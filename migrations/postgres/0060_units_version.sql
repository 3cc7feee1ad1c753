-- A counter that every write of the place tree (units, and the old names a reorganisation
-- keeps as aliases) moves on, whoever writes: a chat step of any replica, `import units`,
-- `units reorganize`. A running `serve` compares it with the one its search index was built
-- from and rebuilds the index when it moved, so no restart is needed after an import.
CREATE TABLE units_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO units_version (id, version) VALUES (1, 0);

CREATE FUNCTION units_version_bump() RETURNS trigger AS $$
BEGIN
    UPDATE units_version SET version = version + 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER units_changed AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION units_version_bump();
CREATE TRIGGER unit_successions_changed AFTER INSERT OR UPDATE OR DELETE ON unit_successions
    FOR EACH STATEMENT EXECUTE FUNCTION units_version_bump();
