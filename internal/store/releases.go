package store

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"parley"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/export"
)

// releaseChunk is how much compressed data one stored chunk holds.
const releaseChunk = 512 << 10

// releaseLock serializes publishing, so each release's delta is against
// the one committed before it.
const releaseLock = 7_2616_0016

// releaseSQL selects each resource's live records, every column as text in
// the resource's field order, ordered by primary key as
// ReleaseResource.CompareRows orders them (integers by value, text by
// bytes: COLLATE "C").
var releaseSQL = map[string]string{
	"sides":   `SELECT slug::text, name, role FROM sides WHERE deleted_at IS NULL ORDER BY slug COLLATE "C"`,
	"regions": `SELECT slug::text, name, country, kind FROM regions WHERE deleted_at IS NULL ORDER BY slug COLLATE "C"`,
	"actors": `SELECT a.slug::text, a.name, to_jsonb(a.aliases)::text, a.kind, a.side::text, a.role, p.slug::text
		FROM actors a LEFT JOIN actors p ON p.id = a.parent_id AND p.deleted_at IS NULL
		WHERE a.deleted_at IS NULL ORDER BY a.slug COLLATE "C"`,
	"demands": `SELECT d.slug::text, d.title, d.description, d.side::text, d.category,
		    coalesce((SELECT string_agg(r.slug::text, ';' ORDER BY r.slug COLLATE "C")
		              FROM demand_regions dr JOIN regions r ON r.id = dr.region_id AND r.deleted_at IS NULL
		              WHERE dr.demand_id = d.id), ''),
		    c.slug::text
		FROM demands d LEFT JOIN demands c ON c.id = d.converse_id AND c.deleted_at IS NULL
		WHERE d.deleted_at IS NULL ORDER BY d.slug COLLATE "C"`,
	// (Columns are qualified in ORDER BY: a bare id would be the text
	// output column, in text order.)
	"sources": `SELECT s.id::text, s.outlet, s.title, s.url, to_char(s.published, 'YYYY-MM-DD'), s.published_precision, s.via
		FROM sources s WHERE s.deleted_at IS NULL ORDER BY s.id`,
	// Lists are aggregated once, in key order, and merge-joined: a
	// subquery per row was most of a release's time at a million rows.
	"statements": `SELECT s.id::text, to_char(s.date, 'YYYY-MM-DD'), s.date_precision, a.slug::text, s.attribution,
		    s.quote, s.summary, s.occasion, coalesce(g.regions, ''), src.id::text
		FROM statements s JOIN actors a ON a.id = s.actor_id
		LEFT JOIN sources src ON src.id = s.source_id AND src.deleted_at IS NULL
		LEFT JOIN (SELECT sr.statement_id, string_agg(r.slug::text, ';' ORDER BY r.slug COLLATE "C") AS regions
		           FROM statement_regions sr JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL
		           GROUP BY sr.statement_id) g ON g.statement_id = s.id
		WHERE s.deleted_at IS NULL ORDER BY s.id`,
	"reports": `SELECT r.statement_id::text, r.source_id::text, r.quote
		FROM reports r JOIN statements s ON s.id = r.statement_id AND s.deleted_at IS NULL
		JOIN sources src ON src.id = r.source_id AND src.deleted_at IS NULL
		ORDER BY r.statement_id, r.source_id`,
	"positions": `SELECT p.statement_id::text, d.slug::text, p.stance, coalesce(g.conditions, '')
		FROM positions p JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
		JOIN demands d ON d.id = p.demand_id
		LEFT JOIN (SELECT pc.statement_id, pc.demand_id,
		                  string_agg(pc.side::text || ':' || cd.slug::text || ':' || pc.stance, ';'
		                             ORDER BY pc.side COLLATE "C", cd.slug COLLATE "C") AS conditions
		           FROM position_conditions pc JOIN demands cd ON cd.id = pc.cond_demand_id
		           GROUP BY pc.statement_id, pc.demand_id) g ON g.statement_id = p.statement_id AND g.demand_id = p.demand_id
		ORDER BY p.statement_id, d.slug COLLATE "C"`,
}

// PublishRelease builds a release of every live record and stores it,
// with its changelog and delta against the latest release, in one
// transaction: all of it or nothing. Records are read from one snapshot
// and streamed, so memory stays flat however many there are. site is the
// public address for the citation ("" leaves it out). It returns a
// *ValidationError for a bad name and ErrConflict for a name in use.
func (s *Store) PublishRelease(ctx context.Context, in parley.ReleaseInput, site string) (parley.Release, error) {
	if err := in.Validate(); err != nil {
		return parley.Release{}, err
	}
	// The writing transaction (and its lock) first: the snapshot read
	// after it sees every release committed before.
	wtx, err := s.pool.Begin(ctx)
	if err != nil {
		return parley.Release{}, wrap(err, "publish release")
	}
	defer wtx.Rollback(context.WithoutCancel(ctx))
	rel := parley.Release{Name: in.Name, Notes: in.Notes, CreatedBy: in.By}
	var prevID *int64
	var prevLog []byte
	if _, err := wtx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, releaseLock); err != nil {
		return rel, wrap(err, "publish release: lock")
	}
	var taken bool
	if err := wtx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM releases WHERE name = $1)`, in.Name).Scan(&taken); err != nil {
		return rel, wrap(err, "publish release")
	}
	if taken {
		return rel, fmt.Errorf("store: publish release %s: %w", in.Name, parley.ErrConflict)
	}
	err = wtx.QueryRow(ctx, `SELECT id, name, changelog FROM releases ORDER BY id DESC LIMIT 1`).Scan(&prevID, &rel.Previous, &prevLog)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return rel, wrap(err, "publish release: previous")
	}
	if err := wtx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('releases', 'id')), date_trunc('second', now())`).Scan(&rel.ID, &rel.CreatedAt); err != nil {
		return rel, wrap(err, "publish release")
	}

	rtx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return rel, wrap(err, "publish release: snapshot")
	}
	defer rtx.Rollback(context.WithoutCancel(ctx))
	// Whole tables are read once: compiling them (JIT) costs seconds and
	// saves nothing, and sorting a million rows in memory beats on disk.
	if _, err := rtx.Exec(ctx, `SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`); err != nil {
		return rel, wrap(err, "publish release: snapshot")
	}

	log := parley.Changelog{Previous: rel.Previous, Rows: map[string]int{}, Changes: map[string]parley.ChangeCounts{}}
	files := map[string]parley.ReleaseFile{}
	pos := 1
	for _, res := range parley.ReleaseResources {
		f, n, err := writeResource(ctx, rtx, wtx, rel.ID, pos, res)
		if err != nil {
			return rel, err
		}
		pos++
		files[res.Path()], log.Rows[res.Name] = f, n
	}
	if log.Gaps, err = releaseGaps(ctx, rtx); err != nil {
		return rel, err
	}
	if prevID != nil {
		var prev parley.Changelog
		if err := json.Unmarshal(prevLog, &prev); err != nil {
			return rel, fmt.Errorf("store: publish release: previous changelog: %w", err)
		}
		log.GapMoves = parley.GapMoves(prev.Gaps, log.Gaps)
	}
	if err := rtx.Rollback(ctx); err != nil {
		return rel, wrap(err, "publish release: snapshot")
	}

	if log.Changes, files["delta.json"], err = writeDelta(ctx, wtx, rel, prevID, pos); err != nil {
		return rel, err
	}
	rel.Changelog = log
	pkg, err := parley.DataPackage(rel, site, files)
	if err != nil {
		return rel, fmt.Errorf("store: publish release: datapackage.json: %w", err)
	}
	fw := newFileWriter(ctx, wtx, rel.ID, "datapackage.json", 0)
	if _, err := fw.Write(pkg); err != nil {
		return rel, err
	}
	if files["datapackage.json"], err = fw.Close(); err != nil {
		return rel, err
	}
	logJSON, err := json.Marshal(log)
	if err != nil {
		return rel, fmt.Errorf("store: publish release: changelog: %w", err)
	}
	_, err = wtx.Exec(ctx, `
		INSERT INTO releases (id, name, notes, previous_id, created_at, created_by, changelog)
		OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		rel.ID, rel.Name, rel.Notes, prevID, rel.CreatedAt, rel.CreatedBy, logJSON)
	if err != nil {
		return rel, wrap(err, "publish release %s", rel.Name)
	}
	if err := wtx.Commit(ctx); err != nil {
		return rel, wrap(err, "publish release %s", rel.Name)
	}
	return s.GetRelease(ctx, rel.Name)
}

// writeResource streams res's records from the snapshot into its CSV file.
// One goroutine reads the rows and writes them as CSV into buffers while
// this one hashes, compresses and stores the buffers: the two overlap.
func writeResource(ctx context.Context, rtx, wtx pgx.Tx, id int64, pos int, res parley.ReleaseResource) (parley.ReleaseFile, int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := rtx.Query(ctx, releaseSQL[res.Name])
	if err != nil {
		return parley.ReleaseFile{}, 0, wrap(err, "release %s", res.Name)
	}
	if got := len(rows.FieldDescriptions()); got != len(res.Fields) {
		rows.Close()
		return parley.ReleaseFile{}, 0, fmt.Errorf("store: release %s: the query has %d columns, the schema %d fields", res.Name, got, len(res.Fields))
	}
	const batch = 256 << 10
	full, free := make(chan *bytes.Buffer, 2), make(chan *bytes.Buffer, 4)
	for range cap(free) {
		free <- bytes.NewBuffer(make([]byte, 0, batch+64<<10))
	}
	n := 0
	var readErr error
	go func() {
		defer close(full)
		defer rows.Close()
		t := &swapWriter{b: <-free}
		cw := export.NewDataWriter(t)
		send := func() bool {
			if readErr = cw.Flush(); readErr != nil {
				return false
			}
			select {
			case full <- t.b:
			case <-ctx.Done():
				return false
			}
			select {
			case t.b = <-free:
				return true
			case <-ctx.Done():
				return false
			}
		}
		if readErr = cw.Write(res.Header()); readErr != nil {
			return
		}
		row := make([]string, len(res.Fields))
		for rows.Next() {
			for i, v := range rows.RawValues() {
				row[i] = string(v)
			}
			if readErr = cw.Write(row); readErr != nil {
				return
			}
			n++
			if t.b.Len() >= batch && !send() {
				return
			}
		}
		if readErr = rows.Err(); readErr != nil {
			readErr = wrap(readErr, "release %s", res.Name)
			return
		}
		send()
	}()
	fw := newFileWriter(ctx, wtx, id, res.Path(), pos)
	for b := range full {
		if _, err := fw.Write(b.Bytes()); err != nil {
			cancel()
			for range full { // until the reader has stopped and closed its rows
			}
			return parley.ReleaseFile{}, 0, err
		}
		b.Reset()
		free <- b
	}
	if readErr != nil {
		return parley.ReleaseFile{}, 0, readErr
	}
	f, err := fw.Close()
	return f, n, err
}

// swapWriter writes into whichever buffer it holds.
type swapWriter struct{ b *bytes.Buffer }

func (w *swapWriter) Write(p []byte) (int, error) { return w.b.Write(p) }

// releaseGaps is every live demand's gap in the snapshot.
func releaseGaps(ctx context.Context, q querier) (map[string]parley.ReleaseGap, error) {
	stances, err := sideStances(ctx, q, time.Time{}, "", true)
	if err != nil {
		return nil, err
	}
	gaps := parley.Gaps(stances)
	rows, err := q.Query(ctx, `SELECT slug, title FROM demands WHERE deleted_at IS NULL`)
	if err != nil {
		return nil, wrap(err, "release gaps")
	}
	out := map[string]parley.ReleaseGap{}
	var slug, title string
	_, err = pgx.ForEachRow(rows, []any{&slug, &title}, func() error {
		g := parley.ReleaseGap{Title: title}
		if x, ok := gaps[slug]; ok && x.Measurable {
			v := x.Value
			g.Value = &v
		}
		out[slug] = g
		return nil
	})
	return out, wrap(err, "release gaps")
}

// fileWriter stores one release file as it is written: hashed, DEFLATE
// compressed and inserted chunk by chunk; Close records the file.
type fileWriter struct {
	ctx      context.Context
	tx       pgx.Tx
	id       int64
	path     string
	pos      int
	sha      hash.Hash
	crc      hash.Hash32
	n        int64
	fl       *flate.Writer
	pending  bytes.Buffer
	seq      int
	deflated int64
	err      error
}

func newFileWriter(ctx context.Context, tx pgx.Tx, id int64, path string, pos int) *fileWriter {
	w := &fileWriter{ctx: ctx, tx: tx, id: id, path: path, pos: pos, sha: sha256.New(), crc: crc32.NewIEEE()}
	w.fl, _ = flate.NewWriter(chunkSink{w}, flate.BestSpeed) // a valid level never fails
	return w
}

func (w *fileWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	w.sha.Write(p)
	w.crc.Write(p)
	w.n += int64(len(p))
	if _, err := w.fl.Write(p); err != nil {
		w.err = err
		return 0, err
	}
	return len(p), w.err
}

// chunkSink takes the compressed stream and stores it in chunks.
type chunkSink struct{ w *fileWriter }

func (c chunkSink) Write(p []byte) (int, error) {
	w := c.w
	w.pending.Write(p)
	for w.pending.Len() >= releaseChunk && w.err == nil {
		w.err = w.store(w.pending.Next(releaseChunk))
	}
	return len(p), w.err
}

func (w *fileWriter) store(b []byte) error {
	w.deflated += int64(len(b))
	_, err := w.tx.Exec(w.ctx, `INSERT INTO release_chunks (release_id, path, seq, data) VALUES ($1, $2, $3, $4)`, w.id, w.path, w.seq, b)
	w.seq++
	return wrap(err, "release %s: store", w.path)
}

// Close stores the rest and the file's record.
func (w *fileWriter) Close() (parley.ReleaseFile, error) {
	if w.err == nil {
		w.err = w.fl.Close()
	}
	if w.err == nil && w.pending.Len() > 0 {
		w.err = w.store(w.pending.Bytes())
		w.pending.Reset()
	}
	if w.err != nil {
		return parley.ReleaseFile{}, w.err
	}
	f := parley.ReleaseFile{Path: w.path, SHA256: hex.EncodeToString(w.sha.Sum(nil)), Bytes: w.n}
	_, err := w.tx.Exec(w.ctx, `
		INSERT INTO release_files (release_id, path, position, sha256, crc32, bytes, deflated_bytes)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, w.id, w.path, w.pos, f.SHA256, int64(w.crc.Sum32()), f.Bytes, w.deflated)
	return f, wrap(err, "release %s: store", w.path)
}

// chunkReader reads a stored file's compressed stream, one chunk (one
// query) at a time.
type chunkReader struct {
	ctx  context.Context
	q    querier
	id   int64
	path string
	seq  int
	buf  []byte
	done bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		err := r.q.QueryRow(r.ctx, `SELECT data FROM release_chunks WHERE release_id = $1 AND path = $2 AND seq = $3`,
			r.id, r.path, r.seq).Scan(&r.buf)
		if errors.Is(err, pgx.ErrNoRows) {
			r.done = true
			continue
		}
		if err != nil {
			return 0, wrap(err, "release %s: read", r.path)
		}
		r.seq++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// openFile reads a stored file, decompressed.
func openFile(ctx context.Context, q querier, id int64, path string) io.ReadCloser {
	return flate.NewReader(&chunkReader{ctx: ctx, q: q, id: id, path: path})
}
