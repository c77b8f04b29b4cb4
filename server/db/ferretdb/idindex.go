package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// FerretDB v1's SQLite backend finds a document by _id with the expression
// _ferretdb_sjson->'$._id' (queries, and every UPDATE and DELETE), but creates
// the _id index on _ferretdb_sjson->"_id". SQLite matches index expressions by
// their text, so no statement uses that index: every update or delete of one
// document scans its whole collection (about 5 µs per document per update).
//
// keepIDIndexes adds an index on the statements' own expression to every
// collection table, checking again every interval for new collections. FerretDB
// does not know these indexes (listIndexes does not show them); SQLite drops
// them with their tables.
func keepIDIndexes(ctx context.Context, dataDir string, logger *slog.Logger) {
	type opened struct {
		db   *sql.DB
		info os.FileInfo
	}
	dbs := map[string]opened{}
	defer func() {
		for _, o := range dbs {
			_ = o.db.Close()
		}
	}()

	tick := time.NewTicker(time.Second)
	defer tick.Stop()

	for {
		files, _ := filepath.Glob(filepath.Join(dataDir, "*.sqlite"))
		seen := map[string]bool{}
		for _, file := range files {
			info, err := os.Stat(file)
			if err != nil {
				continue
			}
			seen[file] = true
			o, ok := dbs[file]
			// A dropped and re-created database is a new file under the same name.
			if ok && !os.SameFile(o.info, info) {
				_ = o.db.Close()
				ok = false
			}
			if !ok {
				db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)")
				if err != nil {
					logger.Warn("gaskit-ferretdb: cannot open database file", slog.String("file", file), slog.Any("error", err))
					continue
				}
				db.SetMaxOpenConns(1)
				o = opened{db: db, info: info}
				dbs[file] = o
			}
			if err := ensureIDIndexes(ctx, o.db); err != nil && ctx.Err() == nil {
				logger.Warn("gaskit-ferretdb: cannot add _id indexes", slog.String("file", file), slog.Any("error", err))
			}
		}
		for file, o := range dbs {
			if !seen[file] {
				_ = o.db.Close()
				delete(dbs, file)
			}
		}

		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// ensureIDIndexes creates the missing indexes of one database file.
func ensureIDIndexes(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `
		SELECT t.name FROM sqlite_master t
		WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\' AND t.sql LIKE '%_ferretdb_sjson%'
		AND NOT EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index' AND i.name = t.name || '_gaskit_id')`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			_ = rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		return err
	}

	for _, table := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$._id')`, quote(table+"_gaskit_id"), quote(table))
		if _, err := db.ExecContext(ctx, q); err != nil && !strings.Contains(err.Error(), "no such table") {
			return err
		}
	}
	return nil
}

func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
