package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxClientTokenLen bounds the length of a client token, in bytes.
const MaxClientTokenLen = 128

type clientTokenKey struct{}

// WithClientToken returns a context whose creates are idempotent under
// token, as AWS's ClientToken makes them: the first create (CreateServer,
// CreateNetwork, AddRouterInterface, AttachVolume, ... every Create*,
// Add*, Attach* and Allocate* call but CreateTrustee, which keeps one
// trustee per cluster anyway) makes its object and records the token
// with it, in the same transaction and in the object's persisted record;
// a later create of the same kind with the same token returns that object,
// as the create returns it, without waiting the create delay, firing
// faults or charging quota again. The token is forgotten when its object
// is deleted: it then makes a new object. A caller that may have been
// interrupted (a process killed after the cloud made the object but
// before the caller recorded its ID) repeats the create with the same
// token and gets the object it made.
//
// Tokens are global to the cloud, like request IDs: pick unique ones (a
// UUID, a digest). A token that made an object of another kind fails the
// create with ErrConflict; a token longer than MaxClientTokenLen with
// ErrInvalid. An empty token changes nothing. AssociateFloatingIP needs
// none: associating an address with the port it is on already succeeds.
func WithClientToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, clientTokenKey{}, token)
}

// clientToken returns the token set by WithClientToken, or "".
func clientToken(ctx context.Context) string {
	t, _ := ctx.Value(clientTokenKey{}).(string)
	return t
}

// tokenRef is the object a client token made, and the persisted record
// carrying the token: the object's own, or the one the object lives in
// (a security group rule's group, a router interface's port).
type tokenRef struct {
	kind   Kind
	id     string
	holder string // persisted key
	// object is "<kind>/<id>" when the object is not the holder's own.
	object string
}

// errTokenTaken: a concurrent create with the same client token won.
var errTokenTaken = errors.New("sim: client token taken")

// once runs create idempotently under the context's client token: when
// the token already made an object, it returns view of that object (of
// kind) instead. create must record the token with tx.claim in the
// transaction that makes the object.
func once[T any](ctx context.Context, c *Cloud, kind Kind, view func(st *state, id string) T, create func() (T, error)) (T, error) {
	tok := clientToken(ctx)
	if tok == "" {
		return create()
	}
	if len(tok) > MaxClientTokenLen {
		var zero T
		return zero, invalid("Invalid client token: it is longer than %d bytes.", MaxClientTokenLen)
	}
	for {
		var out T
		found := false
		err := c.view(ctx, func(st *state) error {
			ref, ok := st.tokens[tok]
			switch {
			case !ok:
				return nil
			case ref.kind != kind:
				return conflict("Client token %s was used to create %s %s, not a %s.", tok, ref.kind, ref.id, kind)
			}
			out, found = view(st, ref.id), true
			return nil
		})
		if err != nil || found {
			return out, err
		}
		// A create that lost a race for the token finds its winner's
		// object on the next turn.
		if out, err = create(); !errors.Is(err, errTokenTaken) {
			return out, err
		}
	}
}

// claim records the transaction's client token as having made the object
// id of kind, carried by the object's own record.
func (tx *txn) claim(kind Kind, id string) error { return tx.claimIn(kind, id, kind, id) }

// claimIn records the transaction's client token as having made the
// object id of kind, carried by the record of holderID of holderKind,
// which the transaction writes.
func (tx *txn) claimIn(kind Kind, id string, holderKind Kind, holderID string) error {
	tok := tx.token
	if tok == "" {
		return nil
	}
	if _, taken := tx.st.tokens[tok]; taken {
		return errTokenTaken
	}
	ref := tokenRef{kind: kind, id: id, holder: recordKey(holderKind, holderID)}
	if kind != holderKind || id != holderID {
		ref.object = recordKey(kind, id)
	}
	tx.st.remember(tok, ref)
	tx.onUndo(func() { tx.st.forget(tok) })
	return nil
}

// forgetHeld forgets the tokens a deleted record carried.
func (tx *txn) forgetHeld(key string) {
	for _, tok := range slices.Clone(tx.st.held[key]) {
		tx.forgetToken(tok)
	}
}

// forgetObject forgets the token of an object living in the record of
// another (a security group rule), when the object is deleted.
func (tx *txn) forgetObject(kind Kind, id string, holderKind Kind, holderID string) {
	for _, tok := range tx.st.held[recordKey(holderKind, holderID)] {
		if ref := tx.st.tokens[tok]; ref.kind == kind && ref.id == id {
			tx.forgetToken(tok)
			return
		}
	}
}

func (tx *txn) forgetToken(tok string) {
	ref := tx.st.tokens[tok]
	tx.st.forget(tok)
	tx.onUndo(func() { tx.st.remember(tok, ref) })
}

func (st *state) remember(tok string, ref tokenRef) {
	st.tokens[tok] = ref
	st.held[ref.holder] = append(st.held[ref.holder], tok)
}

func (st *state) forget(tok string) {
	ref, ok := st.tokens[tok]
	if !ok {
		return
	}
	delete(st.tokens, tok)
	rest := slices.DeleteFunc(st.held[ref.holder], func(t string) bool { return t == tok })
	if len(rest) == 0 {
		delete(st.held, ref.holder)
	} else {
		st.held[ref.holder] = rest
	}
}

// heldToken is a client token as the record carrying it stores it.
type heldToken struct {
	token string
	// object is "<kind>/<id>" of the object the token made, or "" when
	// it is the record's own.
	object string
}

// heldTokens returns the tokens the record key carries, nil for none.
func (st *state) heldTokens(key string) []heldToken {
	toks := st.held[key]
	if len(toks) == 0 {
		return nil
	}
	out := make([]heldToken, len(toks))
	for i, tok := range toks {
		out[i] = heldToken{token: tok, object: st.tokens[tok].object}
	}
	return out
}

// tokensField is the member of a persisted record holding its tokens:
// an object mapping each token to the object it made.
const tokensField = "client_tokens"

// withTokens adds the tokens a record carries to its JSON object.
func withTokens(b []byte, tokens []heldToken) ([]byte, error) {
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("sim: record %.20q is not a JSON object", b)
	}
	size := len(b) + len(tokensField) + 8
	for _, t := range tokens {
		size += len(t.token) + len(t.object) + 6
	}
	out := append(make([]byte, 0, size), b[:len(b)-1]...)
	if len(b) > 2 {
		out = append(out, ',')
	}
	out = append(out, `"`+tokensField+`":{`...)
	for i, t := range tokens {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(append(appendJSONString(out, t.token), ':'), t.object)
	}
	return append(out, "}}"...), nil
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // cannot fail on a string
			return append(b, q...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

// loadTokens registers the tokens a loaded record carries.
func (st *state) loadTokens(key string, b []byte) error {
	if !bytes.Contains(b, []byte(`"`+tokensField+`"`)) {
		return nil
	}
	var rec struct {
		Tokens map[string]string `json:"client_tokens"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return err
	}
	kind, id, _ := strings.Cut(key, "/")
	for tok, obj := range rec.Tokens {
		ref := tokenRef{kind: Kind(kind), id: id, holder: key, object: obj}
		if obj != "" {
			k, i, ok := strings.Cut(obj, "/")
			if !ok {
				return fmt.Errorf("client token %s: bad object %q", tok, obj)
			}
			ref.kind, ref.id = Kind(k), i
		}
		st.remember(tok, ref)
	}
	return nil
}

// recordKey is the key under which an object persists.
func recordKey(kind Kind, id string) string { return string(kind) + "/" + id }
