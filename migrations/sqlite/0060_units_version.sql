-- A counter that every write of the place tree (units, and the old names a reorganisation
-- keeps as aliases) moves on, whoever writes: a chat step of any replica, `import units`,
-- `units reorganize`. A running `serve` compares it with the one its search index was built
-- from and rebuilds the index when it moved, so no restart is needed after an import.
CREATE TABLE units_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO units_version (id, version) VALUES (1, 0);

CREATE TRIGGER units_inserted AFTER INSERT ON units
BEGIN UPDATE units_version SET version = version + 1; END;
CREATE TRIGGER units_updated AFTER UPDATE ON units
BEGIN UPDATE units_version SET version = version + 1; END;
CREATE TRIGGER units_deleted AFTER DELETE ON units
BEGIN UPDATE units_version SET version = version + 1; END;
CREATE TRIGGER unit_successions_inserted AFTER INSERT ON unit_successions
BEGIN UPDATE units_version SET version = version + 1; END;
CREATE TRIGGER unit_successions_updated AFTER UPDATE ON unit_successions
BEGIN UPDATE units_version SET version = version + 1; END;
CREATE TRIGGER unit_successions_deleted AFTER DELETE ON unit_successions
BEGIN UPDATE units_version SET version = version + 1; END;
