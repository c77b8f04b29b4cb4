package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
)

// The wire protocol's message header (16 bytes) and the one opcode that carries
// commands from current drivers.
const (
	headerLen      = 16
	opMsg          = 2013
	maxMessageLen  = 48 << 20
	flagChecksum   = 1
	flagMoreToCome = 2
)

// writeGate lets one data-changing command at a time into FerretDB, in the
// order the commands arrive, over every client connection.
//
// FerretDB's SQLite backend runs each write in its own transaction on a pool of
// up to 100 SQLite connections, and SQLite has one writer at a time: a writer
// that finds the database locked sleeps in SQLite's default busy handler (1, 2,
// 5, 10 … 100 ms) and tries again, while writers arriving later may take the
// lock before it wakes. With 20 clients writing at once a few writes waited
// 20 times longer than the median. Queued here instead, on a channel whose
// waiters are served first come first served, each write waits only for the
// writes ahead of it and SQLite never sees two at once. Reads are not gated:
// in WAL mode they do not wait for the writer.
type writeGate chan struct{}

func newWriteGate() writeGate { return make(writeGate, 1) }

func (g writeGate) acquire() { g <- struct{}{} }
func (g writeGate) release() { <-g }

// writeCommands are the commands that make FerretDB write to SQLite.
var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findandmodify": true,
	"create": true, "createindexes": true, "drop": true, "dropdatabase": true,
	"dropindexes": true, "renamecollection": true,
}

// commandOf returns the command name of an OP_MSG message (the first key of
// its body section) and whether the client expects no reply (moreToCome);
// "" for any other opcode or a message it cannot read.
func commandOf(msg []byte) (name string, noReply bool) {
	if len(msg) < headerLen+5 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg {
		return "", false
	}
	flags := binary.LittleEndian.Uint32(msg[16:20])
	end := len(msg)
	if flags&flagChecksum != 0 {
		end -= 4
	}
	for i := headerLen + 4; i < end; {
		kind := msg[i]
		i++
		if i+4 > end {
			break
		}
		size := int(int32(binary.LittleEndian.Uint32(msg[i : i+4])))
		if size < 5 || i+size > end {
			break
		}
		if kind == 0 {
			// A BSON document: its size, then the first element's type byte and its key.
			key := msg[i+5 : i+size]
			if n := bytes.IndexByte(key, 0); n > 0 {
				return string(key[:n]), flags&flagMoreToCome != 0
			}
			break
		}
		i += size
	}
	return "", flags&flagMoreToCome != 0
}

// readMessage reads one whole wire-protocol message.
func readMessage(r *bufio.Reader) ([]byte, error) {
	var header [headerLen]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.LittleEndian.Uint32(header[:4])))
	if n < headerLen || n > maxMessageLen {
		return nil, errors.New("bad message length")
	}
	msg := make([]byte, n)
	copy(msg, header[:])
	if _, err := io.ReadFull(r, msg[headerLen:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// serveGated accepts client connections on ln and relays each to a new
// connection made by dial, passing every write command through gate. It
// returns when ln is closed.
func serveGated(ln net.Listener, dial func() (net.Conn, error), gate writeGate, logger *slog.Logger) {
	for {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		go relay(client, dial, gate, logger)
	}
}

// relay carries one client connection. A write command holds the gate from
// the moment it is forwarded until FerretDB's reply to it (its responseTo)
// comes back, or until either side of the connection closes.
func relay(client net.Conn, dial func() (net.Conn, error), gate writeGate, logger *slog.Logger) {
	server, err := dial()
	if err != nil {
		logger.Warn("gaskit-ferretdb: cannot reach FerretDB", slog.String("error", err.Error()))
		_ = client.Close()
		return
	}
	const none = int64(-1) << 40
	var waiting atomic.Int64 // the requestID of the write that holds the gate, or none
	waiting.Store(none)
	releaseIf := func(id int64) {
		if waiting.CompareAndSwap(id, none) {
			gate.release()
		}
	}
	closeBoth := func() {
		_ = client.Close()
		_ = server.Close()
	}

	go func() {
		defer closeBoth()
		r := bufio.NewReaderSize(server, 64<<10)
		for {
			msg, err := readMessage(r)
			if err != nil {
				return
			}
			releaseIf(int64(int32(binary.LittleEndian.Uint32(msg[8:12]))))
			if _, err := client.Write(msg); err != nil {
				return
			}
		}
	}()

	// Only this goroutine takes the gate, so releasing here on the way out
	// frees a gate taken for a write whose reply will never come.
	defer func() {
		closeBoth()
		if id := waiting.Load(); id != none {
			releaseIf(id)
		}
	}()
	r := bufio.NewReaderSize(client, 64<<10)
	for {
		msg, err := readMessage(r)
		if err != nil {
			return
		}
		name, noReply := commandOf(msg)
		if writeCommands[strings.ToLower(name)] && !noReply {
			gate.acquire()
			waiting.Store(int64(int32(binary.LittleEndian.Uint32(msg[4:8]))))
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}
