package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// errDataDirInUse means another gaskit-ferretdb holds the data directory.
var errDataDirInUse = errors.New("data directory in use")

// exitDataDirInUse is the exit code for errDataDirInUse; the Node.js side
// turns it into a message that names the directory.
const exitDataDirInUse = 3

// lockDataDir takes an exclusive lock on the data directory for the life of
// the process. Two FerretDB processes on one SQLite directory each keep their
// own view of the collections' metadata, so a second one (an import run while
// the server is up) could lose or corrupt data. The kernel releases the lock
// when the process ends, however it ends, so a lock is never left stale.
func lockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "gaskit-ferretdb.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errDataDirInUse
		}
		return nil, err
	}
	return f, nil
}
