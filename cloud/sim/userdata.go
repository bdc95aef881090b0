package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
)

// kindUserData prefixes the persisted user data of servers. A server's
// user data (25 KB for a Kubernetes node) is stored apart from the
// server's record and never held in memory: it is written when the
// server is created or rebuilt, read by Server, and deleted with the
// server. The records of the rest of the cloud stay small, and a start
// does not read it.
const kindUserData Kind = "user_data"

// userDataRecord is the stored user data of one server.
type userDataRecord struct {
	UserData string `json:"user_data"`
}

// putUserData stores a server's user data apart and clears it from the
// server kept in memory; an empty one stores nothing.
func (tx *txn) putUserData(s *Server) {
	if s.UserData == "" {
		return
	}
	tx.touch(kindUserData, s.ID, userDataRecord{UserData: s.UserData})
	s.UserData = ""
}

// withUserData fills in a server view's user data from the store.
func (c *Cloud) withUserData(ctx context.Context, s Server) (Server, error) {
	b, err := c.blobs.Get(ctx, recordKey(kindUserData, s.ID))
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return Server{}, fmt.Errorf("sim: user data of server %s: %w", s.ID, err)
	}
	var rec userDataRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return Server{}, fmt.Errorf("sim: user data of server %s: %w", s.ID, err)
	}
	s.UserData = rec.UserData
	return s, nil
}

// moveUserData stores apart the user data an older cloud kept in its
// server records, as it loads them.
func (c *Cloud) moveUserData(ctx context.Context) error {
	for id, s := range c.st.servers {
		if s.UserData == "" {
			continue
		}
		b, err := json.Marshal(userDataRecord{UserData: s.UserData})
		if err != nil {
			return err
		}
		if err := c.blobs.Put(ctx, recordKey(kindUserData, id), b); err != nil {
			return err
		}
		s.UserData = ""
		if b, err = json.Marshal(s); err != nil {
			return err
		}
		if tokens := c.st.heldTokens(recordKey(KindServer, id)); len(tokens) > 0 {
			if b, err = withTokens(b, tokens); err != nil {
				return err
			}
		}
		if err := c.blobs.Put(ctx, recordKey(KindServer, id), b); err != nil {
			return err
		}
	}
	return nil
}
