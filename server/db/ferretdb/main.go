// Command gaskit-ferretdb runs FerretDB v1 (SQLite backend) as Gaskit's
// embedded database. It wraps the embeddable github.com/FerretDB/FerretDB/ferretdb
// package because `go install .../cmd/ferretdb@v1.24.2` cannot build a
// working binary outside FerretDB's own repository (its version check panics).
//
// It exits when its standard input closes, so the Node.js parent that spawned
// it with a pipe on stdin never leaves it orphaned, even when killed with SIGKILL.
//
// It also gives every collection table an index on the expression FerretDB's
// SQLite statements use to find a document by _id (see idindex.go), and lets
// one write at a time reach SQLite, first come first served (see gate.go):
// FerretDB listens on a Unix socket of its own and clients reach it through
// the wrapper's TCP listener.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data-dir", "data", "directory for the SQLite databases")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	watchStdin := flag.Bool("exit-on-stdin-close", true, "exit when standard input is closed")
	syncMode := flag.String("sync", "normal", "SQLite's synchronous mode: normal (a commit survives a crash of this process, "+
		"the last ones before a power loss may not) or full (every commit waits for the disk)")
	flag.Parse()
	if *syncMode != "normal" && *syncMode != "full" {
		fmt.Fprintf(os.Stderr, "gaskit-ferretdb: bad --sync %q: normal or full\n", *syncMode)
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "gaskit-ferretdb: bad --log-level: %v\n", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		fmt.Fprintf(os.Stderr, "gaskit-ferretdb: %v\n", err)
		os.Exit(1)
	}
	lock, err := lockDataDir(*dataDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gaskit-ferretdb: %s: %v\n", *dataDir, err)
		if errors.Is(err, errDataDirInUse) {
			os.Exit(exitDataDirInUse)
		}
		os.Exit(1)
	}
	defer lock.Close()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	// An abstract socket (Linux): no file to clean up, however the process
	// ends; reachable by local users as the loopback TCP port is.
	sock := fmt.Sprintf("@gaskit-ferretdb-%d", os.Getpid())

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: sock},
		Logger:    logger,
		Handler:   "sqlite",
		// FerretDB adds its defaults (busy_timeout, journal_mode(wal), auto_vacuum) to these.
		SQLiteURL: "file:" + *dataDir + "/?_pragma=synchronous(" + *syncMode + ")",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "gaskit-ferretdb: %v\n", err)
		os.Exit(1)
	}

	done := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(done)
	}()
	go keepIDIndexes(ctx, *dataDir, logger)

	dial := func() (net.Conn, error) { return net.Dial("unix", sock) }
	// The TCP port opens only once FerretDB answers, so a client that can
	// connect can also be served (the Node.js side waits for the port).
	for {
		c, err := dial()
		if err == nil {
			_ = c.Close()
			break
		}
		select {
		case <-done:
			fmt.Fprintf(os.Stderr, "gaskit-ferretdb: FerretDB stopped before it listened\n")
			os.Exit(1)
		case <-time.After(20 * time.Millisecond):
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gaskit-ferretdb: %v\n", err)
		os.Exit(1)
	}
	go serveGated(ln, dial, newWriteGate(), logger)
	logger.Info("gaskit-ferretdb started", slog.String("listen", *listen), slog.String("data", *dataDir))
	<-done
	_ = ln.Close()
}
