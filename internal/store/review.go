package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"parley"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Two-person review. The record tables hold only the vetted version: a
// proposed change waits in candidates as its Proposal (the input of the
// write it stands for). Proposing runs that write in a savepoint and rolls
// it back, so a candidate is validated exactly as a direct save and its
// preview is what the save would store; approving runs it for real in the
// approver's transaction, through the same code as an unreviewed save.

type txKey struct{}

// inTx makes the store's writes under ctx run inside tx, each in a
// savepoint of its own, instead of in a transaction of their own.
func inTx(ctx context.Context, tx pgx.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

type sinkKey struct{}

// withSink collects in *snaps the revisions the writes under ctx store:
// the records as the change makes them.
func withSink(ctx context.Context, snaps *[]parley.Snapshot) context.Context {
	return context.WithValue(ctx, sinkKey{}, snaps)
}

func collect(ctx context.Context, k parley.Kind, id int64, data []byte) {
	if snaps, ok := ctx.Value(sinkKey{}).(*[]parley.Snapshot); ok {
		*snaps = append(*snaps, parley.Snapshot{Kind: k, ID: id, Data: data})
	}
}

// errNoInput means a proposal lacks the input its kind needs: a bug, not
// the editor's error.
var errNoInput = errors.New("store: proposal without its input")

// apply runs proposal p as by and returns the key of the record it
// created or changed ("" for an import).
func (s *Store) apply(ctx context.Context, by parley.Editor, p parley.Proposal) (string, error) {
	switch p.Op {
	case parley.OpImport:
		_, err := s.Import(ctx, by, p.Import, true)
		return "", err
	case parley.OpRevert:
		_, key, err := s.RestoreRevision(ctx, by, p.Revision)
		return key, err
	case parley.OpDelete, parley.OpRestore:
		return p.Key, s.deleteOrRestoreKey(ctx, by, p.Kind, p.Key, p.Op == parley.OpDelete)
	}
	id := func() (int64, error) { return parley.ParseID(p.Key) }
	create := p.Op == parley.OpCreate
	switch {
	case p.Kind == parley.KindStatement && p.Statement != nil && p.Batch:
		sts, err := s.CreateStatements(ctx, by, []parley.StatementInput{*p.Statement})
		if err != nil {
			return "", err
		}
		return keyOf(sts[0].ID), nil
	case p.Kind == parley.KindStatement && p.Statement != nil:
		if create {
			x, err := s.CreateStatement(ctx, by, *p.Statement)
			return keyOf(x.ID), err
		}
		n, err := id()
		if err != nil {
			return "", err
		}
		_, err = s.UpdateStatement(ctx, by, n, p.Version, *p.Statement)
		return p.Key, err
	case p.Kind == parley.KindSource && p.Source != nil:
		if create {
			x, err := s.CreateSource(ctx, by, *p.Source)
			return keyOf(x.ID), err
		}
		n, err := id()
		if err != nil {
			return "", err
		}
		_, err = s.UpdateSource(ctx, by, n, p.Version, *p.Source)
		return p.Key, err
	case p.Kind == parley.KindActor && p.Actor != nil:
		return bySlug(ctx, by, p, *p.Actor, s.CreateActor, s.UpdateActor, func(x parley.Actor) string { return x.Slug })
	case p.Kind == parley.KindDemand && p.Demand != nil:
		return bySlug(ctx, by, p, *p.Demand, s.CreateDemand, s.UpdateDemand, func(x parley.Demand) string { return x.Slug })
	case p.Kind == parley.KindRegion && p.Region != nil:
		return bySlug(ctx, by, p, *p.Region, s.CreateRegion, s.UpdateRegion, func(x parley.Region) string { return x.Slug })
	case p.Kind == parley.KindSide && p.Side != nil:
		return bySlug(ctx, by, p, *p.Side, s.CreateSide, s.UpdateSide, func(x parley.Side) string { return x.Slug })
	}
	return "", errNoInput
}

// bySlug runs the create or the update p proposes of a record kept by
// slug, and returns its slug.
func bySlug[In, Out any](ctx context.Context, by parley.Editor, p parley.Proposal, in In,
	create func(context.Context, parley.Editor, In) (Out, error),
	update func(context.Context, parley.Editor, string, int, In) (Out, error), slug func(Out) string) (string, error) {
	if p.Op == parley.OpCreate {
		x, err := create(ctx, by, in)
		return slug(x), err
	}
	_, err := update(ctx, by, p.Key, p.Version, in)
	return p.Key, err
}

func (s *Store) deleteOrRestoreKey(ctx context.Context, by parley.Editor, k parley.Kind, key string, del bool) error {
	if !k.BySlug() {
		id, err := parley.ParseID(key)
		if err != nil {
			return err
		}
		switch {
		case k == parley.KindStatement && del:
			return s.DeleteStatement(ctx, by, id)
		case k == parley.KindStatement:
			return s.RestoreStatement(ctx, by, id)
		case k == parley.KindSource && del:
			return s.DeleteSource(ctx, by, id)
		case k == parley.KindSource:
			return s.RestoreSource(ctx, by, id)
		}
		return errNoInput
	}
	f := map[parley.Kind][2]func(context.Context, parley.Editor, string) error{
		parley.KindActor:  {s.DeleteActor, s.RestoreActor},
		parley.KindDemand: {s.DeleteDemand, s.RestoreDemand},
		parley.KindRegion: {s.DeleteRegion, s.RestoreRegion},
		parley.KindSide:   {s.DeleteSide, s.RestoreSide},
	}[k]
	if f[0] == nil {
		return errNoInput
	}
	if del {
		return f[0](ctx, by, key)
	}
	return f[1](ctx, by, key)
}

// trial runs p as by in a savepoint of tx and rolls it back: the write's
// own validation, and what it would store and change.
func (s *Store) trial(ctx context.Context, tx pgx.Tx, by parley.Editor, p parley.Proposal) ([]parley.Snapshot, parley.Impact, error) {
	return s.trialOf(ctx, tx, p, func(ctx context.Context) error {
		_, err := s.apply(ctx, by, p)
		return err
	})
}

// trialOf runs write (the change p stands for) in a savepoint of tx,
// collecting what it stores, reads the figures it moves, and rolls it back.
func (s *Store) trialOf(ctx context.Context, tx pgx.Tx, p parley.Proposal, write func(ctx context.Context) error) ([]parley.Snapshot, parley.Impact, error) {
	actors, err := proposalActors(ctx, tx, p)
	if err != nil {
		return nil, parley.Impact{}, err
	}
	sp, err := tx.Begin(ctx)
	if err != nil {
		return nil, parley.Impact{}, err
	}
	defer sp.Rollback(ctx) //nolint:errcheck // the trial is always undone
	var snaps []parley.Snapshot
	if err := write(withSink(inTx(ctx, sp), &snaps)); err != nil {
		return nil, parley.Impact{}, err
	}
	for _, sn := range snaps {
		var x struct {
			Actor string `json:"actor"`
		}
		if sn.Kind == parley.KindStatement && json.Unmarshal(sn.Data, &x) == nil && x.Actor != "" {
			actors = append(actors, x.Actor)
		}
	}
	// The derived tables are rebuilt at commit; have them rebuilt now, in
	// the savepoint, to read the figures the change would give.
	if _, err := sp.Exec(ctx, `SET CONSTRAINTS derived_flush IMMEDIATE`); err != nil {
		return nil, parley.Impact{}, err
	}
	after, err := figures(ctx, sp, actors)
	if err != nil {
		return nil, parley.Impact{}, err
	}
	if err := sp.Rollback(ctx); err != nil {
		return nil, parley.Impact{}, err
	}
	if _, err := tx.Exec(ctx, `SET CONSTRAINTS derived_flush DEFERRED`); err != nil {
		return nil, parley.Impact{}, err
	}
	before, err := figures(ctx, tx, actors)
	if err != nil {
		return nil, parley.Impact{}, err
	}
	return snaps, impactOf(before, after), nil
}

// proposalActors are the actors whose matrix cells p can change, as they
// stand before it: the statement's actor (now and as proposed), or the
// actor itself.
func proposalActors(ctx context.Context, q querier, p parley.Proposal) ([]string, error) {
	var actors []string
	if p.Statement != nil && p.Statement.Actor != "" {
		actors = append(actors, p.Statement.Actor)
	}
	if p.Kind == parley.KindActor && p.Key != "" {
		actors = append(actors, p.Key)
	}
	if p.Kind == parley.KindStatement && p.Key != "" {
		if id, err := parley.ParseID(p.Key); err == nil {
			var slug string
			err := q.QueryRow(ctx, `SELECT a.slug FROM statements s JOIN actors a ON a.id = s.actor_id WHERE s.id = $1`, id).Scan(&slug)
			if err == nil {
				actors = append(actors, slug)
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return nil, err
			}
		}
	}
	return actors, nil
}

// Propose stores p as a candidate of by, after checking it as the write
// itself would (a *ValidationError, *ConflictError or *InUseError for bad
// input, nothing stored). A statement form submitted twice (its
// idempotency key) gives the first submission's candidate again.
func (s *Store) Propose(ctx context.Context, by parley.Editor, p parley.Proposal) (*parley.Proposed, error) {
	if by.ID == 0 {
		return nil, errors.New("store: a candidate needs a signed-in author")
	}
	if p.Op == parley.OpRevert {
		// The revision names its record.
		rev, err := s.GetRevision(ctx, p.Revision)
		if err != nil {
			return nil, err
		}
		p.Kind, p.Key = rev.EntityType, strconv.FormatInt(rev.EntityID, 10)
		if p.Kind.BySlug() {
			if err := s.pool.QueryRow(ctx, `SELECT slug FROM `+p.Kind.Table()+` WHERE id = $1`, rev.EntityID).Scan(&p.Key); err != nil {
				return nil, wrap(err, "revision %d record", p.Revision)
			}
		}
	}
	var key *string
	if p.Statement != nil && parley.ValidUUID(p.Statement.IdempotencyKey) {
		key = &p.Statement.IdempotencyKey
		var id int64
		err := s.pool.QueryRow(ctx, `SELECT id FROM candidates WHERE idempotency_key = $1`, *key).Scan(&id)
		if err == nil {
			return &parley.Proposed{ID: id, Again: true}, nil
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return nil, wrap(err, "find candidate")
		}
	}
	var out parley.Proposed
	err := s.transact(ctx, func(tx pgx.Tx) error {
		snaps, impact, err := s.trial(ctx, tx, by, p)
		if err != nil {
			return err
		}
		out.ID, err = insertCandidate(ctx, tx, by, p, snaps, impact, key)
		return err
	})
	if err != nil {
		return nil, wrap(err, "propose %s", p.Label())
	}
	return &out, nil
}

// candidateColumns are the JSON columns of a candidate: the proposal, the
// records as it would store them, and its impact.
func candidateColumns(p parley.Proposal, snaps []parley.Snapshot, impact parley.Impact) (proposal, preview, imp []byte, err error) {
	if proposal, err = json.Marshal(p); err != nil {
		return nil, nil, nil, err
	}
	if preview, err = json.Marshal(snaps); err != nil {
		return nil, nil, nil, err
	}
	imp, err = json.Marshal(impact)
	return proposal, preview, imp, err
}

// insertCandidate stores p, checked by a trial that gave snaps and impact,
// as by's candidate. A form submitted again (its idempotency key) finds
// the candidate it stored the first time.
func insertCandidate(ctx context.Context, tx pgx.Tx, by parley.Editor, p parley.Proposal, snaps []parley.Snapshot, impact parley.Impact, key *string) (int64, error) {
	proposal, preview, imp, err := candidateColumns(p, snaps, impact)
	if err != nil {
		return 0, err
	}
	var recordKey *string
	if p.Key != "" {
		recordKey = &p.Key
	}
	kind := p.Kind
	if p.Op == parley.OpImport {
		kind = parley.KindImport
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO candidates (kind, op, record_key, proposal, preview, impact, summary, author_id, last_editor_id, idempotency_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
		ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = excluded.idempotency_key
		RETURNING id`,
		kind, p.Op, recordKey, proposal, preview, imp, summarize(p, snaps), by.ID, key).Scan(&id)
	return id, err
}

// summarize names the change in one line for the review list.
func summarize(p parley.Proposal, snaps []parley.Snapshot) string {
	label := p.Label()
	if p.Op == parley.OpImport || len(snaps) == 0 {
		return label
	}
	last := snaps[len(snaps)-1]
	var named map[string]any
	if json.Unmarshal(last.Data, &named) == nil {
		if v, ok := named[last.Kind.LabelField()].(string); ok && v != "" {
			return label + ": " + truncate(v, 140)
		}
	}
	return label
}

// Approve publishes candidate id (at version, as the review page showed
// it) as by: its write runs now, in by's transaction, recorded as its
// author's with by as approver. A candidate decided or changed meanwhile
// gives a *ConflictError holding it as it stands; one whose record moved
// on since it was proposed gives a *StaleCandidateError; by's own
// candidate gives ErrOwnCandidate. Nothing is written then.
func (s *Store) Approve(ctx context.Context, by parley.Editor, id int64, version int) (parley.Candidate, error) {
	var c parley.Candidate
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = lockCandidate(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if by.ID == c.Author.ID || by.ID == c.LastEditor.ID {
			return parley.ErrOwnCandidate
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('parley.approver_id', $1, true), set_config('parley.approver_email', $2, true),
			set_config('parley.candidate_id', $3, true)`, strconv.FormatInt(by.ID, 10), by.Email, strconv.FormatInt(id, 10)); err != nil {
			return err
		}
		key, err := s.apply(inTx(ctx, tx), c.Author, c.Proposal)
		if err != nil {
			if stale := staleReason(err); stale != "" {
				return &parley.StaleCandidateError{Reason: stale}
			}
			return err
		}
		c.ResultKey = key
		return tx.QueryRow(ctx, `
			UPDATE candidates SET status = 'approved', decided_by = $2, decided_at = now(), result_key = nullif($3, ''),
			       version = version + 1, updated_at = now()
			WHERE id = $1 RETURNING version`, id, by.ID, key).Scan(&c.Version)
	})
	if err != nil {
		return c, wrap(err, "approve candidate %d", id) // (keeps the errors callers tell apart)
	}
	c.Status = parley.CandidateApproved
	return c, nil
}

// staleReason explains why a candidate's write fails now though it passed
// when proposed: the record or what it refers to changed since.
func staleReason(err error) string {
	var ve *parley.ValidationError
	var iu *parley.InUseError
	switch {
	case errors.Is(err, parley.ErrConflict):
		return "The record was changed since this candidate was proposed (another change was approved first)."
	case errors.Is(err, parley.ErrNotFound):
		return "The record this candidate changes no longer exists as it did (it was deleted or restored since)."
	case errors.As(err, &iu):
		return "Statements now refer to this record, so it cannot be deleted."
	case errors.As(err, &ve):
		msgs := slices.Sorted(func(yield func(string) bool) {
			for _, m := range ve.Fields {
				if !yield(m) {
					return
				}
			}
		})
		return "What this candidate refers to changed since it was proposed: " + strings.Join(msgs, " ")
	case errors.Is(err, parley.ErrImportProblems):
		return "The import no longer applies as it is: the records it refers to changed since it was proposed."
	}
	return ""
}

// Reject closes candidate id (at version) as by, with reason; its author
// sees the reason on the candidate's page.
func (s *Store) Reject(ctx context.Context, by parley.Editor, id int64, version int, reason string) (parley.Candidate, error) {
	reason = strings.TrimSpace(parley.CleanText(reason))
	if reason == "" {
		return parley.Candidate{}, parley.Problems{"reason": "Say why the change is rejected: its author reads this."}.Err()
	}
	p := parley.Problems{}
	if p.CheckText(map[string]string{"reason": reason}); len(p) > 0 {
		return parley.Candidate{}, p.Err()
	}
	var c parley.Candidate
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		if c, err = lockCandidate(ctx, tx, id, version); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `
			UPDATE candidates SET status = 'rejected', reason = $3, decided_by = $2, decided_at = now(),
			       version = version + 1, updated_at = now()
			WHERE id = $1 RETURNING version`, id, by.ID, reason).Scan(&c.Version)
	})
	if err != nil {
		return c, wrap(err, "reject candidate %d", id)
	}
	c.Status, c.Reason = parley.CandidateRejected, reason
	return c, nil
}

// lockCandidate locks a pending candidate at version; a *ConflictError
// with the candidate as it stands when it was decided or changed since.
func lockCandidate(ctx context.Context, tx pgx.Tx, id int64, version int) (parley.Candidate, error) {
	c, err := scanCandidate(tx.QueryRow(ctx, candidateSelect+` WHERE c.id = $1 FOR UPDATE OF c`, id))
	if err != nil {
		return c, err
	}
	if c.Status != parley.CandidatePending || c.Version != version {
		return c, &parley.ConflictError[parley.Candidate]{Current: c}
	}
	return c, nil
}

const candidateSelect = `
	SELECT c.id, c.proposal, c.preview, c.impact, c.summary, c.author_id, au.email, c.last_editor_id, le.email,
	       c.status, coalesce(c.reason, ''), coalesce(dec.email, ''), coalesce(c.decided_at, 'epoch'),
	       coalesce(c.result_key, ''), c.version, c.created_at
	FROM candidates c
	JOIN users au ON au.id = c.author_id
	JOIN users le ON le.id = c.last_editor_id
	LEFT JOIN users dec ON dec.id = c.decided_by`

func scanCandidate(row pgx.Row) (parley.Candidate, error) {
	var c parley.Candidate
	var proposal, preview, impact []byte
	err := row.Scan(&c.ID, &proposal, &preview, &impact, &c.Summary, &c.Author.ID, &c.Author.Email, &c.LastEditor.ID, &c.LastEditor.Email,
		&c.Status, &c.Reason, &c.DecidedBy, &c.DecidedAt, &c.ResultKey, &c.Version, &c.CreatedAt)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(proposal, &c.Proposal); err != nil {
		return c, fmt.Errorf("candidate %d proposal: %w", c.ID, err)
	}
	if err := json.Unmarshal(preview, &c.After); err != nil {
		return c, fmt.Errorf("candidate %d preview: %w", c.ID, err)
	}
	if err := json.Unmarshal(impact, &c.Impact); err != nil {
		return c, fmt.Errorf("candidate %d impact: %w", c.ID, err)
	}
	return c, nil
}

// GetCandidate returns candidate id with the vetted record it changes as
// it now stands (Before); ErrNotFound if there is none.
func (s *Store) GetCandidate(ctx context.Context, id int64) (parley.Candidate, error) {
	c, err := scanCandidate(s.pool.QueryRow(ctx, candidateSelect+` WHERE c.id = $1`, id))
	if err != nil {
		return c, wrap(err, "get candidate %d", id)
	}
	if c.Proposal.Kind.Valid() && c.Proposal.Key != "" {
		k := c.Proposal.Kind
		var snap parley.Snapshot
		err := s.pool.QueryRow(ctx, `
			SELECT r.entity_id, r.data FROM revisions r
			WHERE r.entity_type = $1 AND r.entity_id = (SELECT id FROM `+k.Table()+` WHERE `+k.Param()+` = $2)
			ORDER BY r.id DESC LIMIT 1`, k, keyArg(k, c.Proposal.Key)).Scan(&snap.ID, &snap.Data)
		if err == nil {
			snap.Kind = k
			c.Before = &snap
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return c, wrap(err, "get candidate %d record", id)
		}
	}
	return c, nil
}

// keyArg is a record key as its column's type wants it.
func keyArg(k parley.Kind, key string) any {
	if k.BySlug() {
		return key
	}
	id, _ := strconv.ParseInt(key, 10, 64)
	return id
}

// ListCandidates returns the pending candidates, most consequential first
// (then oldest first), and with f.Author also that editor's decided ones
// (newest first), up to f.Limit of each.
func (s *Store) ListCandidates(ctx context.Context, f parley.CandidateFilter) (pending, mine []parley.Candidate, err error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	rows, err := s.pool.Query(ctx, candidateSelect+`
		WHERE c.status = 'pending'
		ORDER BY (c.impact->>'Level')::int DESC, c.created_at, c.id LIMIT $1`, f.Limit)
	if err != nil {
		return nil, nil, wrap(err, "list candidates")
	}
	if pending, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Candidate, error) { return scanCandidate(r) }); err != nil {
		return nil, nil, wrap(err, "list candidates")
	}
	if f.Author == 0 {
		return pending, nil, nil
	}
	rows, err = s.pool.Query(ctx, candidateSelect+`
		WHERE c.author_id = $1 AND c.status <> 'pending'
		ORDER BY c.updated_at DESC, c.id DESC LIMIT $2`, f.Author, f.Limit)
	if err != nil {
		return nil, nil, wrap(err, "list candidates")
	}
	mine, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Candidate, error) { return scanCandidate(r) })
	return pending, mine, wrap(err, "list candidates")
}

// PendingFor returns the candidates waiting on the record of kind k with
// key, oldest first: the record pages mark them for editors.
func (s *Store) PendingFor(ctx context.Context, k parley.Kind, key string) ([]parley.Candidate, error) {
	rows, err := s.pool.Query(ctx, candidateSelect+`
		WHERE c.status = 'pending' AND c.kind = $1 AND c.record_key = $2
		ORDER BY c.created_at, c.id LIMIT 20`, k, key)
	if err != nil {
		return nil, wrap(err, "pending candidates")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Candidate, error) { return scanCandidate(r) })
	return out, wrap(err, "pending candidates")
}

// figureSet is what the review ranks a change by: the newest stance of
// each affected actor on each demand, and each party's position on each
// demand, as of today.
type figureSet struct {
	cells   map[[2]string]string // actor name, demand title -> stance
	parties map[[2]string]string // side name, demand title -> stance
}

// figures reads, in q, the figures a change can move: the newest stance
// of each of actors (slugs) on each demand, and every party's position.
func figures(ctx context.Context, q querier, actors []string) (figureSet, error) {
	f := figureSet{cells: map[[2]string]string{}, parties: map[[2]string]string{}}
	rows, err := q.Query(ctx, `
		SELECT a.name, d.title, l.stance
		FROM actors a CROSS JOIN demands d
		CROSS JOIN LATERAL (
		    SELECT l.stance FROM stance_log l WHERE l.actor_id = a.id AND l.demand_id = d.id
		    ORDER BY l.date DESC, l.statement_id DESC LIMIT 1) l
		WHERE a.deleted_at IS NULL AND d.deleted_at IS NULL AND a.slug = ANY($1)`, actors)
	if err != nil {
		return f, err
	}
	err = forEachRow(rows, func(r pgx.Rows) error {
		var actor, demand, stance string
		if err := r.Scan(&actor, &demand, &stance); err != nil {
			return err
		}
		f.cells[[2]string{actor, demand}] = stance
		return nil
	})
	if err != nil {
		return f, err
	}
	rows, err = q.Query(ctx, `
		WITH sides AS MATERIALIZED (
		    SELECT slug, name FROM sides WHERE deleted_at IS NULL AND role = 'party')
		SELECT sd.name, d.title, l.stance
		FROM demands d
		LEFT JOIN demands c ON c.id = d.converse_id AND c.deleted_at IS NULL
		CROSS JOIN sides sd
		CROSS JOIN LATERAL `+newestSideStanceSQL("'infinity'::date")+` l
		WHERE d.deleted_at IS NULL`)
	if err != nil {
		return f, err
	}
	err = forEachRow(rows, func(r pgx.Rows) error {
		var side, demand, stance string
		if err := r.Scan(&side, &demand, &stance); err != nil {
			return err
		}
		f.parties[[2]string{side, demand}] = stance
		return nil
	})
	return f, err
}

func forEachRow(rows pgx.Rows, fn func(pgx.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// impactOf grades the change from before to after, with a note per
// figure that moves.
func impactOf(before, after figureSet) parley.Impact {
	var im parley.Impact
	note := func(level parley.ImpactLevel, what [2]string, from, to string, party bool) {
		if from == to {
			return
		}
		im.Level = max(im.Level, level)
		show := func(s string) string {
			if s == "" {
				return "no position"
			}
			return s
		}
		who := what[0]
		if party {
			who += " (party)"
		}
		im.Notes = append(im.Notes, who+" on "+what[1]+": "+show(from)+" → "+show(to))
	}
	for _, k := range keysOf(before.parties, after.parties) {
		note(parley.ImpactGap, k, before.parties[k], after.parties[k], true)
	}
	for _, k := range keysOf(before.cells, after.cells) {
		note(parley.ImpactMatrix, k, before.cells[k], after.cells[k], false)
	}
	return im
}

func keysOf(a, b map[[2]string]string) [][2]string {
	var out [][2]string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(x, y [2]string) int {
		if c := strings.Compare(x[0], y[0]); c != 0 {
			return c
		}
		return strings.Compare(x[1], y[1])
	})
	return out
}

// truncate shortens s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// ReviseStatement replaces the statement input of candidate id (at
// version) with in, checked as the write would check it, and makes by its
// last editor: from then on neither its author nor by can approve it.
func (s *Store) ReviseStatement(ctx context.Context, by parley.Editor, id int64, version int, in parley.StatementInput) (*parley.Proposed, error) {
	err := s.transact(ctx, func(tx pgx.Tx) error {
		c, err := lockCandidate(ctx, tx, id, version)
		if err != nil {
			return err
		}
		p := c.Proposal
		if p.Statement == nil {
			return parley.Problems{"form": "Only a new or edited statement can be revised; reject this candidate and propose the change again."}.Err()
		}
		in.IdempotencyKey = p.Statement.IdempotencyKey
		p.Statement = &in
		snaps, impact, err := s.trial(ctx, tx, by, p)
		if err != nil {
			return err
		}
		proposal, preview, imp, err := candidateColumns(p, snaps, impact)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE candidates SET proposal = $2, preview = $3, impact = $4, summary = $5, last_editor_id = $6,
			       version = version + 1, updated_at = now()
			WHERE id = $1`, id, proposal, preview, imp, summarize(p, snaps), by.ID)
		return err
	})
	if err != nil {
		return nil, wrap(err, "revise candidate %d", id)
	}
	return &parley.Proposed{ID: id}, nil
}

// ProposeStatements stores an article's drafts (intake) as candidates, one
// per statement, checked together as CreateStatements checks them: all of
// them or, with a *ValidationError naming each problem's draft, none. A
// draft with ReportOf proposes a change of that statement (one more
// report). The impact noted on each is the batch's.
func (s *Store) ProposeStatements(ctx context.Context, by parley.Editor, ins []parley.StatementInput) ([]int64, error) {
	if by.ID == 0 {
		return nil, errors.New("store: a candidate needs a signed-in author")
	}
	var ids []int64
	err := s.transact(ctx, func(tx pgx.Tx) error {
		ids = ids[:0]
		var sts []parley.Statement
		batch := parley.Proposal{Kind: parley.KindStatement, Op: parley.OpCreate}
		_, impact, err := s.trialOf(ctx, tx, batch, func(ctx context.Context) error {
			var err error
			sts, err = s.CreateStatements(ctx, by, ins)
			return err
		})
		if err != nil {
			return err
		}
		for i := range ins {
			in := ins[i]
			p := parley.Proposal{Kind: parley.KindStatement, Op: parley.OpCreate, Statement: &in, Batch: true}
			if in.ReportOf != 0 {
				p.Op, p.Key = parley.OpUpdate, keyOf(in.ReportOf)
			}
			data, err := json.Marshal(sts[i])
			if err != nil {
				return err
			}
			var key *string
			if parley.ValidUUID(in.IdempotencyKey) {
				key = &ins[i].IdempotencyKey
			}
			id, err := insertCandidate(ctx, tx, by, p, []parley.Snapshot{{Kind: parley.KindStatement, ID: sts[i].ID, Data: data}}, impact, key)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "propose statements")
	}
	return ids, nil
}

// keyOf is a record key of an id.
func keyOf(id int64) string { return strconv.FormatInt(id, 10) }
