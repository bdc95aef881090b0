package magnum

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gomagnum/gomagnum/internal/store"
)

// Revision identifies one stored state of an object, on every instance
// sharing the database: two reads that give the same Revision saw the
// same object, field for field.
type Revision struct {
	UUID string
	// Row is the object's row in the store, which no other object ever
	// takes, even after this one is deleted.
	Row int64
	// Version counts the object's writes.
	Version int64
}

// Known reports whether the caller already holds what it derives from an
// object at a revision (the REST API: its encoded view), so that a
// revisioned read neither reads nor decodes that object again. A read
// calls it once per object, in the order of its result, from the calling
// goroutine. A nil Known holds nothing.
type Known func(Revision) bool

// Versioned is an object as read at a revision. Object is nil when the
// reader's Known held that revision.
type Versioned[T any] struct {
	Revision
	Object *T
}

// Page identifies a page of a list as it is shown at one state of the
// store: the kind listed, the caller's scope, the paging and sorting, and
// the generation of the kind's writes it was read at. Two lists giving the
// same Page show the same objects at the same revisions.
type Page string

// ReadCache says what the caller of a revisioned list already holds, so
// that the list skips it.
type ReadCache struct {
	// Objects reports the objects held; nil holds none.
	Objects Known
	// Pages reports the pages held (the REST API: their encoded bodies);
	// nil holds none.
	Pages func(Page) bool
}

// Listing is what a revisioned list read.
type Listing[T any] struct {
	Page Page
	// Held is true when the caller's ReadCache held the page: Items is
	// then nil, and the list read one row.
	Held  bool
	Items []Versioned[T]
}

// revisioned describes how a kind of object is read by revision.
type revisioned[T any] struct {
	kind store.Kind
	// generation reads a number that grows with every committed write of
	// the kind, on every instance sharing the database.
	generation func(context.Context, *store.Tx) (int64, error)
	decode     func(store.Record) (*T, error)
	// what and plural name the kind in errors: "Cluster", "clusters".
	what, plural string
	// notFound is the kind of error an unknown identifier gives.
	notFound error
}

var (
	clusterReads = revisioned[Cluster]{kind: store.Clusters, what: "Cluster", plural: "clusters", notFound: ErrNotFound,
		generation: lastChange,
		decode: func(r store.Record) (*Cluster, error) {
			d, err := clusterFromRecord(r)
			if err != nil {
				return nil, err
			}
			return &d.Cluster, nil
		}}
	templateReads = revisioned[ClusterTemplate]{kind: store.Templates, what: "ClusterTemplate",
		plural: "ClusterTemplates", notFound: ErrTemplateNotFound, decode: templateFromRecord,
		generation: func(ctx context.Context, tx *store.Tx) (int64, error) {
			return tx.WriteCount(ctx, store.Templates)
		}}
)

// lastChange is the ID of the change feed's newest change: every write of
// a cluster adds a change to the feed in its transaction (see
// recordChange), and the feed's IDs follow the order the changes commit
// in, so a cluster written after the call has a change of a greater ID.
func lastChange(ctx context.Context, tx *store.Tx) (int64, error) {
	_, last, err := tx.ChangeBounds(ctx)
	return last, err
}

// list reads the page q selects: the kind's generation (see
// readGeneration), which with q names the page; unless the cache holds
// that page, the references, then, in another statement, the records the
// cache does not hold. None of these statements opens a transaction; a
// record deleted in between is left out. Reading the generation first
// makes the page at least as new as its name says.
func (k revisioned[T]) list(ctx context.Context, s *Service, q store.Query, cache ReadCache) (Listing[T], error) {
	var out Listing[T]
	err := s.store.Read(ctx, func(tx *store.Tx) error {
		gen, err := k.readGeneration(ctx, s, tx)
		if err != nil {
			return err
		}
		out.Page = Page(k.what + " " + gen + " " + q.Key())
		if cache.Pages != nil && cache.Pages(out.Page) {
			out.Held = true
			return nil
		}
		refs, err := tx.FindRefs(ctx, k.kind, q)
		if err != nil {
			return storeErr(err, func() error { return notFoundf("%s %s could not be found.", k.what, q.Marker) })
		}
		out.Items, err = k.resolve(ctx, tx, refs, cache.Objects)
		return err
	})
	return out, err
}

// readGeneration names the state of the kind's records a read starts
// at: this process's count of the kind's writes while it is the only one
// writing the database, which costs no statement, else the generation the
// database keeps. Two reads giving the same name, on one instance, saw
// the same records of the kind, and a read after a write sees a name the
// reads before it did not.
func (k revisioned[T]) readGeneration(ctx context.Context, s *Service, tx *store.Tx) (string, error) {
	if s.sole.sole() {
		return "local " + strconv.FormatInt(s.store.LocalWrites(k.kind), 10), nil
	}
	n, err := k.generation(ctx, tx)
	return strconv.FormatInt(n, 10), err
}

// one reads the object an identifier names among those where selects: by
// UUID when it looks like one, else by name, where a name matching
// several is a conflict. The references found are kept with the kind's
// generation they were read after, so that while the kind does not
// change, a read whose object known holds reads nothing more than that
// generation: no statement at all when this instance alone writes the
// database.
func (k revisioned[T]) one(ctx context.Context, s *Service, ident string, where store.Cond, known Known) (Versioned[T], error) {
	key := "name"
	if isUUID(ident) {
		key = "uuid"
	}
	q := store.Query{Where: store.And(where, store.Eq(key, ident)), Limit: 2}
	found := k.what + " " + q.Key()
	var out []Versioned[T]
	err := s.store.Read(ctx, func(tx *store.Tx) error {
		gen, err := k.readGeneration(ctx, s, tx)
		if err != nil {
			return err
		}
		refs, ok := s.found.get(found, gen)
		if !ok {
			if refs, err = tx.FindRefs(ctx, k.kind, q); err != nil {
				return err
			}
			s.found.put(found, gen, refs)
		}
		if len(refs) > 1 {
			return conflictf("Multiple %s exist with same name. Please use the %s uuid instead.",
				strings.ToLower(k.plural), strings.ToLower(k.what))
		}
		out, err = k.resolve(ctx, tx, refs, known)
		return err
	})
	if err == nil && len(out) == 0 {
		err = newError(k.notFound, "%s %s could not be found.", k.what, ident)
	}
	if err != nil {
		return Versioned[T]{}, err
	}
	return out[0], nil
}

// resolve reads and decodes the records of refs that known does not
// hold, at the version they have now.
func (k revisioned[T]) resolve(ctx context.Context, tx *store.Tx, refs []store.Ref, known Known) ([]Versioned[T], error) {
	out := make([]Versioned[T], len(refs))
	load := make([]bool, len(refs))
	var missing []int64
	for i, r := range refs {
		out[i].Revision = Revision{UUID: r.UUID, Row: r.ID, Version: r.Version}
		if known == nil || !known(out[i].Revision) {
			load[i] = true
			missing = append(missing, r.ID)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	recs, err := tx.GetByIDs(ctx, k.kind, missing)
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for i, v := range out {
		if load[i] {
			rec, ok := recs[v.Row]
			if !ok {
				continue // deleted since the references were read
			}
			v.Version = rec.Version
			if v.Object, err = k.decode(rec); err != nil {
				return nil, err
			}
		}
		kept = append(kept, v)
	}
	return kept, nil
}

// objects returns the objects of a list in which every one was decoded.
func objects[T any](l Listing[T], err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	out := make([]T, len(l.Items))
	for i, v := range l.Items {
		if v.Object == nil {
			return nil, errors.New("magnum: object read without its document")
		}
		out[i] = *v.Object
	}
	return out, nil
}

// ListClusterRevisions lists the clusters ListClusters lists, with their
// revisions, reading only what the cache does not hold.
func (s *Service) ListClusterRevisions(ctx context.Context, o ListOptions, cache ReadCache) (Listing[Cluster], error) {
	c, err := s.authorize(ctx, "cluster:get_all", Target{})
	if err != nil {
		return Listing[Cluster]{}, err
	}
	where, err := s.projectScope(ctx, c, "cluster:get_all_all_projects")
	if err != nil {
		return Listing[Cluster]{}, err
	}
	q, err := s.query(o, where, clusterSortable)
	if err != nil {
		return Listing[Cluster]{}, err
	}
	return clusterReads.list(ctx, s, q, cache)
}

// GetClusterRevision returns the cluster GetCluster returns, with its
// revision; the cluster is nil when known holds that revision.
func (s *Service) GetClusterRevision(ctx context.Context, ident string, known Known) (Versioned[Cluster], error) {
	c, err := s.authorize(ctx, "cluster:get", Target{})
	if err != nil {
		return Versioned[Cluster]{}, err
	}
	where, err := s.projectScope(ctx, c, "cluster:get_one_all_projects")
	if err != nil {
		return Versioned[Cluster]{}, err
	}
	return clusterReads.one(ctx, s, ident, where, known)
}

// ListClusterTemplateRevisions lists the templates ListClusterTemplates
// lists, with their revisions, reading only what the cache does not hold.
func (s *Service) ListClusterTemplateRevisions(ctx context.Context, o ListOptions, cache ReadCache) (Listing[ClusterTemplate], error) {
	c, err := s.authorize(ctx, "clustertemplate:get_all", Target{})
	if err != nil {
		return Listing[ClusterTemplate]{}, err
	}
	var where store.Cond
	if c.IsAdmin() {
		if _, err := s.authorize(ctx, "clustertemplate:get_all_all_projects", Target{}); err != nil {
			return Listing[ClusterTemplate]{}, err
		}
	} else {
		where = store.Or(store.Eq("project_id", c.ProjectID), store.And(store.Eq("public", true), store.Eq("hidden", false)))
	}
	q, err := s.query(o, where, templateSortable)
	if err != nil {
		return Listing[ClusterTemplate]{}, err
	}
	return templateReads.list(ctx, s, q, cache)
}

// GetClusterTemplateRevision returns the template GetClusterTemplate
// returns, with its revision; the template is nil when known holds that
// revision.
func (s *Service) GetClusterTemplateRevision(ctx context.Context, ident string, known Known) (Versioned[ClusterTemplate], error) {
	c, err := s.authorize(ctx, "clustertemplate:get", Target{})
	if err != nil {
		return Versioned[ClusterTemplate]{}, err
	}
	where, err := s.templateScope(ctx, c, "clustertemplate:get_one_all_projects")
	if err != nil {
		return Versioned[ClusterTemplate]{}, err
	}
	return templateReads.one(ctx, s, ident, where, known)
}
