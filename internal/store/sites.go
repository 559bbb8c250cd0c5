package store

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// The sites bucket lists every host (with its port) the store holds pages
// of, so the admin API can tell a known site from a new one without
// reading every page record.

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

func noteSite(tx *bolt.Tx, pageURL string) error {
	host := hostOf(pageURL)
	if host == "" {
		return nil
	}
	b := tx.Bucket(bucketSites)
	if b.Get([]byte(host)) != nil {
		return nil
	}
	return b.Put([]byte(host), []byte{1})
}

// backfillSites fills the sites bucket of a store written before it existed.
func backfillSites(tx *bolt.Tx) error {
	if k, _ := tx.Bucket(bucketSites).Cursor().First(); k != nil {
		return nil
	}
	return tx.Bucket(bucketPages).ForEach(func(k, _ []byte) error {
		return noteSite(tx, string(k))
	})
}

// Sites returns the hosts (host or host:port, lower case) of stored pages.
func (s *Store) Sites() ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSites).ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	return out, err
}

// EachPageOfHost calls fn for every page record whose URL is on host
// (http or https), in URL order.
func (s *Store) EachPageOfHost(host string, fn func(PageRecord) error) error {
	host = strings.ToLower(host)
	return s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketPages).Cursor()
		for _, scheme := range []string{"http://", "https://"} {
			prefix := []byte(scheme + host + "/")
			for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
				var rec PageRecord
				if err := json.Unmarshal(v, &rec); err != nil {
					return fmt.Errorf("store: page %s: %w", k, err)
				}
				if err := fn(rec); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
